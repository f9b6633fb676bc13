#!/usr/bin/env bash
# Builds a small, carryable i2v for machines without Swift or FFmpeg (e.g. the GPU machines of the `device` tool,
# which take the working tree plus at most 64 MiB of extra files):
#   - I2V_MEDIA=png: no FFmpeg (PNG input, PNG-frame output; other formats fail with a message saying so);
#   - the Swift runtime and Foundation linked statically (--static-swift-stdlib), stripped;
#   - the shared libraries it still needs beyond glibc and the C++ runtime (libpng16, libz) copied along.
#
#   bash Scripts/build-device-binary.sh OUTDIR [--no-compress]
#
# OUTDIR (replaced):
#   i2v         launcher: runs bin/i2v with OUTDIR/lib on LD_LIBRARY_PATH (`OUTDIR/i2v info` just works)
#   i2v.xz      the binary, xz-compressed (~15 MB instead of ~58 MB: most of it is Foundation's ICU data);
#               the launcher unpacks it into OUTDIR/bin/i2v on first use (with xz, or python3's lzma)
#   bin/i2v     the binary itself, instead of i2v.xz with --no-compress
#   lib/        libpng16.so.16, libz.so.1
# The binary needs glibc >= 2.35 and libstdc++ >= GCC 12 on the target (both printed below); the torch shim is
# built there (Scripts/build-shim.sh, I2V_TORCH_SHIM=...). Scripts/gpu-check.sh takes OUTDIR.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:?usage: build-device-binary.sh OUTDIR [--no-compress]}"
compress=1
[ "${2:-}" = "--no-compress" ] && compress=0
scratch="${I2V_DEVICE_SCRATCH:-.build-device}"
build=(swift build -c release --static-swift-stdlib --scratch-path "$scratch")

I2V_MEDIA=png "${build[@]}" --product i2v
bin="$(I2V_MEDIA=png "${build[@]}" --show-bin-path)/i2v"

if ldd "$bin" | grep -q "not found"; then
  echo "error: unresolved libraries:" >&2; ldd "$bin" | grep "not found" >&2; exit 1
fi
if ldd "$bin" | grep -Eq 'libav(codec|format|util)|libswscale'; then
  echo "error: $bin links FFmpeg: it was not built with I2V_MEDIA=png (clean $scratch and retry)" >&2; exit 1
fi

rm -rf "$out"
mkdir -p "$out/bin" "$out/lib"
cp "$bin" "$out/bin/i2v"
strip "$out/bin/i2v"

# Everything ldd resolves except glibc's own libraries, the loader, libstdc++ and libgcc_s (present wherever
# PyTorch runs).
skip='^(linux-vdso|ld-linux|libc|libm|libdl|libpthread|librt|libutil|libresolv|libanl|libmvec|libstdc\+\+|libgcc_s)\.so'
ldd "$out/bin/i2v" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' | while read -r name path; do
  [[ "$name" =~ $skip ]] || cp -L "$path" "$out/lib/$name"
done

cat > "$out/i2v" <<'LAUNCHER'
#!/bin/sh
# Launcher of an i2v device bundle (Scripts/build-device-binary.sh): unpacks i2v.xz into bin/ when needed, then
# runs bin/i2v with this bundle's lib/ first on LD_LIBRARY_PATH.
here=$(cd "$(dirname "$0")" && pwd -P) || exit 1
bin="$here/bin/i2v"
if [ -f "$here/i2v.xz" ] && { [ ! -x "$bin" ] || [ "$here/i2v.xz" -nt "$bin" ]; }; then
  mkdir -p "$here/bin" || exit 1
  tmp="$bin.unpack.$$"
  if command -v xz >/dev/null 2>&1; then
    xz -dc "$here/i2v.xz" >"$tmp"
  else
    python3 -c 'import lzma, shutil, sys; shutil.copyfileobj(lzma.open(sys.argv[1]), open(sys.argv[2], "wb"))' \
      "$here/i2v.xz" "$tmp"
  fi || { rm -f "$tmp"; echo "error: cannot unpack $here/i2v.xz (needs xz or python3)" >&2; exit 1; }
  chmod +x "$tmp" && mv -f "$tmp" "$bin" || { rm -f "$tmp"; exit 1; }
fi
LD_LIBRARY_PATH="$here/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" exec "$bin" "$@"
LAUNCHER
chmod +x "$out/i2v"

echo "shared libraries of the binary:"
ldd "$out/bin/i2v" | sed 's/^/  /'
glibc=$(objdump -T "$out/bin/i2v" | grep -o 'GLIBC_[0-9.]*' | sort -Vu | tail -1)
glibcxx=$(objdump -T "$out/bin/i2v" | grep -o 'GLIBCXX_[0-9.]*' | sort -Vu | tail -1)
echo "needs on the target: $glibc, $glibcxx (libstdc++), plus the bundled lib/"
unpacked=$(stat -c %s "$out/bin/i2v")
if [ "$compress" = 1 ]; then
  xz -6 -T0 -c "$out/bin/i2v" >"$out/i2v.xz"
  rm -rf "$out/bin"
fi
echo "bundle $out:"
(cd "$out" && find . -type f -printf '  %P  %s bytes\n' | sort)
total=$(du -sb "$out" | cut -f1)
echo "total: $total bytes ($(awk -v b="$total" 'BEGIN { printf "%.1f", b / 1048576 }') MiB; binary unpacked: $unpacked bytes)"
if [ "$total" -gt $((64 * 1048576)) ]; then echo "warning: larger than 64 MiB, too large to carry" >&2; fi
