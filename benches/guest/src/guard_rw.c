/* guard_rw - the guard.h kernel, mode 1 (see common/guard.h). */
#define GUARD_MODE 1
#include "guard.h"

const struct bench BENCH = {"guard_rw", run, 0x5224807507716e4dull};
