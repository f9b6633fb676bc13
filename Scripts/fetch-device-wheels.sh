#!/usr/bin/env bash
# Downloads the Python wheels the GPU machine lacks for Scripts/gpu-bench.sh into .whl/ (git-ignored; carry it):
# diffusers 0.33.1 and transformers 4.57 (the reference; the machine has transformers 5), ftfy (the text cleanup
# the model was trained with) and the versions of their needs that transformers 4.57 accepts (huggingface_hub
# < 1.0, tokenizers 0.22). Built for the device's Python 3.12 on x86-64; about 19 MB.
#   bash Scripts/fetch-device-wheels.sh [DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:-.whl}"
mkdir -p "$dir"
python3 -m pip download -q --no-deps --only-binary=:all: --python-version 3.12 --implementation cp \
  --platform manylinux_2_28_x86_64 --platform manylinux_2_27_x86_64 --platform manylinux_2_17_x86_64 \
  --platform manylinux2014_x86_64 --platform manylinux1_x86_64 -d "$dir" \
  diffusers==0.33.1 transformers==4.57.6 ftfy wcwidth "huggingface_hub<1.0" "tokenizers>=0.22,<0.23"
ls -l "$dir"
