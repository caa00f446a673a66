#!/usr/bin/env bash
# Fetch the Linux-boot payloads from Debian trixie's riscv64 packages and
# cache them under target/linux-payloads/ (never committed):
#   Image          the kernel (linux-image-*-riscv64: /boot/vmlinux-*, a raw
#                  RISC-V Image with an EFI header, uncompressed)
#   fw_jump.bin    OpenSBI's generic fw_jump firmware (opensbi, arch all)
#   fw_jump.elf    the same as a position-independent ELF (ET_DYN)
#   fw_dynamic.bin OpenSBI's fw_dynamic, what QEMU's `-bios default` runs
#   busybox        busybox-static for riscv64 (for the initramfs issue)
#   kernel-package the kernel's package name, written last: a complete fetch
# then build the two initramfs images from busybox (gzip'd cpio newc):
#   initramfs-test.cpio.gz   /init is benches/linux/init-test: runs commands,
#                            prints their output in marked sections, powers off
#   initramfs-shell.cpio.gz  /init is benches/linux/init-shell: an interactive
#                            shell on the console, powers off when it exits
#   initramfs-kallsyms.cpio.gz  /init is benches/linux/init-kallsyms: prints
#                            /proc/kallsyms (benches/linux/system-map.sh makes
#                            target/linux-payloads/System.map of it)
# The fetch needs root and apt (Debian): it adds a temporary riscv64 trixie
# source and architecture, downloads the .debs with `apt-get download`, and
# removes both again (also on failure or interruption; an architecture the
# host already had stays).  It does nothing when the payloads are present (CI
# runs it every time); --force refetches.  The images need neither root nor
# apt (cpio and gzip): each is rebuilt when missing or older than its init
# script, busybox or this script, and is reproducible (sorted entries, owner
# 0:0, fixed mode and mtime, gzip -n).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUT=target/linux-payloads

# In a subshell, so that its cleanup trap runs when the fetch ends.
fetch() (
  if [ "$(id -u)" != 0 ]; then echo "fetch.sh: needs root (apt-get)" >&2; exit 2; fi
  URI=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
  URI=${URI:-http://deb.debian.org/debian}
  SRC=/etc/apt/sources.list.d/rvdbt-riscv64.list
  ADDED_ARCH=
  TMP=$(mktemp -d)
  cleanup() {
    rm -rf "$TMP" "$SRC"
    if [ -n "$ADDED_ARCH" ]; then dpkg --remove-architecture riscv64 2>/dev/null || true; fi
    apt-get update -qq >/dev/null 2>&1 || true
  }
  trap cleanup EXIT
  trap 'exit 130' INT TERM HUP
  echo "deb [arch=riscv64] $URI trixie main" > "$SRC"
  if ! dpkg --print-foreign-architectures | grep -qx riscv64; then
    dpkg --add-architecture riscv64
    ADDED_ARCH=1
  fi
  apt-get update -qq
  KPKG=$(apt-cache depends linux-image-riscv64:riscv64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
  [ -n "$KPKG" ] || { echo "fetch.sh: no kernel package found" >&2; exit 1; }
  chmod 755 "$TMP"
  (cd "$TMP" && apt-get download -qq "$KPKG" opensbi/trixie busybox-static:riscv64)
  mkdir -p "$OUT" "$TMP/x"
  rm -f "$OUT/kernel-package"
  for d in "$TMP"/*.deb; do dpkg-deb -x "$d" "$TMP/x"; done
  cp "$(ls "$TMP"/x/boot/vmlinux-* | head -1)" "$OUT/Image"
  for f in fw_jump.bin fw_jump.elf fw_dynamic.bin; do
    cp "$TMP/x/usr/lib/riscv64-linux-gnu/opensbi/generic/$f" "$OUT/$f"
  done
  cp "$(find "$TMP/x" -name busybox -type f -size +100k | head -1)" "$OUT/busybox"
  echo "$KPKG" > "$OUT/kernel-package"
  ls -l "$OUT"
)

# build_initramfs INIT IMAGE: IMAGE holds /init (the script INIT), /bin/busybox
# and the empty directories the init needs (it mounts proc, sysfs, devtmpfs
# and runs `busybox --install -s` itself).  /dev/console comes from the
# kernel's built-in initramfs, unpacked before this one.
build_initramfs() (
  init=$1 img=$2
  if [ -f "$img" ] && [ ! "$init" -nt "$img" ] && [ ! "$OUT/busybox" -nt "$img" ] \
     && [ ! benches/linux/fetch.sh -nt "$img" ]; then
    exit 0
  fi
  command -v cpio >/dev/null || { echo "fetch.sh: needs cpio to build $img" >&2; exit 2; }
  root=$(mktemp -d)
  trap 'rm -rf "$root" "$img.tmp"' EXIT
  trap 'exit 130' INT TERM HUP
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,root}
  cp "$init" "$root/init"
  cp "$OUT/busybox" "$root/bin/busybox"
  chmod 755 "$root" "$root"/{bin,sbin,usr,usr/bin,usr/sbin,proc,sys,dev,root} \
    "$root/init" "$root/bin/busybox"
  chmod 1777 "$root/tmp"
  find "$root" -exec touch -h -d @0 {} +
  (cd "$root" && find . -mindepth 1 -printf '%P\0' | LC_ALL=C sort -z \
     | cpio --quiet -o -0 -H newc -R 0:0 --reproducible) | gzip -9n > "$img.tmp"
  mv "$img.tmp" "$img"
  echo "built $img ($(stat -c %s "$img") bytes)"
)

if [ "${1:-}" != --force ] && [ -f "$OUT/Image" ] && [ -f "$OUT/fw_jump.bin" ] \
   && [ -f "$OUT/fw_jump.elf" ] && [ -f "$OUT/fw_dynamic.bin" ] \
   && [ -f "$OUT/busybox" ] && [ -f "$OUT/kernel-package" ]; then
  echo "payloads present in $OUT (--force to refetch)"
else
  fetch
fi
build_initramfs benches/linux/init-test "$OUT/initramfs-test.cpio.gz"
build_initramfs benches/linux/init-shell "$OUT/initramfs-shell.cpio.gz"
build_initramfs benches/linux/init-kallsyms "$OUT/initramfs-kallsyms.cpio.gz"
