# Every RV64GC + Zicsr + Zifencei + privileged instruction, with the aliases
# objdump chooses and edge-case immediates, for the disassembler golden test.
# Regenerate the listing with regen.sh after editing this file.

        .option norelax
        .text
        .globl _start
_start:
        .option norvc
# ---------------------------------------------------------------- RV64I
        lui     a0, 0
        lui     a0, 1
        lui     a0, 0x7ffff
        lui     a0, 0x80000
        lui     t6, 0xfffff
        auipc   a0, 0
        auipc   s11, 0x80000
        auipc   ra, 0xfffff
1:      jal     ra, 1b
        jal     zero, 2f
        jal     a0, 1b
2:      jal     1b
        j       2b
        .insn   4, 0x7ffff06f           # jal zero, +1 MiB - 2
        .insn   4, 0x800000ef           # jal ra, -1 MiB
        jalr    ra, 0(a0)
        jalr    zero, 0(ra)
        jalr    zero, 0(a5)
        jalr    zero, 8(a5)
        jalr    ra, -8(a5)
        jalr    a0, 0(a1)
        jalr    a0, 2047(a1)
        jalr    a0, -2048(a1)
        jalr    t0, 4(zero)
3:      beq     a0, a1, 3b
        bne     a0, a1, 3b
        blt     a0, a1, 4f
        bge     a0, a1, 4f
        bltu    a0, a1, 4f
        bgeu    a0, a1, 4f
4:      beq     a0, zero, 4b
        bne     a0, zero, 4b
        bge     zero, a1, 4b
        bge     a1, zero, 4b
        blt     a1, zero, 4b
        blt     zero, a1, 4b
        bltu    zero, a1, 4b
        bgeu    a1, zero, 4b
        beq     zero, zero, 4b
        bge     zero, zero, 4b
        blt     zero, zero, 4b
        .insn   4, 0x7e000fe3           # beq zero, zero, +4094
        .insn   4, 0x80b50063           # beq a0, a1, -4096
        lb      a0, 0(a1)
        lh      a0, -1(a1)
        lw      a0, 2047(sp)
        ld      a0, -2048(sp)
        lbu     t6, 1(zero)
        lhu     s0, 100(s1)
        lwu     a7, -100(a6)
        sb      a0, 0(a1)
        sh      a0, -1(a1)
        sw      a0, 2047(sp)
        sd      a0, -2048(sp)
        sd      zero, 8(t6)
        addi    a0, a1, 0
        addi    a0, a1, 1
        addi    a0, a1, -1
        addi    a0, a1, 2047
        addi    a0, a1, -2048
        addi    a0, zero, 5
        addi    a0, zero, -2048
        addi    zero, zero, 0
        addi    zero, zero, 1
        addi    zero, a0, 0
        addi    sp, sp, -16
        slti    a0, a1, -1
        slti    a0, a1, 2047
        sltiu   a0, a1, 1
        sltiu   a0, a1, -1
        sltiu   a0, a1, 2
        xori    a0, a1, -1
        xori    a0, a1, 1
        xori    a0, a1, -2048
        ori     a0, a1, 0
        ori     a0, a1, -1
        andi    a0, a1, 255
        andi    a0, a1, 254
        andi    a0, a1, -1
        andi    a0, a1, -2048
        slli    a0, a1, 0
        slli    a0, a1, 1
        slli    a0, a1, 63
        srli    a0, a1, 32
        srli    a0, a1, 63
        srai    a0, a1, 1
        srai    a0, a1, 63
        add     a0, a1, a2
        add     a0, zero, a2
        add     a0, a2, zero
        sub     a0, a1, a2
        sub     a0, zero, a2
        sll     a0, a1, a2
        slt     a0, a1, a2
        slt     a0, a1, zero
        slt     a0, zero, a1
        slt     a0, zero, zero
        sltu    a0, a1, a2
        sltu    a0, zero, a1
        sltu    a0, a1, zero
        xor     a0, a1, a2
        srl     a0, a1, a2
        sra     a0, a1, a2
        or      a0, a1, a2
        and     a0, a1, a2
        addiw   a0, a1, 0
        addiw   a0, a1, -1
        addiw   a0, a1, 2047
        addiw   a0, a1, -2048
        slliw   a0, a1, 0
        slliw   a0, a1, 31
        srliw   a0, a1, 31
        sraiw   a0, a1, 31
        sraiw   a0, a1, 1
        addw    a0, a1, a2
        subw    a0, a1, a2
        subw    a0, zero, a2
        sllw    a0, a1, a2
        srlw    a0, a1, a2
        sraw    a0, a1, a2
        fence
        fence   iorw, iorw
        fence   rw, rw
        fence   r, r
        fence   w, w
        fence   r, rw
        fence   rw, w
        fence   i, o
        fence   io, iorw
        fence   ow, ir
        fence.tso
        .insn   4, 0x0000000f           # fence with empty sets
        .insn   4, 0x0010000f           # fence 0, w
        ecall
        ebreak
        nop
        .insn   4, 0x00000013
# ---------------------------------------------------------------- RV64M
        mul     a0, a1, a2
        mulh    a0, a1, a2
        mulhsu  a0, a1, a2
        mulhu   a0, a1, a2
        div     a0, a1, a2
        divu    a0, a1, a2
        rem     a0, a1, a2
        remu    a0, a1, a2
        mulw    a0, a1, a2
        divw    a0, a1, a2
        divuw   a0, a1, a2
        remw    a0, a1, a2
        remuw   a0, a1, a2
        mul     t6, zero, s11
# ---------------------------------------------------------------- RV64A
        lr.w            a0, (a1)
        lr.w.aq         a0, (a1)
        lr.w.rl         a0, (a1)
        lr.w.aqrl       a0, (a1)
        lr.d            a0, (a1)
        lr.d.aqrl       t6, (sp)
        sc.w            a0, a2, (a1)
        sc.w.aq         a0, a2, (a1)
        sc.w.rl         a0, a2, (a1)
        sc.w.aqrl       a0, a2, (a1)
        sc.d            a0, a2, (a1)
        sc.d.aqrl       zero, zero, (zero)
        amoswap.w       a0, a2, (a1)
        amoadd.w        a0, a2, (a1)
        amoxor.w        a0, a2, (a1)
        amoand.w        a0, a2, (a1)
        amoor.w         a0, a2, (a1)
        amomin.w        a0, a2, (a1)
        amomax.w        a0, a2, (a1)
        amominu.w       a0, a2, (a1)
        amomaxu.w       a0, a2, (a1)
        amoswap.d       a0, a2, (a1)
        amoadd.d        a0, a2, (a1)
        amoxor.d        a0, a2, (a1)
        amoand.d        a0, a2, (a1)
        amoor.d         a0, a2, (a1)
        amomin.d        a0, a2, (a1)
        amomax.d        a0, a2, (a1)
        amominu.d       a0, a2, (a1)
        amomaxu.d       a0, a2, (a1)
        amoswap.w.aq    a0, a2, (a1)
        amoadd.w.rl     a0, a2, (a1)
        amoxor.d.aqrl   a0, a2, (a1)
        amoand.d.aq     a0, a2, (a1)
        amoor.w.aqrl    zero, a2, (a1)
        amomin.d.rl     a0, a2, (a1)
        amomax.w.aq     a0, a2, (a1)
        amominu.d.aqrl  a0, a2, (a1)
        amomaxu.w.rl    a0, a2, (a1)
# ---------------------------------------------------------------- Zicsr
        csrrw   a0, mstatus, a1
        csrrs   a0, mstatus, a1
        csrrc   a0, mstatus, a1
        csrrwi  a0, mstatus, 0
        csrrsi  a0, mstatus, 31
        csrrci  a0, mstatus, 1
        csrr    a0, mstatus
        csrw    mstatus, a1
        csrs    mie, a1
        csrc    mip, a1
        csrwi   mtvec, 4
        csrsi   mstatus, 8
        csrci   mstatus, 8
        csrrw   zero, mscratch, zero
        csrrs   zero, mscratch, zero
        csrrc   a0, mscratch, zero
        csrrsi  a0, mscratch, 0
        csrrci  a0, mscratch, 0
        csrrw   a0, mscratch, zero
        csrr    a0, 0x7c0
        csrw    0x390, a0
        csrr    a0, 0xfff
        csrr    a0, 0
        frflags a0
        fsflags a1
        fsflags a0, a1
        fsflagsi 3
        fsflagsi a0, 3
        frrm    a0
        fsrm    a1
        fsrm    a0, a1
        fsrmi   1
        fsrmi   a0, 1
        frcsr   a0
        fscsr   a1
        fscsr   a0, a1
        csrrs   a0, fflags, a1
        csrrc   a0, frm, zero
        csrrwi  a0, fcsr, 5
        rdcycle a0
        rdtime  a0
        rdinstret a0
        csrr    a0, cycleh
        csrr    a0, hpmcounter3
        csrw    cycle, a0
        csrrs   a0, time, a1
        unimp
# User, supervisor and machine CSRs by name.
        csrr    a0, sstatus
        csrr    a0, sie
        csrr    a0, stvec
        csrr    a0, scounteren
        csrr    a0, senvcfg
        csrr    a0, sscratch
        csrr    a0, sepc
        csrr    a0, scause
        csrr    a0, stval
        csrr    a0, sip
        csrr    a0, satp
        csrr    a0, mvendorid
        csrr    a0, marchid
        csrr    a0, mimpid
        csrr    a0, mhartid
        csrr    a0, mconfigptr
        csrr    a0, misa
        csrr    a0, medeleg
        csrr    a0, mideleg
        csrr    a0, mie
        csrr    a0, mtvec
        csrr    a0, mcounteren
        csrr    a0, menvcfg
        csrr    a0, mcountinhibit
        csrr    a0, mscratch
        csrr    a0, mepc
        csrr    a0, mcause
        csrr    a0, mtval
        csrr    a0, mip
        csrr    a0, mtinst
        csrr    a0, mtval2
        csrr    a0, mseccfg
        csrr    a0, pmpcfg0
        csrr    a0, pmpcfg2
        csrr    a0, pmpcfg15
        csrr    a0, pmpaddr0
        csrr    a0, pmpaddr15
        csrr    a0, pmpaddr63
        csrr    a0, mcycle
        csrr    a0, minstret
        csrr    a0, mhpmcounter3
        csrr    a0, mhpmcounter31
        csrr    a0, mhpmevent3
        csrr    a0, mhpmevent31
        csrr    a0, tselect
        csrr    a0, tdata1
        csrr    a0, dcsr
        csrr    a0, dpc
        csrr    a0, dscratch0
        csrr    a0, hstatus
        csrr    a0, hgatp
        csrr    a0, vsatp
        csrr    a0, vl
        csrr    a0, seed
        csrw    0x390, a0               # mlwid (WorldGuard): no name in binutils
        csrw    0x190, a0               # slwid
        csrw    0x748, a0               # mwiddeleg
# ---------------------------------------------------------------- Zifencei and privileged
        fence.i
        mret
        sret
        wfi
        sfence.vma
        sfence.vma a0
        sfence.vma a0, a1
        sfence.vma zero, a1
# ---------------------------------------------------------------- F
        flw     fa0, 0(a0)
        flw     ft0, -2048(sp)
        flw     ft11, 2047(t6)
        fsw     fa0, 0(a0)
        fsw     fs11, -1(sp)
        fadd.s  fa0, fa1, fa2
        fadd.s  fa0, fa1, fa2, rne
        fadd.s  fa0, fa1, fa2, rtz
        fadd.s  fa0, fa1, fa2, rdn
        fadd.s  fa0, fa1, fa2, rup
        fadd.s  fa0, fa1, fa2, rmm
        fadd.s  fa0, fa1, fa2, dyn
        .insn   4, 0x00c5d553           # fadd.s with rm = 5
        .insn   4, 0x00c5e553           # fadd.s with rm = 6
        fsub.s  fa0, fa1, fa2
        fmul.s  fa0, fa1, fa2, rtz
        fdiv.s  fa0, fa1, fa2
        fsqrt.s fa0, fa1
        fsqrt.s fa0, fa1, rup
        fsgnj.s fa0, fa1, fa2
        fsgnjn.s fa0, fa1, fa2
        fsgnjx.s fa0, fa1, fa2
        fmv.s   fa0, fa1
        fneg.s  fa0, fa1
        fabs.s  fa0, fa1
        fmin.s  fa0, fa1, fa2
        fmax.s  fa0, fa1, fa2
        fmadd.s  fa0, fa1, fa2, fa3
        fmsub.s  fa0, fa1, fa2, fa3, rtz
        fnmsub.s fa0, fa1, fa2, fa3
        fnmadd.s ft11, ft10, ft9, ft8, rmm
        feq.s   a0, fa1, fa2
        flt.s   a0, fa1, fa2
        fle.s   a0, fa1, fa2
        fclass.s a0, fa1
        fcvt.w.s a0, fa1
        fcvt.w.s a0, fa1, rtz
        fcvt.wu.s a0, fa1, rtz
        fcvt.l.s a0, fa1
        fcvt.lu.s a0, fa1, rne
        fcvt.s.w fa0, a1
        fcvt.s.wu fa0, a1, rtz
        fcvt.s.l fa0, a1
        fcvt.s.lu fa0, a1, rmm
        fmv.x.w a0, fa1
        fmv.w.x fa0, a1
        fmv.w.x fa0, zero
# ---------------------------------------------------------------- D
        fld     fa0, 0(a0)
        fld     fs0, -2048(sp)
        fsd     fa0, 2047(a0)
        fsd     ft0, -8(s0)
        fadd.d  fa0, fa1, fa2
        fsub.d  fa0, fa1, fa2, rdn
        fmul.d  fa0, fa1, fa2
        fdiv.d  fa0, fa1, fa2, rne
        fsqrt.d fa0, fa1
        fsgnj.d fa0, fa1, fa2
        fsgnjn.d fa0, fa1, fa2
        fsgnjx.d fa0, fa1, fa2
        fmv.d   fa0, fa1
        fneg.d  fa0, fa1
        fabs.d  fa0, fa1
        fmin.d  fa0, fa1, fa2
        fmax.d  fa0, fa1, fa2
        fmadd.d  fa0, fa1, fa2, fa3
        fmsub.d  fa0, fa1, fa2, fa3
        fnmsub.d fa0, fa1, fa2, fa3, rup
        fnmadd.d fa0, fa1, fa2, fa3
        feq.d   a0, fa1, fa2
        flt.d   a0, fa1, fa2
        fle.d   a0, fa1, fa2
        fclass.d a0, fa1
        fcvt.w.d a0, fa1, rtz
        fcvt.wu.d a0, fa1
        fcvt.l.d a0, fa1, rtz
        fcvt.lu.d a0, fa1
        fcvt.d.w fa0, a1
        fcvt.d.wu fa0, a1
        fcvt.d.l fa0, a1
        fcvt.d.lu fa0, a1, rtz
        fcvt.s.d fa0, fa1
        fcvt.s.d fa0, fa1, rne
        fcvt.d.s fa0, fa1
        fmv.x.d a0, fa1
        fmv.d.x fa0, a1
# ---------------------------------------------------------------- C
        .option rvc
        c.addi4spn a0, sp, 4
        c.addi4spn s0, sp, 1020
        c.addi4spn a5, sp, 512
        c.fld   fa0, 0(a1)
        c.fld   fs1, 248(a5)
        c.lw    a0, 0(a1)
        c.lw    a0, 124(a1)
        c.lw    s0, 64(a5)
        c.ld    a0, 248(a1)
        c.ld    a5, 8(s0)
        c.fsd   fa0, 248(a1)
        c.sw    a0, 124(a1)
        c.sw    s1, 4(a5)
        c.sd    a0, 248(a1)
        c.sd    a5, 128(s0)
        c.nop
        c.addi  a0, 1
        c.addi  a0, -1
        c.addi  a0, 31
        c.addi  a0, -32
        c.addi  sp, 16
        c.addiw a0, 1
        c.addiw a0, -32
        c.addiw a0, 0
        c.li    a0, 0
        c.li    a0, 31
        c.li    t6, -32
        c.addi16sp sp, 16
        c.addi16sp sp, -512
        c.addi16sp sp, 496
        c.lui   a0, 1
        c.lui   a0, 31
        c.lui   a0, 0xfffe0
        c.lui   t6, 0xfffff
        c.srli  a0, 1
        c.srli  a5, 63
        c.srai  a0, 32
        c.srai  s0, 1
        c.andi  a0, 0
        c.andi  a0, -1
        c.andi  a5, 31
        c.sub   a0, a1
        c.xor   a0, a1
        c.or    s0, s1
        c.and   a5, a4
        c.subw  a0, a1
        c.addw  a0, a1
5:      c.j     5b
        c.j     6f
        c.beqz  a0, 5b
        c.bnez  s0, 6f
6:      c.beqz  a5, 6b
        .insn   2, 0xaffd               # c.j +2046
        .insn   2, 0xb001               # c.j -2048
        .insn   2, 0x2c01               # c.addiw s8, 0 (c.jal on RV32)
        .insn   2, 0xd101               # c.beqz a0, -256
        .insn   2, 0xec7d               # c.bnez s0, +254
        c.slli  a0, 1
        c.slli  t6, 63
        c.fldsp fa0, 0(sp)
        c.fldsp ft11, 504(sp)
        c.lwsp  a0, 0(sp)
        c.lwsp  t6, 252(sp)
        c.ldsp  a0, 504(sp)
        c.ldsp  ra, 8(sp)
        c.jr    a0
        c.jr    ra
        c.mv    a0, a1
        c.mv    t6, ra
        c.ebreak
        c.jalr  a0
        c.jalr  ra
        c.add   a0, a1
        c.add   sp, t6
        c.fsdsp fa0, 504(sp)
        c.fsdsp ft0, 0(sp)
        c.swsp  a0, 252(sp)
        c.swsp  zero, 0(sp)
        c.sdsp  a0, 504(sp)
        c.sdsp  ra, 8(sp)
# RVC hints, written as raw encodings because they have no mnemonic.
        .insn   2, 0x0005               # c.nop 1
        .insn   2, 0x107d               # c.nop -1
        .insn   2, 0x0501               # c.addi a0, 0
        .insn   2, 0x4001               # c.li zero, 0
        .insn   2, 0x507d               # c.li zero, -1
        .insn   2, 0x6005               # c.lui zero, 1
        .insn   2, 0x8101               # c.srli64 a0
        .insn   2, 0x8501               # c.srai64 a0
        .insn   2, 0x0006               # c.slli zero, 1
        .insn   2, 0x0502               # c.slli64 a0
        .insn   2, 0x0002               # c.slli64 zero
        .insn   2, 0x802e               # c.mv zero, a1
        .insn   2, 0x902e               # c.add zero, a1
        .insn   2, 0x0000               # the defined illegal instruction
# Compressible instructions that the assembler compresses.
        addi    sp, sp, -16
        sd      ra, 8(sp)
        ld      ra, 8(sp)
        addi    sp, sp, 16
        li      a0, 1
        mv      a0, a1
        add     a0, a0, a1
        ret
        jr      a0
        jalr    a0
        nop
        ebreak
# ---------------------------------------------------------------- Zba
        sh1add  a0, a1, a2
        sh2add  t6, zero, s11
        sh3add  zero, a0, a1
        add.uw  a0, a1, a2
        add.uw  a0, a1, zero            # zext.w
        add.uw  a0, zero, a1
        sh1add.uw a0, a1, a2
        sh2add.uw ra, sp, gp
        sh3add.uw t6, t5, t4
        slli.uw a0, a1, 0
        slli.uw a0, a1, 31
        slli.uw a0, a1, 32
        slli.uw a0, a1, 63
# ---------------------------------------------------------------- Zbb
        andn    a0, a1, a2
        orn     a0, a1, zero
        xnor    zero, a1, a2
        clz     a0, a1
        clzw    a0, zero
        ctz     t6, a1
        ctzw    a0, a1
        cpop    a0, a1
        cpopw   s0, s1
        max     a0, a1, a2
        maxu    a0, a1, a2
        min     a0, a1, a2
        minu    a0, a1, a2
        sext.b  a0, a1
        sext.h  a0, a1
        zext.h  a0, a1
        rol     a0, a1, a2
        rolw    a0, a1, a2
        ror     a0, a1, a2
        rorw    a0, a1, a2
        rori    a0, a1, 0
        rori    a0, a1, 1
        rori    a0, a1, 32
        rori    a0, a1, 63
        roriw   a0, a1, 0
        roriw   a0, a1, 31
        orc.b   a0, a1
        rev8    a0, a1
        .insn   4, 0x6085951b           # clzw with funct3 = 1 but imm 0x608
        .insn   4, 0x6985d513           # rev8 (RV32 encoding)
        .insn   4, 0x08c5c53b           # packw (Zbkb)
# ---------------------------------------------------------------- Zbs
        bclr    a0, a1, a2
        bext    a0, a1, a2
        binv    a0, a1, a2
        bset    a0, a1, a2
        bclri   a0, a1, 0
        bclri   a0, a1, 63
        bexti   a0, a1, 31
        binvi   a0, a1, 32
        bseti   a0, a1, 1
        bseti   zero, zero, 63
# ---------------------------------------------------------------- Zicond
# binutils 2.40 does not know Zicond and prints these as data.
        .insn   r 0x33, 5, 7, a0, a1, a2        # czero.eqz a0, a1, a2
        .insn   r 0x33, 7, 7, a0, a1, a2        # czero.nez a0, a1, a2
