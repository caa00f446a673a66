#!/usr/bin/env bash
# Rebuild every guest test program into tests/guest/<name>.elf (+ .objdump).
#
#   ./build.sh           rebuild all programs in place
#   ./build.sh --check   rebuild into a temporary directory and fail if any
#                        committed .elf/.objdump differs (or is missing/extra)
#
# Programs:
#   src/htif_*.S  standalone HTIF programs (own _start, no asm runtime)
#   src/*.S       self-checking asm tests, linked with common/asm_rt.S
#   src/*.c       C programs, linked with common/crt.S + common/clib.c,
#                 picolibc (libc.a) and libgcc
# The build is reproducible: no debug info, no build-id, relative source
# paths only, fixed link order.
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
PICOLIBC=/usr/lib/picolibc/riscv64-unknown-elf

ARCH=(-march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany)
COMMON=("${ARCH[@]}" -nostdlib -static -I"$GUEST/common" -pipe -Wl,--build-id=none -Wl,--no-warn-rwx-segments -Wl,--strip-debug
        -Wl,-T,"$GUEST/common/link.ld")
LIBGCC_DIR=$(dirname "$("$CC" -march=rv64imac -mabi=lp64 -print-libgcc-file-name)")
PICOLIBC_LIB="$PICOLIBC/lib/rv64imac/lp64"
CFLAGS=(-O2 -Wall -Wextra -Werror -ffreestanding -fno-common
        -ffunction-sections -fdata-sections -fno-asynchronous-unwind-tables
        -fno-unwind-tables -isystem "$PICOLIBC/include")
CLIBS=(-Wl,--gc-sections -Wl,--defsym=vfprintf=__i_vfprintf
       -L"$PICOLIBC_LIB" -L"$LIBGCC_DIR" -Wl,--start-group -lc -lgcc -Wl,--end-group)

OBJ=$(mktemp -d)
OUT=.
if [ "$CHECK" = 1 ]; then
  OUT=$(mktemp -d)
fi
cleanup() {
  rm -rf "$OBJ"
  if [ "$CHECK" = 1 ]; then rm -rf "$OUT"; fi
}
trap cleanup EXIT

shopt -s nullglob
names=()
# compile SRC into $OBJ/<unique>.o; prints the object path
obj_of() {
  local src=$1; shift
  local o="$OBJ/$(echo "$src" | tr '/' '_').o"
  if [ ! -f "$o" ]; then
    "$CC" "${COMMON[@]}" "$@" -c "$src" -o "$o"
  fi
  echo "$o"
}
link_one() {
  local name=$1; shift
  # link from inside $OBJ with bare object names so that the FILE symbols the
  # linker synthesises do not depend on the temporary directory
  (cd "$OBJ" && "$CC" "${COMMON[@]}" "$@" -o "$name.elf")
  cp "$OBJ/$name.elf" "$OUT/$name.elf"
  (cd "$OUT" && "$OBJDUMP" -d "$name.elf" > "$name.objdump")
  names+=("$name")
}

for src in src/*.S; do
  name=$(basename "$src" .S)
  o=$(obj_of "$src")
  case "$name" in
    htif_*) link_one "$name" "$(basename "$o")" ;;
    *)      rt=$(obj_of common/asm_rt.S)
            link_one "$name" "$(basename "$rt")" "$(basename "$o")" ;;
  esac
done

for src in src/*.c; do
  name=$(basename "$src" .c)
  crt=$(obj_of common/crt.S)
  clib=$(obj_of common/clib.c "${CFLAGS[@]}")
  o=$(obj_of "$src" "${CFLAGS[@]}")
  link_one "$name" "$(basename "$crt")" "$(basename "$clib")" "$(basename "$o")" "${CLIBS[@]}"
done

if [ "$CHECK" = 1 ]; then
  status=0
  for name in "${names[@]}"; do
    for ext in elf objdump; do
      if [ ! -f "$name.$ext" ]; then
        echo "MISSING: tests/guest/$name.$ext is not committed" >&2; status=1
      elif ! cmp -s "$OUT/$name.$ext" "$name.$ext"; then
        echo "DIFFERS: tests/guest/$name.$ext does not match a fresh build" >&2; status=1
      fi
    done
  done
  for f in *.elf; do
    [ -e "$f" ] || continue
    if [ ! -f "$OUT/$f" ]; then
      echo "EXTRA: tests/guest/$f has no source in src/" >&2; status=1
    fi
  done
  if [ "$status" = 0 ]; then
    echo "build.sh --check: ${#names[@]} programs up to date"
  fi
  exit $status
fi

echo "built ${#names[@]} programs"
