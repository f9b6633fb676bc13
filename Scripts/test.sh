#!/usr/bin/env bash
# The test command: installs what is missing, then builds and runs the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash Scripts/install-deps.sh
swift test "$@"
