/* vm_rt.S - page-table builder for the vm_* / pmp guest tests (M-mode).
 * #include it once after test.h and vm.h; end the program with VM_FINISH.
 * Not built on its own (build.sh only builds src/*.S).
 *
 *   vm_init(a0 = levels 3/4/5)   reset the table pool, build the identity
 *                                root (vm_build_root); a0 = its satp value
 *   vm_build_root()              allocate and fill a new identity root and
 *                                make it current; a0 = satp (ASID 0)
 *   vm_select(a0 = satp)         make the root of that satp value current
 *   vm_walk(a0 = va, a1 = level, a2 = alloc)
 *                                a0 = address of the PTE for va at level in
 *                                the current root (tables on the way are
 *                                allocated if alloc != 0, else 0 is returned
 *                                when one is missing or a leaf is in the way)
 *   vm_map(a0 = va, a1 = pa, a2 = flags, a3 = level)
 *                                write the leaf; a0 = PTE address
 *   vm_map_range(a0 = va, a1 = pa, a2 = size, a3 = flags, a4 = level)
 * All clobber a0-a5 and t0-t4 and keep s-registers, gp, t5, t6. */

#define VM_POOL_PAGES 48

        .pushsection .text.user, "ax", @progbits
        .balign 4096
vm_user_text:
        .popsection
        .pushsection .data.user, "aw", @progbits
        .balign 4096
vm_user_data:
        .popsection

/* Close the U = 1 blocks (must be the last thing in the program). */
.macro VM_FINISH
        .pushsection .text.user, "ax", @progbits
        .balign 4096
vm_user_text_end:
        .popsection
        .pushsection .data.user, "aw", @progbits
        .balign 4096
vm_user_data_end:
        .popsection
.endm

        .text
vm_fail:
        j       fail

/* vm_alloc: a0 = a fresh zeroed page from the pool. Clobbers t0-t2. */
vm_alloc:
        la      t0, vm_pool_next
        ld      a0, 0(t0)
        li      t1, 4096
        add     t1, a0, t1
        la      t2, vm_pool_end
        bgtu    t1, t2, vm_fail
        sd      t1, 0(t0)
        mv      t0, a0
1:      sd      zero, 0(t0)
        addi    t0, t0, 8
        bltu    t0, t1, 1b
        ret

vm_walk:
        addi    sp, sp, -48
        sd      ra, 0(sp)
        sd      s0, 8(sp)
        sd      s1, 16(sp)
        sd      s2, 24(sp)
        sd      s3, 32(sp)
        sd      s4, 40(sp)
        mv      s0, a0                  /* va */
        mv      s1, a1                  /* target level */
        mv      s2, a2                  /* allocate missing tables? */
        la      t0, vm_root
        ld      s3, 0(t0)               /* current table */
        la      t0, vm_levels
        ld      s4, 0(t0)
        addi    s4, s4, -1              /* current level */
1:      slli    t0, s4, 3
        add     t0, t0, s4
        addi    t0, t0, 12              /* 12 + 9 * level */
        srl     t1, s0, t0
        andi    t1, t1, 511
        slli    t1, t1, 3
        add     a0, s3, t1              /* PTE address */
        beq     s4, s1, 9f
        ld      t2, 0(a0)
        andi    t0, t2, PTE_V
        bnez    t0, 2f
        beqz    s2, 8f
        mv      a4, a0
        call    vm_alloc
        srli    t0, a0, 12
        slli    t0, t0, 10
        ori     t0, t0, PTE_V
        sd      t0, 0(a4)
        mv      s3, a0
        addi    s4, s4, -1
        j       1b
2:      andi    t0, t2, PTE_R | PTE_W | PTE_X
        bnez    t0, 8f                  /* a leaf is in the way */
        slli    t2, t2, 10              /* drop bits 63:54 */
        srli    t2, t2, 20              /* PPN */
        slli    s3, t2, 12
        addi    s4, s4, -1
        bgez    s4, 1b
8:      li      a0, 0
9:      ld      ra, 0(sp)
        ld      s0, 8(sp)
        ld      s1, 16(sp)
        ld      s2, 24(sp)
        ld      s3, 32(sp)
        ld      s4, 40(sp)
        addi    sp, sp, 48
        ret

vm_map:
        addi    sp, sp, -32
        sd      ra, 0(sp)
        sd      s0, 8(sp)
        sd      s1, 16(sp)
        mv      s0, a1
        mv      s1, a2
        mv      a1, a3
        li      a2, 1
        call    vm_walk
        beqz    a0, vm_fail
        srli    t0, s0, 12
        slli    t0, t0, 10
        or      t0, t0, s1
        sd      t0, 0(a0)
        ld      ra, 0(sp)
        ld      s0, 8(sp)
        ld      s1, 16(sp)
        addi    sp, sp, 32
        ret

vm_map_range:
        addi    sp, sp, -48
        sd      ra, 0(sp)
        sd      s0, 8(sp)
        sd      s1, 16(sp)
        sd      s2, 24(sp)
        sd      s3, 32(sp)
        sd      s4, 40(sp)
        mv      s0, a0
        mv      s1, a1
        add     s2, a0, a2
        mv      s3, a3
        mv      s4, a4
1:      bgeu    s0, s2, 2f
        mv      a0, s0
        mv      a1, s1
        mv      a2, s3
        mv      a3, s4
        call    vm_map
        slli    t0, s4, 3
        add     t0, t0, s4
        addi    t0, t0, 12
        li      t1, 1
        sll     t0, t1, t0
        add     s0, s0, t0
        add     s1, s1, t0
        j       1b
2:      ld      ra, 0(sp)
        ld      s0, 8(sp)
        ld      s1, 16(sp)
        ld      s2, 24(sp)
        ld      s3, 32(sp)
        ld      s4, 40(sp)
        addi    sp, sp, 48
        ret

vm_select:
        la      t0, vm_satp
        sd      a0, 0(t0)
        slli    t1, a0, 20
        srli    t1, t1, 20              /* PPN */
        slli    t1, t1, 12
        la      t0, vm_root
        sd      t1, 0(t0)
        ret

vm_build_root:
        addi    sp, sp, -16
        sd      ra, 0(sp)
        call    vm_alloc
        la      t0, vm_root
        sd      a0, 0(t0)
        la      t0, vm_levels
        ld      t1, 0(t0)
        addi    t1, t1, SATP_MODE_SV39 - 3
        slli    t1, t1, SATP_MODE_SHIFT
        srli    t0, a0, 12
        or      t1, t1, t0
        la      t0, vm_satp
        sd      t1, 0(t0)
        /* devices: VA 0 .. 1 GiB, one leaf */
        li      a0, 0
        li      a1, 0
        li      a2, 1 << 30
        li      a3, PTE_V | PTE_R | PTE_W | PTE_AD
        li      a4, 2
        call    vm_map_range
        /* the program image: 4 KiB pages */
        li      a0, RAM_BASE
        li      a1, RAM_BASE
        li      a2, RAM_FREE - RAM_BASE
        li      a3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD
        li      a4, 0
        call    vm_map_range
        /* the rest of 128 MiB of RAM: 2 MiB pages */
        li      a0, RAM_FREE
        li      a1, RAM_FREE
        li      a2, RAM_BASE + (128 << 20) - RAM_FREE
        li      a3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_AD
        li      a4, 1
        call    vm_map_range
        /* U = 1 blocks */
        la      a0, vm_user_text
        mv      a1, a0
        la      a2, vm_user_text_end
        sub     a2, a2, a0
        li      a3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_AD
        li      a4, 0
        call    vm_map_range
        la      a0, vm_user_data
        mv      a1, a0
        la      a2, vm_user_data_end
        sub     a2, a2, a0
        li      a3, PTE_V | PTE_R | PTE_W | PTE_X | PTE_U | PTE_AD
        li      a4, 0
        call    vm_map_range
        la      t0, vm_satp
        ld      a0, 0(t0)
        ld      ra, 0(sp)
        addi    sp, sp, 16
        ret

vm_init:
        la      t0, vm_levels
        sd      a0, 0(t0)
        la      t0, vm_pool_next
        la      t1, vm_pool
        sd      t1, 0(t0)
        la      t0, _end
        li      t1, RAM_FREE
        bgtu    t0, t1, vm_fail
        j       vm_build_root

        .data
        .balign 8
vm_levels:      .dword 3
vm_root:        .dword 0
vm_satp:        .dword 0
vm_pool_next:   .dword 0

        .bss
        .balign 4096
vm_pool:        .space VM_POOL_PAGES * 4096
vm_pool_end:
