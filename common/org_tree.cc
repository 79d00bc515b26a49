#include "common/org_tree.h"

namespace partydev {}  // namespace partydev
