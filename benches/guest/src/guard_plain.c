/* guard_plain - the guard.h kernel, mode 0 (see common/guard.h). */
#define GUARD_MODE 0
#include "guard.h"

const struct bench BENCH = {"guard_plain", run, 0x5224807507716e4dull};
