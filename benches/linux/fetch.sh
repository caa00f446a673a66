#!/usr/bin/env bash
# Fetch the Linux-boot payloads from Debian trixie's riscv64 packages and
# cache them under target/linux-payloads/ (never committed):
#   Image          the kernel (linux-image-*-riscv64: /boot/vmlinux-*, a raw
#                  RISC-V Image with an EFI header, uncompressed)
#   fw_jump.bin    OpenSBI's generic fw_jump firmware (opensbi, arch all)
#   busybox        busybox-static for riscv64 (for the initramfs issue)
#   kernel-package the kernel's package name, written last: a complete fetch
# Needs root and apt (Debian): it adds a temporary riscv64 trixie source and
# architecture, downloads the .debs with `apt-get download`, and removes
# both again (also on failure or interruption; an architecture the host
# already had stays).  Does nothing when the payloads are present (CI runs
# it every time); --force refetches.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUT=target/linux-payloads
if [ "${1:-}" != --force ] && [ -f "$OUT/Image" ] && [ -f "$OUT/fw_jump.bin" ] \
   && [ -f "$OUT/busybox" ] && [ -f "$OUT/kernel-package" ]; then
  echo "payloads present in $OUT (--force to refetch)"; exit 0
fi
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
cp "$TMP/x/usr/lib/riscv64-linux-gnu/opensbi/generic/fw_jump.bin" "$OUT/fw_jump.bin"
cp "$(find "$TMP/x" -name busybox -type f -size +100k | head -1)" "$OUT/busybox"
echo "$KPKG" > "$OUT/kernel-package"
ls -l "$OUT"
