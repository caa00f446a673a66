  pushq %rbp
  unwind PushFrameRegs { offset_upward_to_caller_sp: 16 }
  movq %rsp, %rbp
  unwind DefineNewFrame { offset_upward_to_caller_sp: 16, offset_downward_to_clobbers: 32 }
  subq $0x20, %rsp
  movq %rbx, (%rsp)
  unwind SaveReg { clobber_offset: 0, reg: p3i }
  movq %r12, 8(%rsp)
  unwind SaveReg { clobber_offset: 8, reg: p12i }
  movq %r13, 0x10(%rsp)
  unwind SaveReg { clobber_offset: 16, reg: p13i }
block0:
  movq 0x58(%rsi), %rax
  jmp     label1
block1:
  testq %rdx, %rdx
  jle     label10; j label2
block2:
  movq 0x18(%rdi), %rcx
  leaq -8(%rax), %r9
  rorxq $0x7, %r9, %r8
  movq 0x20(%rdi), %r10
  andq %r10, %r8
  movq (%rcx, %r8), %r10
  andq $0xfffffffffffff007, %r9
  cmpq %r10, %r9
  jz      label6; j label3
block4:
  jmp     label11
block5:
  movq %r12, %rsi
  jmp     label7
block6:
  movq %rsi, %r12
  movq %rdx, %r13
  movq 0x18(%rcx, %r8), %rcx
  movq -8(%rax, %rcx), %rax
  jmp     label7
block7:
  movq %rax, 0x50(%rsi)
  movl $0x1000, %eax
  movq (%rax), %r10
  testq %r10, %r10
  jnz     label9; j label8
block8:
  movq 0x98(%rdi), %r10
  movq %r13, %rdx
  leaq -1(%rdx), %rdx
  movl $0x80001004, %ecx
  movl $0x101, %r8d
  movl $0x1000, %r9d
  return_call_unknown %r10 (0) tmp=%r11 %rdi=%rdi %rsi=%rsi %rdx=%rdx %rcx=%rcx %r8=%r8 %r9=%r9
block9:
  movq %r13, %rdx
  leaq -1(%rdx), %rdx
  return_call_unknown %r10 (0) tmp=%r11 %rdi=%rdi %rsi=%rsi %rdx=%rdx
block11:
  movq (%rsp), %rbx
  movq 8(%rsp), %r12
  movq 0x10(%rsp), %r13
  addq $0x20, %rsp
  movq %rbp, %rsp
  popq %rbp
  retq
block3:
  movl $0x80001000, %ecx
  movq %rcx, 0x200(%rsi)
  movq %rsi, %r12
  movq %rdx, 0x78(%rdi)
  movq %rdx, %r13
  movq 0x58(%rdi), %r8
  movq %rdi, %rbx
  leaq -8(%rax), %rsi
  movl $0x80001004, %edx
  movl $0xa0108, %ecx
  call    *%r8
  movq %rbx, %rdi
  movq 0x50(%rdi), %rcx
  testq %rcx, %rcx
  jnz     label4; j label5
block10:
  movl $0x80001000, %eax
  movq %rax, 0x200(%rsi)
  movq %rdx, 0x78(%rdi)
  jmp     label11
