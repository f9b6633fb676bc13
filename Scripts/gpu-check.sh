#!/usr/bin/env bash
# Runs on a GPU machine that has PyTorch but no Swift or FFmpeg (the `device` tool's machines): builds the shim
# against that PyTorch's libtorch, then runs the i2v device bundle on every fixture case on the GPU, writing PNG
# frame folders and --save-tensors dumps, and compares the frames with diffusers' reference dumps.
#   here:   bash Scripts/build-device-binary.sh .build-device/bundle      (~15 MiB; carry .build-device/bundle)
#   there:  bash Scripts/gpu-check.sh .build-device/bundle "$OUT"
# Environment: PYTHON (default python3: its torch gives LIBTORCH; compare_frames.py needs numpy),
# I2V_CHECK_DEVICE (default cuda; cpu tries the script on a machine without GPU), I2V_CHECK_DTYPES (default
# "float32 float16 bfloat16" on cuda, "float32" on cpu), I2V_CHECK_REDUCED_CASES (cases run in float16/bfloat16,
# default all; e.g. "a_default"), I2V_TORCH_SHIM (an already built shim: skips the build).
# I2V_CHECK_GRAPHS (1: also run a_default with --cuda-graphs in float32). Writes OUT/parity-summary.txt (one line). Exit status 1 when a float32 case misses the parity limits.
set -uo pipefail
bundle="$(cd "${1:?folder made by Scripts/build-device-binary.sh}" && pwd)" || exit 1
mkdir -p "${2:-gpu-check-out}" && out="$(cd "${2:-gpu-check-out}" && pwd)" || exit 1
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
device="${I2V_CHECK_DEVICE:-cuda}"
if [ "$device" = cpu ]; then dtypes="${I2V_CHECK_DTYPES:-float32}"; else dtypes="${I2V_CHECK_DTYPES:-float32 float16 bfloat16}"; fi
reduced_cases="${I2V_CHECK_REDUCED_CASES:-}"
[ -x "$bundle/i2v" ] || { echo "error: $bundle/i2v missing: build the bundle with Scripts/build-device-binary.sh" >&2; exit 1; }
LIBTORCH="$("$python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')" || exit 1
export LIBTORCH
if [ -z "${I2V_TORCH_SHIM:-}" ] || [ ! -f "$I2V_TORCH_SHIM" ]; then
  bash Scripts/build-shim.sh "$out/shim" || exit 1
  export I2V_TORCH_SHIM="$out/shim/libi2vtorch.so"
fi
# The bundle's libraries (libpng, libz); the launcher adds them too. CUDA runtime libraries of the pip wheels
# live in nvidia/*/lib next to torch.
export LD_LIBRARY_PATH="$bundle/lib:${LD_LIBRARY_PATH:-}"
for d in "$(dirname "$LIBTORCH")"/nvidia/*/lib; do [ -d "$d" ] && LD_LIBRARY_PATH="$d:$LD_LIBRARY_PATH"; done
bin="$bundle/i2v"
if ! "$bin" --version >/dev/null; then  # also unpacks bin/i2v from i2v.xz
  echo "error: $bin does not start; this machine: $(ldd --version | head -1)" >&2
  [ -x "$bundle/bin/i2v" ] && ldd "$bundle/bin/i2v" | grep "not found" >&2
  exit 1
fi
"$bin" info || exit 1
status=0
passed=0; failed=0; reduced_ok=0; reduced_total=0; worst_reduced=""
for meta in Tests/Fixtures/reference/*/*.json; do
  name="${meta%.json}"; config=$(basename "$(dirname "$name")"); case_name=$(basename "$name")
  args=$("$python" - "$meta" <<'PY'
import json, shlex, sys
m = json.load(open(sys.argv[1]))
a = ["--prompt", m["prompt"], "--steps", m["num_inference_steps"], "--guidance", m["guidance_scale"],
     "--frames", m["num_frames"], "--fps", m["target_fps"], "--width", m["width"], "--height", m["height"],
     "--seed", m["seed"], "--image", "Tests/Fixtures/images/" + m["image"]]
if m.get("negative_prompt") is not None: a += ["--negative-prompt", m["negative_prompt"]]
print(" ".join(shlex.quote(str(x)) for x in a))
PY
)
  variants="$dtypes"
  # The CUDA-graph path (replayed UNet steps) on the default cases, held to the float32 limits too.
  [ "$case_name" = a_default ] && [ "${I2V_CHECK_GRAPHS:-1}" = 1 ] && variants="$variants float32+graphs"
  for variant in $variants; do
    dtype="${variant%+graphs}"; extra=""
    [ "$variant" != "$dtype" ] && extra="--cuda-graphs"
    if [ "$dtype" != float32 ] && [ -n "$reduced_cases" ] && [[ " $reduced_cases " != *" $case_name "* ]]; then continue; fi
    run="$out/$config-$case_name-$dtype${extra:+-graphs}"
    eval "\"$bin\" generate --model Tests/Fixtures/models/$config --device $device --dtype $dtype $extra $args \
      -o \"$run/\" --save-tensors \"$run.safetensors\" --overwrite --quiet" || { status=1; failed=$((failed + 1)); continue; }
    # Reduced precision differs from the float32 reference by rounding, so only float32 is held to the parity
    # limits; float16/bfloat16 are reported against loose ones.
    if [ "$dtype" = float32 ]; then
      if line=$("$python" Scripts/compare_frames.py "$run.safetensors" "$name.safetensors"); then passed=$((passed + 1)); else status=1; failed=$((failed + 1)); fi
      echo "$line"
    else
      reduced_total=$((reduced_total + 1))
      line=$("$python" Scripts/compare_frames.py "$run.safetensors" "$name.safetensors" --float-limit 0.1 --byte-limit 32) && reduced_ok=$((reduced_ok + 1))
      echo "$line"
      worst_reduced="$worst_reduced; $config/$case_name $dtype:${line#*:}"
    fi
  done
done
summary="float32 on $device: $passed of $((passed + failed)) fixture cases within the CPU parity limits (float 1e-3, uint8 1); float16/bfloat16: $reduced_ok of $reduced_total within 0.1 / 32 levels${worst_reduced}"
echo "$summary" | tee "$out/parity-summary.txt"
exit $status
