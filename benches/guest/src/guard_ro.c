/* guard_ro - the guard.h kernel, mode 2 (see common/guard.h). */
#define GUARD_MODE 2
#include "guard.h"

const struct bench BENCH = {"guard_ro", run, 0x5224807507716e4dull};
