#!/usr/bin/env bash
# Fuzzes one parser with libFuzzer, AddressSanitizer (Swift and C) and UndefinedBehaviorSanitizer (C).
#
#   bash Scripts/fuzz.sh TARGET [SECONDS]       (default 600 s; TARGET: see `i2v-fuzz` or below)
#   bash Scripts/fuzz.sh --list
#
# Targets: safetensors, model-config, preset, manifest, tokenizer, prompt, tokenizer-files, image (Sources/I2VFuzz).
# Builds a sanitized release `i2v-fuzz` in .build-fuzz/ (about 2 min the first time), starts from the committed
# seeds (Tests/Fixtures/fuzz/TARGET/) plus the corpus earlier runs grew (.fuzz/corpus/TARGET/, git-ignored), and
# stops at the first crash, hang (> 10 s per input), leak or sanitizer report, leaving the input in
# .fuzz/artifacts/TARGET/. Keep an input that found a bug, after fixing it, as
# Tests/Fixtures/fuzz/TARGET/crash-WHAT so that the test suite replays it (FuzzCorpusTests).
# The last line printed is a summary: executions, coverage (edges), corpus size, exit status.
set -euo pipefail
cd "$(dirname "$0")/.."

targets="safetensors model-config preset manifest tokenizer prompt tokenizer-files image"
if [ "${1:-}" = "--list" ]; then echo "$targets"; exit 0; fi
target="${1:?usage: bash Scripts/fuzz.sh TARGET [SECONDS] (targets: $targets)}"
seconds="${2:-600}"
case " $targets " in *" $target "*) ;; *) echo "unknown target '$target' (targets: $targets)" >&2; exit 64;; esac

bash Scripts/install-deps.sh
swift build -c release --scratch-path .build-fuzz --product i2v-fuzz \
  -Xswiftc -sanitize=fuzzer,address -Xswiftc -DI2V_LIBFUZZER \
  -Xcc -DI2V_LIBFUZZER -Xcc -fsanitize=fuzzer-no-link,address,undefined -Xcc -fno-sanitize-recover=undefined \
  -Xswiftc -Xclang-linker -Xswiftc -fsanitize=undefined >&2

case "$target" in
  image) max_len=65536 ;;
  safetensors|model-config|tokenizer-files) max_len=16384 ;;
  *) max_len=4096 ;;
esac

corpus=".fuzz/corpus/$target"
artifacts=".fuzz/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
log=".fuzz/$target.log"
set +e
started=$SECONDS
SWIFT_BACKTRACE=enable=no \
LSAN_OPTIONS="suppressions=$PWD/Scripts/fuzz-lsan.supp:print_suppressions=0" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
I2V_FUZZ_TARGET="$target" \
  .build-fuzz/release/i2v-fuzz "$corpus" "Tests/Fixtures/fuzz/$target" \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" 2>&1 | tee "$log" | grep -E "^#[0-9]+[[:space:]]+(INITED|DONE|pulse)|ERROR|SUMMARY|Test unit written" >&2
status=${PIPESTATUS[0]}
set -e
execs=$(grep -o "stat::number_of_executed_units: *[0-9]*" "$log" | grep -o "[0-9]*$" | tail -1 || true)
cov=$(grep -oE "^#[0-9]+[[:space:]]+(DONE|pulse|NEW|REDUCE)[[:space:]]+cov: [0-9]+" "$log" | grep -oE "[0-9]+$" | tail -1 || true)
files=$(find "$corpus" -type f | wc -l)
echo "fuzz $target: ${execs:-0} executions in $((SECONDS - started))s, coverage ${cov:-?} edges, corpus $files files, exit $status"
exit "$status"
