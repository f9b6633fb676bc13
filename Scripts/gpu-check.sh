#!/usr/bin/env bash
# Runs on a GPU machine that has PyTorch but no Swift (the `device` tool's machines): builds the shim against
# that PyTorch's libtorch, then runs a statically linked i2v binary built elsewhere on every fixture case on the
# GPU and compares the frames with diffusers' reference dumps.
#   here:   swift build -c release --static-swift-stdlib --scratch-path .build-static
#   there:  bash Scripts/gpu-check.sh .build-static/release/i2v "$OUT"      (carry .build-static/release/i2v)
# Missing shared libraries of the binary (FFmpeg, libpng) are listed; carry them in a folder and put it on
# LD_LIBRARY_PATH (or set I2V_EXTRA_LIBS=that/folder).
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${1:?path to a statically linked i2v binary}"
out="${2:-gpu-check-out}"
mkdir -p "$out"
export LD_LIBRARY_PATH="${I2V_EXTRA_LIBS:-}:${LD_LIBRARY_PATH:-}"
LIBTORCH="$(python3 -c 'import torch, os; print(os.path.dirname(torch.__file__))')" || exit 1
export LIBTORCH
bash Scripts/build-shim.sh "$out/shim" || exit 1
export I2V_TORCH_SHIM="$out/shim/libi2vtorch.so"
# CUDA runtime libraries of the pip wheels live in nvidia/*/lib next to torch.
for d in "$(dirname "$LIBTORCH")"/nvidia/*/lib; do [ -d "$d" ] && LD_LIBRARY_PATH="$d:$LD_LIBRARY_PATH"; done
missing=$(ldd "$bin" | grep "not found")
if [ -n "$missing" ]; then echo "missing libraries for $bin:"; echo "$missing"; exit 1; fi
"$bin" info || exit 1
status=0
for meta in Tests/Fixtures/reference/*/*.json; do
  name="${meta%.json}"; config=$(basename "$(dirname "$name")"); case_name=$(basename "$name")
  args=$(python3 - "$meta" <<'PY'
import json, shlex, sys
m = json.load(open(sys.argv[1]))
a = ["--prompt", m["prompt"], "--steps", m["num_inference_steps"], "--guidance", m["guidance_scale"],
     "--frames", m["num_frames"], "--fps", m["target_fps"], "--width", m["width"], "--height", m["height"],
     "--seed", m["seed"], "--image", "Tests/Fixtures/images/" + m["image"]]
if m.get("negative_prompt") is not None: a += ["--negative-prompt", m["negative_prompt"]]
print(" ".join(shlex.quote(str(x)) for x in a))
PY
)
  for dtype in float32 float16; do
    dump="$out/$config-$case_name-$dtype.safetensors"
    eval "\"$bin\" generate --model Tests/Fixtures/models/$config --device cuda --dtype $dtype $args \
      -o \"$out/$config-$case_name-$dtype.mp4\" --save-tensors \"$dump\" --overwrite --quiet" || { status=1; continue; }
    # float16 differs from the float32 reference by rounding, so only float32 is held to the parity limits.
    if [ "$dtype" = float32 ]; then python3 Scripts/compare_frames.py "$dump" "$name.safetensors" || status=1
    else python3 Scripts/compare_frames.py "$dump" "$name.safetensors" --float-limit 0.1 --byte-limit 32 || true; fi
  done
done
exit $status
