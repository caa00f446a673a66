#!/bin/sh
# Rebuilds all_insns.objdump from all_insns.S, and sweep.objdump from the
# pseudo-random encodings that gen_sweep.py writes, with the RISC-V GNU toolchain
# (Debian bookworm: gcc-riscv64-unknown-elf, binutils-riscv64-unknown-elf 2.40).
# Zba, Zbb and Zbs are enabled (objdump 2.40 knows them; it does not know
# Zicond, whose words it prints as data).
# The object records privileged spec 1.12, so objdump names the CSRs that
# spec adds (menvcfg, mseccfg, pmpcfg4...), as our disassembler does.
set -eu
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 gen_sweep.py 3000 >"$tmp/sweep.S"
for name in all_insns sweep; do
    src=$name.S
    [ -f "$src" ] || src=$tmp/$name.S
    riscv64-unknown-elf-gcc -march=rv64gc_zba_zbb_zbs -mabi=lp64d -Wa,-mpriv-spec=1.12 -nostdlib \
        -nostartfiles -Wl,-Ttext=0x80000000 -Wl,--no-relax -o "$tmp/$name.elf" "$src"
    riscv64-unknown-elf-objdump -d "$tmp/$name.elf" | sed -e "s|$tmp/||" >$name.objdump
    echo "wrote $(grep -c '^ *[0-9a-f]*:' $name.objdump) instruction lines to $name.objdump"
done
