/* vm_sv39 - Sv39 translation, superpages, page faults and satp WARL
 * (the body, shared with the other vm_sv* programs, is common/vm_paging.S). */
#define VM_LEVELS 3
#include "vm_paging.S"
