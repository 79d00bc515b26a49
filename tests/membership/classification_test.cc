#include "tests/membership/membership_fixture.h"
