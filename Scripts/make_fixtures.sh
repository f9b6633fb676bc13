#!/usr/bin/env bash
# Regenerates every Python-made test fixture under Tests/Fixtures (tokenizer ids, Pillow/diffusers resize
# results, tiny random-weight I2VGen-XL models + diffusers reference dumps); see Scripts/README.md.
# Usage: bash Scripts/make_fixtures.sh      (creates/updates the .venv-ref venv first; CPU only, ~1 minute)
set -euo pipefail; cd "$(dirname "$0")/.."; bash Scripts/setup_reference_env.sh && for s in make_tokenizer_fixtures make_resize_fixtures make_fixtures make_prompt_fixtures; do .venv-ref/bin/python "Scripts/$s.py"; done
