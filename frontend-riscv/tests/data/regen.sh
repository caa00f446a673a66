#!/bin/sh
# Rebuilds all_insns.objdump from all_insns.S with the RISC-V GNU toolchain
# (Debian bookworm: gcc-riscv64-unknown-elf, binutils-riscv64-unknown-elf 2.40).
# The object records privileged spec 1.12, so objdump names the CSRs that
# spec adds (menvcfg, mseccfg, pmpcfg4...), as our disassembler does.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
riscv64-unknown-elf-gcc -march=rv64gc -mabi=lp64d -Wa,-mpriv-spec=1.12 -nostdlib -nostartfiles \
    -Wl,-Ttext=0x80000000 -Wl,--no-relax -o "$tmp/all_insns.elf" all_insns.S
riscv64-unknown-elf-objdump -d "$tmp/all_insns.elf" |
    sed -e "s|$tmp/||" >all_insns.objdump
echo "wrote $(grep -c '^ *[0-9a-f]*:' all_insns.objdump) instruction lines to all_insns.objdump"
