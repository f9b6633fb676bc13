#!/usr/bin/env bash
# Memory checks of a whole run (issue: reliability campaign):
#   1. valgrind memcheck on `i2v generate` and on a 3-item `i2v batch` (the small bundled model, smoke preset):
#      no invalid read or write, no use of uninitialised values, in i2v's code or in what it hands to libraries
#      (third-party reports that were checked by hand are in Scripts/valgrind.supp);
#   2. valgrind memcheck on decoding every image of the decoder corpus (Tests/Fixtures/corpus, all formats);
#   3. resident memory over a 100-item batch: after item 100 within 50 MB of after item 10 (Scripts/batch-rss.py).
# Usage: bash Scripts/memcheck.sh [ITEMS]   (~10 minutes on 2 cores; needs valgrind: apt-get install valgrind)
set -euo pipefail
cd "$(dirname "$0")/.."
items="${1:-100}"
command -v valgrind >/dev/null || { echo "memcheck needs valgrind (apt-get install valgrind)" >&2; exit 2; }
bash Scripts/install-deps.sh
swift build >&2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# valgrind 3.19 cannot read the DWARF 5 that Swift 6 writes: run copies without debug info (symbols remain).
mkdir -p "$work/bin"
swift build --product i2v-fuzz >&2
cp .build/debug/i2v .build/debug/libi2vtorch.so .build/debug/i2v-fuzz "$work/bin/"
strip --strip-debug "$work/bin/i2v" "$work/bin/libi2vtorch.so" "$work/bin/i2v-fuzz"
model=Tests/Fixtures/models/tiny-a
common=(--model "$model" --preset Presets/smoke.json --seed 1 --prompt "a cat turning its head")
status=0
check() {  # name, then the command
  local name="$1"; shift
  echo "memcheck: $name" >&2
  if valgrind --error-exitcode=99 --suppressions=Scripts/valgrind.supp --num-callers=40 \
      --log-file="$work/$name.log" "$@" >"$work/$name.out" 2>&1; then
    echo "memcheck $name: $(grep -o 'ERROR SUMMARY: [0-9]* errors' "$work/$name.log")" >&2
  else
    echo "memcheck $name: FAILED (exit $?)" >&2
    grep -A30 -E "Invalid|uninitialised|Overlap|Mismatched" "$work/$name.log" | head -80 >&2 || tail -20 "$work/$name.out" >&2
    status=1
  fi
}
check generate "$work/bin/i2v" generate --image Tests/Fixtures/images/square_48x48.png "${common[@]}" -o "$work/one.mp4"
mkdir -p "$work/three"
for n in a b c; do cp Tests/Fixtures/images/landscape_96x72.png "$work/three/$n.png"; done
check batch "$work/bin/i2v" batch "$work/three" -o "$work/three-out" --format webm "${common[@]}"
mapfile -t images < <(find Tests/Fixtures/corpus -type f ! -name "*.rgb" ! -name "*.json" ! -name "*.txt" | sort)
check decoders "$work/bin/i2v-fuzz" image "${images[@]}"
python3 Scripts/batch-rss.py --items "$items" --i2v .build/debug/i2v --model "$model" || status=1
exit $status
