#include "common/event_consumer.h"

namespace partydev {}  // namespace partydev
