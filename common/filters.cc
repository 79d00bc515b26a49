#include "common/filters.h"

namespace partydev {}  // namespace partydev
