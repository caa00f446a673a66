#!/usr/bin/env bash
# Rebuild the benchmark guests into benches/guest/<name>.elf (+ .objdump).
#
#   ./build.sh           rebuild all programs in place
#   ./build.sh --check   rebuild into a temporary directory and fail if any
#                        committed .elf/.objdump differs (or is missing/extra)
#
# Each src/<name>.S is one translation unit that #includes what it needs from
# common/ (rt.S always; sv39.S, intloop.S, tlbwalk.S as used), linked with
# common/link.ld.  Each src/<name>.c is a freestanding C benchmark (see
# common/cbench.h), compiled -O2 and linked with common/rt.S,
# common/cbench.c and libgcc; before it is built for the guest it is
# compiled for the host with gen/host_main.c and run once, which must
# reproduce the checksum the source expects.  Build-time parameters
# (environment; a non-default value makes --check fail, since the committed
# ELFs use the defaults):
#   INTLOOP_ITERS   iterations of the integer kernel (18 instructions each)
#   TLBWALK_PASSES  passes over the 64 MiB walk region
# The expected intloop checksum is computed by gen/intloop_model.c, built
# with the host C compiler ($HOSTCC, default cc).
# Needs Debian's gcc-riscv64-unknown-elf.  The build is reproducible: no
# debug info, no build-id, relative source paths only.
set -euo pipefail
shopt -s inherit_errexit

cd "$(dirname "${BASH_SOURCE[0]}")"
GUEST=$(pwd)

CHECK=0
case "${1:-}" in
  --check) CHECK=1 ;;
  "") ;;
  *) echo "usage: $0 [--check]" >&2; exit 2 ;;
esac

CROSS=${CROSS:-riscv64-unknown-elf-}
CC=${CROSS}gcc
OBJDUMP=${CROSS}objdump
HOSTCC=${HOSTCC:-cc}

INTLOOP_ITERS=${INTLOOP_ITERS:-11000000}
TLBWALK_PASSES=${TLBWALK_PASSES:-256}

TMP=$(mktemp -d)
OUT=.
if [ "$CHECK" = 1 ]; then
  OUT="$TMP/out"
  mkdir "$OUT"
fi
trap 'rm -rf "$TMP"' EXIT

"$HOSTCC" -O2 -Wall -Wextra -Werror -o "$TMP/intloop_model" gen/intloop_model.c
INTLOOP_EXPECTED=$("$TMP/intloop_model" "$INTLOOP_ITERS")

ARCH=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany -nostdlib -static -pipe)
# -fno-tree-loop-distribute-patterns: keep byte loops as loops (gcc would
# turn bench_memcpy's copy, and memcpy/memset themselves, into calls)
CFLAGS=("${ARCH[@]}" -Icommon -O2 -Wall -Wextra -Werror -ffreestanding -fno-common
        -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -fno-unwind-tables)
# gcc 12 has no multilib for the _zicsr_zifencei spelling: ask for rv64imac's
LIBGCC_DIR=$(dirname "$("$CC" -march=rv64imac -mabi=lp64 -print-libgcc-file-name)")
ASFLAGS=("${ARCH[@]}" -Icommon
         -DINTLOOP_ITERS="$INTLOOP_ITERS" -DINTLOOP_EXPECTED="$INTLOOP_EXPECTED"
         -DTLBWALK_PASSES="$TLBWALK_PASSES")
LDFLAGS=("${ARCH[@]}" -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,--strip-debug
         -Wl,-T,"$GUEST/common/link.ld")

mkdir "$TMP/obj"
names=()
for src in src/*.S; do
  name=$(basename "$src" .S)
  "$CC" "${ASFLAGS[@]}" -c "$src" -o "$TMP/obj/$name.o"
  # link from inside the object directory with a bare object name so that
  # the FILE symbols the linker synthesises do not depend on $TMP
  (cd "$TMP/obj" && "$CC" "${LDFLAGS[@]}" "$name.o" -o "$name.elf")
  cp "$TMP/obj/$name.elf" "$OUT/$name.elf"
  (cd "$OUT" && "$OBJDUMP" -d "$name.elf" > "$name.objdump")
  names+=("$name")
done

"$CC" "${ASFLAGS[@]}" -c common/rt.S -o "$TMP/obj/rt.o"
"$CC" "${CFLAGS[@]}" -c common/cbench.c -o "$TMP/obj/cbench.o"
for src in src/*.c; do
  name=$(basename "$src" .c)
  case "$name" in fpbench_*) continue ;; esac
  "$HOSTCC" -O2 -Wall -Wextra -Werror -Icommon -DBENCH_HOST -o "$TMP/$name.host" "$src" gen/host_main.c
  "$TMP/$name.host" > "$TMP/$name.host.out" || { cat "$TMP/$name.host.out" >&2; exit 1; }
  "$CC" "${CFLAGS[@]}" -c "$src" -o "$TMP/obj/$name.o"
  (cd "$TMP/obj" && "$CC" "${LDFLAGS[@]}" rt.o cbench.o "$name.o" -L"$LIBGCC_DIR" -lgcc -o "$name.elf")
  cp "$TMP/obj/$name.elf" "$OUT/$name.elf"
  (cd "$OUT" && "$OBJDUMP" -d "$name.elf" > "$name.objdump")
  names+=("$name")
done

# rv64gc builds: the FP kernels (src/fpbench_*.c) and a `_gc` twin of every
# C suite program, compiled for rv64imafdc/lp64d with no FMA contraction
# (the host check must reproduce the exact IEEE results) and linked with a
# start-up that turns the FP unit on (mstatus.FS = Initial).
GC_ARCH=(-march=rv64gc -mabi=lp64d -mcmodel=medany -nostdlib -static -pipe)
GC_CFLAGS=("${GC_ARCH[@]}" -Icommon -O2 -Wall -Wextra -Werror -ffreestanding -fno-common
           -ffp-contract=off -fno-math-errno
           -fno-tree-loop-distribute-patterns -fno-asynchronous-unwind-tables -fno-unwind-tables)
GC_LDFLAGS=("${GC_ARCH[@]}" -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,--strip-debug
            -Wl,-T,"$GUEST/common/link.ld")
GC_LIBGCC_DIR=$(dirname "$("$CC" -march=rv64gc -mabi=lp64d -print-libgcc-file-name)")
mkdir "$TMP/gc"
"$CC" "${GC_ARCH[@]}" -Icommon -DRVDBT_FP -c common/rt.S -o "$TMP/gc/rt.o"
"$CC" "${GC_CFLAGS[@]}" -c common/cbench.c -o "$TMP/gc/cbench.o"
gc_one() {
  local src=$1 name=$2
  "$HOSTCC" -O2 -ffp-contract=off -fno-math-errno -Wall -Wextra -Werror -Icommon -DBENCH_HOST \
    -o "$TMP/$name.host" "$src" gen/host_main.c
  "$TMP/$name.host" > "$TMP/$name.host.out" || { cat "$TMP/$name.host.out" >&2; exit 1; }
  "$CC" "${GC_CFLAGS[@]}" -c "$src" -o "$TMP/gc/$name.o"
  (cd "$TMP/gc" && "$CC" "${GC_LDFLAGS[@]}" rt.o cbench.o "$name.o" -L"$GC_LIBGCC_DIR" -lgcc -o "$name.elf")
  cp "$TMP/gc/$name.elf" "$OUT/$name.elf"
  (cd "$OUT" && "$OBJDUMP" -d "$name.elf" > "$name.objdump")
  names+=("$name")
}
for src in src/fpbench_*.c; do
  gc_one "$src" "$(basename "$src" .c)"
done
for src in src/bench_*.c; do
  gc_one "$src" "$(basename "$src" .c)_gc"
done

if [ "$CHECK" = 1 ]; then
  status=0
  for name in "${names[@]}"; do
    for ext in elf objdump; do
      if [ ! -f "$name.$ext" ]; then
        echo "MISSING: benches/guest/$name.$ext is not committed" >&2; status=1
      elif ! cmp -s "$OUT/$name.$ext" "$name.$ext"; then
        echo "DIFFERS: benches/guest/$name.$ext does not match a fresh build" >&2; status=1
      fi
    done
  done
  for f in *.elf; do
    [ -e "$f" ] || continue
    if [ ! -f "$OUT/$f" ]; then
      echo "EXTRA: benches/guest/$f has no source in src/" >&2; status=1
    fi
  done
  if [ "$status" = 0 ]; then
    echo "build.sh --check: ${#names[@]} programs up to date"
  fi
  exit $status
fi

echo "built ${#names[@]} programs (INTLOOP_ITERS=$INTLOOP_ITERS, TLBWALK_PASSES=$TLBWALK_PASSES)"
