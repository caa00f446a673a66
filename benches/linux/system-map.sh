#!/usr/bin/env bash
# Writes target/linux-payloads/System.map (`address type name` lines) from
# the kernel's own /proc/kallsyms: boots target/linux-payloads/Image with
# initramfs-kallsyms.cpio.gz under rvdbt (RVDBT, default: the release build,
# built if missing) and keeps the lines between the init's markers. The
# kernel boots with `nokaslr`, as a profiled boot must (the addresses are
# then the same on every boot). Debian's package ships only a placeholder
# System.map (the real one is in the -dbg package); fetch.sh runs first.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
OUT=target/linux-payloads
for f in Image fw_jump.bin initramfs-kallsyms.cpio.gz; do
  [ -f "$OUT/$f" ] || { echo "system-map.sh: $OUT/$f missing (run benches/linux/fetch.sh)" >&2; exit 2; }
done
RVDBT=${RVDBT:-target/release/rvdbt}
if [ ! -x "$RVDBT" ]; then
  cargo build --release -p runtime --bin rvdbt
fi
TMP=$(mktemp)
trap 'rm -f "$TMP"' EXIT
"$RVDBT" run --mem 512M --bios "$OUT/fw_jump.bin" --initrd "$OUT/initramfs-kallsyms.cpio.gz" \
  --append "console=ttyS0 nokaslr quiet" "$OUT/Image" </dev/null >"$TMP"
tr -d '\r' <"$TMP" \
  | sed -n '/^RVDBT-KALLSYMS-BEGIN$/,/^RVDBT-KALLSYMS-END$/p' \
  | grep -E '^[0-9a-f]{16} [A-Za-z] [^ ]+' >"$OUT/System.map.tmp"
n=$(wc -l <"$OUT/System.map.tmp")
if [ "$n" -lt 1000 ]; then
  echo "system-map.sh: only $n symbols read from the kernel" >&2
  rm -f "$OUT/System.map.tmp"
  exit 1
fi
mv "$OUT/System.map.tmp" "$OUT/System.map"
echo "wrote $OUT/System.map ($n symbols)"
