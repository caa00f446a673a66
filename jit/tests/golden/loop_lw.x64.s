  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 48 }
  subq $0x50, %rsp
  movq %rbx, 0x20(%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 0x28(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x30(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
  movq %r14, 0x38(%rsp)
  unwind SaveReg { clobber_offset: 24, reg: p14i }
  movq %r15, 0x40(%rsp)
  unwind SaveReg { clobber_offset: 32, reg: p15i }
block0:
  movq 0x50(%rsi), %r8
  movq 0x58(%rsi), %r15
  movq 0x60(%rsi), %rbx
  movq %rsi, <offset:1>+8(%rsp)
  movq $0xffffffffffffffff, %rcx
  uninit  %r12
  xorq %r12, %r12
  movq 0x18(%rdi), %r13
  movq 0x20(%rdi), %rax
  movq %rdi, <offset:1>+(%rsp)
  movq %rax, <offset:1>+0x10(%rsp)
  movq %rdx, %r14
  jmp     label1
block1:
  testq %r14, %r14
  jle     label15; j label2
block2:
  movq %r15, %rax
  andq $0xfffffffffffff003, %rax
  cmpq %rcx, %rax
  jz      label8; j label3
block3:
  movq %r15, %rcx
  shrq $0x7, %rcx
  movq <offset:1>+0x10(%rsp), %rdx
  andq %rdx, %rcx
  movq (%r13, %rcx), %rdx
  cmpq %rdx, %rax
  jz      label7; j label4
block5:
  jmp     label16
block6:
  movq $0xffffffffffffffff, %rcx
  jmp     label10
block7:
  movq 0x18(%r13, %rcx), %r12
  leaq (%r15, %r12), %rdx
  movq %rax, %rcx
  jmp     label9
block8:
  leaq (%r15, %r12), %rdx
  jmp     label9
block9:
  movl (%rdx), %eax
  jmp     label10
block10:
  leaq -1(%rbx), %rbx
  testq %rbx, %rbx
  jnz     label14; j label11
block11:
  movslq %eax, %rax
  movq <offset:1>+8(%rsp), %rsi
  movq %rax, 0x50(%rsi)
  leaq 4(%r15), %rax
  movq %rax, 0x58(%rsi)
  movq %rbx, 0x60(%rsi)
  movl $0x80001010, %eax
  movq %rax, 0x200(%rsi)
  movq <offset:1>+(%rsp), %rdi
  movq 0x80(%rdi), %rax
  movq 0x88(%rdi), %rcx
  andq $0x40000808, %rcx
  shlq $0x5, %rcx
  movq (%rax, %rcx), %rdi
  movq 8(%rax, %rcx), %rdx
  cmpq (%rip), %rdi
  sete %dil
  cmpq $0x101, %rdx
  sete %dl
  testb %dil, %dl
  jnz     label13; j label12
block12:
  leaq -4(%r14), %rax
  movq <offset:1>+(%rsp), %rdi
  movq %rax, 0x78(%rdi)
  jmp     label16
block13:
  movq 0x10(%rax, %rcx), %r10
  leaq -4(%r14), %rdx
  movq <offset:1>+(%rsp), %rdi
  return_call_unknown %r10 (0) tmp=%r11 %rdi=%rdi %rsi=%rsi %rdx=%rdx
block14:
  movq <offset:1>+8(%rsp), %rsi
  leaq -4(%r14), %r14
  leaq 4(%r15), %r15
  movslq %eax, %r8
  jmp     label1
block16:
  movq 0x20(%rsp), %rbx
  movq 0x28(%rsp), %r12
  movq 0x30(%rsp), %r13
  movq 0x38(%rsp), %r14
  movq 0x40(%rsp), %r15
  addq $0x50, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block4:
  movq <offset:1>+8(%rsp), %rsi
  movq %r8, 0x50(%rsi)
  movq %r15, 0x58(%rsi)
  movq %rbx, 0x60(%rsi)
  movl $0x80001000, %edi
  movq %rdi, 0x200(%rsi)
  movq <offset:1>+(%rsp), %rdi
  movq %r14, 0x78(%rdi)
  movq 0x58(%rdi), %r9
  movl $0x80001004, %edx
  movl $0xa0104, %ecx
  movq %r15, %rsi
  call    *%r9
  movq <offset:1>+(%rsp), %rdi
  movq 0x50(%rdi), %r9
  testq %r9, %r9
  jnz     label5; j label6
block15:
  movq <offset:1>+8(%rsp), %rsi
  movq %r8, 0x50(%rsi)
  movq %r15, 0x58(%rsi)
  movq %rbx, 0x60(%rsi)
  movl $0x80001000, %eax
  movq %rax, 0x200(%rsi)
  movq <offset:1>+(%rsp), %rdi
  movq %r14, 0x78(%rdi)
  jmp     label16
