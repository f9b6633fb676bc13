#!/usr/bin/env bash
# Builds libi2vtorch.so with g++ alone, for machines without Swift (e.g. a GPU box with PyTorch installed).
# Drop the result next to an i2v binary, or point I2V_TORCH_SHIM at it.
#   LIBTORCH=$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))') bash Scripts/build-shim.sh out/
set -euo pipefail
cd "$(dirname "$0")/.."
: "${LIBTORCH:?set LIBTORCH to a libtorch tree with include/ and lib/ (e.g. site-packages/torch)}"
out="${1:-.}"
mkdir -p "$out"
libs=(-ltorch_cpu -lc10)
# CUDA builds register their backend from libtorch_cuda at load time: link it even though no symbol is used.
if [ -e "$LIBTORCH/lib/libtorch_cuda.so" ]; then libs=(-Wl,--no-as-needed -ltorch_cuda -lc10_cuda -Wl,--as-needed "${libs[@]}"); fi
build() {
  g++ -O2 -std=c++17 -shared -fPIC -D_GLIBCXX_USE_CXX11_ABI=1 "$@" \
    -I Sources/CTorch/include -I "$LIBTORCH/include" -I "$LIBTORCH/include/torch/csrc/api/include" \
    Sources/I2VTorchShim/shim.cpp -o "$out/libi2vtorch.so" \
    -L "$LIBTORCH/lib" -Wl,-rpath,"$LIBTORCH/lib" "${libs[@]}" -ldl
}
# CUDA graphs need the CUDA runtime headers (the toolkit's, or the nvidia-* wheels' next to torch).
cuda_flags=()
if [ -e "$LIBTORCH/lib/libtorch_cuda.so" ]; then
  for d in "${CUDA_HOME:-/usr/local/cuda}/include" "$(dirname "$LIBTORCH")"/nvidia/cu*/include \
           "$(dirname "$LIBTORCH")"/nvidia/cuda_runtime/include; do
    if [ -f "$d/cuda_runtime_api.h" ]; then cuda_flags=(-DI2V_WITH_CUDA -I "$d"); break; fi
  done
fi
# The allocator statistics need libtorch's device-generic allocator interface (2.9+); older 2.x trees build
# without them (i2v then reports NVML-free figures only). Each fallback is said on stderr; the first log is kept.
: >"$out/build-shim.log"
if [ ${#cuda_flags[@]} -gt 0 ] && build "${cuda_flags[@]}" 2>>"$out/build-shim.log"; then
  echo "with CUDA graphs (headers: ${cuda_flags[2]})"
elif build 2>>"$out/build-shim.log"; then
  [ ${#cuda_flags[@]} -gt 0 ] && echo "note: built without CUDA graphs (see $out/build-shim.log)" >&2
  true
else
  echo "note: building without allocator statistics (see $out/build-shim.log)" >&2
  build -DI2V_NO_DEVICE_ALLOCATOR
fi
echo "built $out/libi2vtorch.so against $LIBTORCH"
