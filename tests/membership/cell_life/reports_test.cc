// Placeholder: replaced by the part that owns it.
#include "tests/membership/membership_fixture.h"
