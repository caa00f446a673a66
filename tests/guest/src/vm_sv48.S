/* vm_sv48 - Sv48 translation, superpages, page faults and satp WARL
 * (the body, shared with the other vm_sv* programs, is common/vm_paging.S). */
#define VM_LEVELS 4
#include "vm_paging.S"
