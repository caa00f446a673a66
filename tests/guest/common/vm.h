/* vm.h - constants and macros for the virtual-memory / PMP guest tests
 * (vm_*.S, pmp.S).  Include after test.h; the code that builds page tables
 * is in vm_rt.S (include it once, after test.h and vm.h, before the test
 * code) and every program that includes vm_rt.S ends with VM_FINISH.
 *
 * Address-space layout built by vm_build_root (see vm_rt.S):
 *   VA 0 .. 1 GiB                 identity, one 1 GiB leaf, RW (UART,
 *                                 finisher, CLINT stay reachable from S)
 *   VA 0x8000_0000 .. +2 MiB      identity, 4 KiB leaves, RWX, A = D = 1;
 *                                 the pages of the `.text.user` and
 *                                 `.data.user` blocks (USER_CODE /
 *                                 USER_DATA) get U = 1 instead
 *   VA 0x8020_0000 .. +126 MiB    identity, 2 MiB leaves, RWX, A = D = 1
 * The program image (with the page-table pool) must fit in the first 2 MiB
 * (vm_init checks it); RAM from 0x8020_0000 up is free for superpage tests.
 * All identity entries have G = 0.  Test pages are mapped elsewhere by the
 * test with vm_map. */
#ifndef RVDBT_VM_H
#define RVDBT_VM_H

#define PTE_V   0x01
#define PTE_R   0x02
#define PTE_W   0x04
#define PTE_X   0x08
#define PTE_U   0x10
#define PTE_G   0x20
#define PTE_A   0x40
#define PTE_D   0x80
#define PTE_AD  (PTE_A | PTE_D)
#define PTE_FLAGS 0x3ff

#define CAUSE_FETCH_PAGE_FAULT  12
#define CAUSE_LOAD_PAGE_FAULT   13
#define CAUSE_STORE_PAGE_FAULT  15

#define SATP_MODE_SHIFT 60
#define SATP_ASID_SHIFT 44
#define SATP_MODE_BARE  0
#define SATP_MODE_SV39  8
#define SATP_MODE_SV48  9
#define SATP_MODE_SV57  10

#define RAM_BASE        0x80000000
#define RAM_FREE        0x80200000      /* first byte after the image area */

#define PMP_R     0x01
#define PMP_W     0x02
#define PMP_X     0x04
#define PMP_OFF   0x00
#define PMP_TOR   0x08
#define PMP_NA4   0x10
#define PMP_NAPOT 0x18
#define PMP_L     0x80

#ifdef __ASSEMBLER__

/* vm_map va, pa, flags, level: map one page of the size given by level
 * (0 = 4 KiB, 1 = 2 MiB, 2 = 1 GiB, 3 = 512 GiB, 4 = 256 TiB) in the
 * current root; flags are the low 10 PTE bits ORed with any extra bits (the
 * PPN is pa >> 12 without any alignment check, so misaligned superpages
 * and reserved bits can be built).  Returns the PTE address in a0.
 * Clobbers a0-a5, t0-t4. */
.macro VM_MAP va, pa, flags, level
        li      a0, \va
        li      a1, \pa
        li      a2, \flags
        li      a3, \level
        call    vm_map
.endm
/* Same with the physical address of a label. */
.macro VM_MAP_LABEL va, label, flags, level
        li      a0, \va
        la      a1, \label
        li      a2, \flags
        li      a3, \level
        call    vm_map
.endm

/* a0 = address of the PTE that maps va at `level` in the current root
 * (0 if a table on the way is missing). Clobbers a0-a5, t0-t4. */
.macro VM_PTE va, level
        li      a0, \va
        li      a1, \level
        li      a2, 0
        call    vm_walk
.endm

/* satp <- vm_satp (the current root) and flush. Clobbers t0. */
.macro VM_ON
        la      t0, vm_satp
        ld      t0, 0(t0)
        csrw    satp, t0
        sfence.vma zero, zero
.endm

.macro VM_OFF
        csrw    satp, zero
        sfence.vma zero, zero
.endm

/* Code / data placed in the U = 1 pages (identity mapped). */
.macro USER_CODE
        .pushsection .text.user, "ax", @progbits
.endm
.macro USER_DATA
        .pushsection .data.user, "aw", @progbits
.endm
.macro END_USER
        .popsection
.endm

/* The next trap delegated to S is recorded, then forwarded to M with an
 * ecall (the S handler does not touch the trapping instruction). */
.macro STRAP_TO_M
        la      t0, strap_to_m
        li      t1, 1
        sd      t1, 0(t0)
.endm

/* One S trap with the given cause at label, stval = val. */
.macro EXPECT_STRAP cause, label, tval
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE \cause
        EXPECT_STRAP_EPC \label
        EXPECT_STRAP_TVAL \tval
.endm
/* One M trap: cause, epc = label, tval = register */
.macro EXPECT_MTRAP_R cause, label, treg
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE \cause
        EXPECT_MTRAP_EPC \label
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, \treg
.endm
/* mepc = value (for faults on a fetch target) */
.macro EXPECT_MTRAP_EPC_VAL val
        la      t5, mtrap
        ld      t5, TR_EPC(t5)
        EXPECT  t5, \val
.endm
.macro EXPECT_STRAP_EPC_VAL val
        la      t5, strap
        ld      t5, TR_EPC(t5)
        EXPECT  t5, \val
.endm

/* Fail unless the dword at physical address `addr` (constant) == val. */
.macro EXPECT_PHYS addr, val
        li      t5, \addr
        ld      t5, 0(t5)
        EXPECT  t5, \val
.endm

/* Store the 64-bit constant val at label + off (M-mode). Clobbers t0, t1. */
.macro POKE label, off, val
        la      t0, \label + \off
        li      t1, \val
        sd      t1, 0(t0)
.endm
/* Store val at the physical address addr. Clobbers t0, t1. */
.macro POKE_PHYS addr, val
        li      t0, \addr
        li      t1, \val
        sd      t1, 0(t0)
.endm


/* TRY mode, insn: reset the trap records, drop to mode (PRV_S, or PRV_U
 * with the code placed in the U = 1 block) and execute insn there (the
 * instruction is at label 9001), then ecall.  The first trap taken to M (a
 * fault, or the final ecall) resumes in M-mode after the macro; a trap
 * delegated to S is recorded by strap_record (which skips the instruction,
 * or forwards to M after STRAP_TO_M).  Registers other than t0/t1 pass in
 * and out unchanged. */
.macro TRY mode, insn, insn2=""
        TRAP_RESET
        TRY_NORESET \mode, "\insn", "\insn2"
.endm
/* TRY, with the S handler forwarding the next delegated trap to M (for
 * faults of U code or of fetches, whose instruction the S handler cannot
 * or must not read). */
.macro TRY_TO_M mode, insn, insn2=""
        TRAP_RESET
        STRAP_TO_M
        TRY_NORESET \mode, "\insn", "\insn2"
.endm
.macro TRY_NORESET mode, insn, insn2=""
        ENTER_MODE \mode, 9001f, 9002f
        .if \mode == PRV_U
        USER_CODE
        .endif
9001:   \insn
        \insn2
        ecall
        .if \mode == PRV_U
        END_USER
        .endif
9002:
.endm

/* After TRY: no fault, the only M trap is the final ecall from mode. */
.macro EXPECT_OK mode
        EXPECT_MTRAP_COUNT 1
        .if \mode == PRV_U
        EXPECT_MTRAP_CAUSE CAUSE_USER_ECALL
        .else
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
        .endif
        EXPECT_STRAP_COUNT 0
.endm

/* After TRY: exactly one M trap with cause, mepc = the TRY instruction,
 * mtval = treg (a register). */
.macro EXPECT_FAULT cause, treg
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE \cause
        EXPECT_MTRAP_EPC 9001b
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, \treg
.endm
/* After TRY: a fetch fault on the jump target: mepc = mtval = treg. */
.macro EXPECT_FETCH_FAULT cause, treg
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE \cause
        la      t5, mtrap
        ld      t5, TR_EPC(t5)
        EXPECT_REG t5, \treg
        la      t5, mtrap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, \treg
.endm
/* After TRY with the fault delegated to S: one S trap with cause at the TRY
 * instruction, stval = treg, then one M trap (the ecall from S: the final
 * ecall of S code, or the S handler's forward after STRAP_TO_M). */
.macro EXPECT_SFAULT cause, treg
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE \cause
        EXPECT_STRAP_EPC 9001b
        la      t5, strap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, \treg
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
.endm
.macro EXPECT_SFETCH_FAULT cause, treg
        EXPECT_STRAP_COUNT 1
        EXPECT_STRAP_CAUSE \cause
        la      t5, strap
        ld      t5, TR_EPC(t5)
        EXPECT_REG t5, \treg
        la      t5, strap
        ld      t5, TR_TVAL(t5)
        EXPECT_REG t5, \treg
        EXPECT_MTRAP_COUNT 1
        EXPECT_MTRAP_CAUSE CAUSE_SUPERVISOR_ECALL
.endm

#endif /* __ASSEMBLER__ */
#endif /* RVDBT_VM_H */
