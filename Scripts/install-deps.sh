#!/usr/bin/env bash
# Installs the Debian packages i2v builds and runs against. Idempotent and non-interactive: does nothing when
# everything is present, so it is cheap to call before every build.
set -euo pipefail

packages=(
  libtorch-dev          # libtorch 1.13 (CPU): ATen headers, libtorch_cpu, libc10
  libopenblas0-pthread  # BLAS for libtorch's CPU matmul (16-30x faster than the reference BLAS)
  libavcodec-dev libavformat-dev libswscale-dev libavutil-dev libavfilter-dev  # video encoding, image decoding
  libswresample-dev     # sound tracks (--audio): resampling to the AAC / Opus encoder's format
  libpng-dev            # PNG input and frames
  libjpeg62-turbo-dev libtiff-dev libwebp-dev  # JPEG, TIFF, WebP input: the libraries Pillow decodes them with
  libgif-dev            # GIF input (first frame, composed as Pillow does)
  libopencv-video-dev   # i2v analyze: dense optical flow (DIS); pulls in OpenCV's core and imgproc
  pkg-config
  ffmpeg                # ffprobe, used by the media tests to check files independently
  libsqlite3-dev        # `i2v serve`'s job queue (GRDB links the system SQLite)
  chromium              # tests drive pages in headless Chromium: i2v analyze's report, the i2v serve page
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
