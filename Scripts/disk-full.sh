#!/usr/bin/env bash
# Outputs on a disk that fills up mid-write (a 400 KB tmpfs; needs root to mount): `generate` fails with a message
# naming the path and the free space, leaves no partial or temporary file and keeps what was there; `batch` stops
# starting items once the disk is full, says why for each, and reports the summary it could not write.
# Prints one line per check and `N passed, M failed`; exit status 1 on any failure.
#   bash Scripts/disk-full.sh [I2V_BINARY]
set -uo pipefail
cd "$(dirname "$0")/.."
bin="${1:-.build/debug/i2v}"
[ "$(id -u)" = 0 ] || { echo "needs root (mounts a small tmpfs)"; exit 1; }
mnt=$(mktemp -d)
mount -t tmpfs -o size=400k tmpfs "$mnt" || { echo "cannot mount a tmpfs here"; exit 1; }
trap 'umount "$mnt"; rmdir "$mnt"' EXIT
export XDG_CACHE_HOME="$(mktemp -d)"
passed=0; failed=0
check() { if eval "$1"; then passed=$((passed + 1)); echo "ok    $2"; else failed=$((failed + 1)); echo "FAIL  $2"; fi; }

echo keep >"$mnt/earlier.txt"
model=Tests/Fixtures/models/tiny-a
args=(--model "$model" --prompt "a test" --preset smoke --width 256 --height 256 --frames 8)
err=$("$bin" generate --image Tests/Fixtures/images/landscape_96x72.png "${args[@]}" -o "$mnt/frames/" 2>&1 >/dev/null)
status=$?
check '[ $status -ne 0 ]' "generate fails (exit $status)"
check '[[ "$err" == *"$mnt/frames"* && "$err" == *"KB free"* ]]' "the message names the path and the free space"
check '[ "$(ls -A "$mnt")" = earlier.txt ] && [ "$(cat "$mnt/earlier.txt")" = keep ]' \
  "no partial or temporary file; the earlier file is untouched ($(ls -A "$mnt" | tr '\n' ' '))"

in=$(mktemp -d)
for i in 0 1 2 3; do cp Tests/Fixtures/images/landscape_96x72.png "$in/img$i.png"; done
err=$("$bin" batch "$in" -o "$mnt/out" --format png "${args[@]}" 2>&1 >/dev/null)
status=$?
check '[ $status -ne 0 ]' "batch fails (exit $status)"
check '[[ "$err" == *"items left are not started"* || "$err" == *"item(s) left are not started"* ]]' \
  "batch stops starting items once the disk is full"
check '[[ "$err" == *"summary"* || -f "$mnt/out/batch-summary.json" ]]' \
  "the summary is written, or the error says it could not be"
check '[ -z "$(ls -A "$mnt/out" 2>/dev/null | grep "^\." )" ]' "no temporary file in the batch folder"
rm -rf "$in" "$XDG_CACHE_HOME"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
