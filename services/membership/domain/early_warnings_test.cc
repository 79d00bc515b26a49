// Placeholder: replaced by the part that owns it.
#include "services/membership/domain/early_warnings.h"
