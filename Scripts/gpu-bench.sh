#!/usr/bin/env bash
# One command on a GPU machine (PyTorch + CUDA, no Swift, no internet) that measures i2v against diffusers:
#   1. installs carried Python wheels (diffusers 0.33.1, transformers 4.57, ftfy, ...) when I2V_BENCH_WHEELS names
#      a folder of them; builds the shim against the machine's torch (g++), while a random-weight I2VGen-XL in the
#      real layout (.fp16 files, real configs) is made on the GPU;
#   2. fixture parity on the GPU: all 12 cases in float32, float16/bfloat16 on a_default (Scripts/gpu-check.sh);
#   3. per size: diffusers' I2VGen-XLPipeline, then `i2v generate`, same weights, image, prompt and seed, each in
#      its own process under a memory watcher (NVML); PSNR of the frames; the UNet's FLOPs and kernel families;
#   4. `i2v bench` UNet variants (attention kernels, no slicing) next to diffusers' UNet on the same inputs;
#   5. OUT/table.md + OUT/results.json + OUT/logs.tar.gz, rewritten after every job (a run cut short still leaves
#      its table). Nothing else is written to OUT (the device tool returns at most 8 files).
#
#   here:   bash Scripts/build-device-binary.sh .build-device/bundle
#   there:  I2V_BENCH_WHEELS=.whl bash Scripts/gpu-bench.sh .build-device/bundle "$OUT"
#   rehearsal on a CPU: I2V_BENCH_DEVICE=cpu I2V_BENCH_SCALE=small I2V_BENCH_SIZES=64x64x4 I2V_BENCH_STEPS=3 \
#                       PYTHON=.venv-ref/bin/python bash Scripts/gpu-bench.sh .build-device/bundle /tmp/bench-out
# Environment (defaults): I2V_BENCH_DEVICE (cuda), I2V_BENCH_SCALE (full | small), I2V_BENCH_SIZES
# ("512x512x16 1280x704x16"), I2V_BENCH_STEPS (50), I2V_BENCH_DTYPE (float16; float32 on cpu), I2V_BENCH_WORK
# (/tmp/i2v-bench), I2V_BENCH_PARITY (1), I2V_BENCH_VARIANTS (`i2v bench` flag sets at every size, ";"-separated:
# "--blocks --overhead;--cuda-graphs;--shallow"), I2V_BENCH_LAST_VARIANTS (at the largest size only: "--channels-last;
# --attention cudnn;--attention efficient;--block-memory 0"), PYTHON (python3).
set -uo pipefail
bundle="$(cd "${1:?usage: gpu-bench.sh BUNDLE OUT}" && pwd)" || exit 1
mkdir -p "${2:?usage: gpu-bench.sh BUNDLE OUT}" && out="$(cd "$2" && pwd)" || exit 1
cd "$(dirname "$0")/.."
python="${PYTHON:-python3}"
device="${I2V_BENCH_DEVICE:-cuda}"
work="${I2V_BENCH_WORK:-/tmp/i2v-bench}"
logs="$work/logs"
mkdir -p "$work" "$logs"
started=$(date +%s)
trap 'tar czf "$out/logs.tar.gz" -C "$logs" . 2>/dev/null' EXIT
# No network there: never let a library wait on a hub.
export HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 HF_HUB_DISABLE_TELEMETRY=1 DISABLE_TELEMETRY=1 PYTHONUNBUFFERED=1
stamp() { echo "[$(( $(date +%s) - started )) s] $*"; }

if [ -n "${I2V_BENCH_WHEELS:-}" ]; then
  "$python" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/i2v-site \
    "$I2V_BENCH_WHEELS"/*.whl || exit 1
  export PYTHONPATH="/tmp/i2v-site${PYTHONPATH:+:$PYTHONPATH}"
fi
"$python" -c 'import torch, diffusers, transformers; print("torch", torch.__version__, "diffusers", diffusers.__version__,
  "transformers", transformers.__version__, "cuda", torch.cuda.is_available())' || exit 1
"$python" -c 'import ftfy' 2>/dev/null && echo "ftfy present (the text cleanup the model was trained with)"

scale="${I2V_BENCH_SCALE:-full}"
if [ ! -f "$work/model/model_index.json" ]; then
  stamp "making the $scale random-weight model on $device"
  "$python" Scripts/gpu_bench.py make-model "$work/model" --scale "$scale" --device "$device" >"$logs/make-model.log" 2>&1 &
  maker=$!
fi

LIBTORCH="$("$python" -c 'import torch, os; print(os.path.dirname(torch.__file__))')" || exit 1
export LIBTORCH
stamp "building the shim against $LIBTORCH"
bash Scripts/build-shim.sh "$work/shim" >"$logs/shim.log" 2>&1 || { cat "$logs/shim.log"; exit 1; }
export I2V_TORCH_SHIM="$work/shim/libi2vtorch.so"
export LD_LIBRARY_PATH="$bundle/lib:${LD_LIBRARY_PATH:-}"
for d in "$(dirname "$LIBTORCH")"/nvidia/*/lib "$(dirname "$LIBTORCH")"/nvidia/cu*/lib; do
  [ -d "$d" ] && LD_LIBRARY_PATH="$d:$LD_LIBRARY_PATH"
done
"$bundle/i2v" info | tee "$logs/info.txt" || exit 1

parity_file=""
if [ "${I2V_BENCH_PARITY:-1}" = 1 ]; then
  stamp "fixture parity on $device"
  I2V_CHECK_DEVICE="$device" I2V_CHECK_REDUCED_CASES="${I2V_CHECK_REDUCED_CASES:-a_default}" \
    bash Scripts/gpu-check.sh "$bundle" "$work/parity" >"$logs/parity.log" 2>&1
  tail -n 1 "$logs/parity.log"
  [ -f "$work/parity/parity-summary.txt" ] && parity_file="$work/parity/parity-summary.txt"
fi

if [ -n "${maker:-}" ]; then
  wait "$maker" || { cat "$logs/make-model.log"; exit 1; }
  stamp "model: $(tail -n 1 "$logs/make-model.log")"
fi

dtype="${I2V_BENCH_DTYPE:-$([ "$device" = cpu ] && echo float32 || echo float16)}"
stamp "bench"
"$python" Scripts/gpu_bench.py run --i2v "$bundle/i2v" --out "$out" --work "$work" --logs "$logs" --scale "$scale" \
  --device "$device" --dtype "$dtype" --sizes "${I2V_BENCH_SIZES:-512x512x16 1280x704x16}" \
  --steps "${I2V_BENCH_STEPS:-50}" ${parity_file:+--parity "$parity_file"} \
  --variants "${I2V_BENCH_VARIANTS---blocks --overhead;--cuda-graphs;--shallow}" \
  --last-variants "${I2V_BENCH_LAST_VARIANTS---channels-last;--attention cudnn;--attention efficient;--block-memory 0}"
status=$?
stamp "done (exit $status)"
exit $status
