#include "services/quota/target_store.h"

namespace partydev::quota {

TargetStore::TargetStore(RecordStore& records) : records_(records) {}

}  // namespace partydev::quota
