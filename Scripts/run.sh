#!/usr/bin/env bash
# The main job: installs what is missing, builds i2v (release), and generates a video.
#   bash Scripts/run.sh                      -> out/smoke.mp4 from the bundled smoke-test model (noise, by design)
#   bash Scripts/run.sh --image cat.png --prompt "a cat turning its head" --model ~/i2vgen-xl -o cat.mp4
# Any arguments are passed to `i2v generate`.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/install-deps.sh
swift build -c release
bin="$(swift build -c release --show-bin-path)/i2v"
if [ $# -eq 0 ]; then
  mkdir -p out
  set -- --image Tests/Fixtures/images/square_48x48.png --prompt "a squirrel eating a burger" \
    --preset smoke --seed 42 -o out/smoke.mp4 --overwrite --progress
fi
exec "$bin" generate "$@"
