#!/usr/bin/env bash
# Creates (idempotently) the Python reference environment used to generate the
# test fixtures under Tests/Fixtures: a venv at <repo>/.venv-ref (gitignored).
#
# Pinned versions (what the fixtures were generated with):
#   torch==2.13.0+cpu   (CPU-only build)
#   diffusers==0.33.1   (the pipeline we reimplement)
#   transformers 4.57.x (transformers<5; the slow CLIPTokenizer diffusers 0.33.1 uses)
#   safetensors, Pillow, numpy (latest compatible at setup time; see `pip freeze` output at the end)
#
#   ftfy==6.3.1         transformers' slow CLIPTokenizer cleans prompts with ftfy.fix_text when ftfy is
#                       importable (as most diffusers environments have it, and as CLIP was trained) and
#                       falls back to BERT's BasicTokenizer when not. The fixtures follow the ftfy path; the
#                       tokenizer fixture also records the fallback's ids (i2v's --text-cleanup basic).
#                       Scripts/make_text_tables.py reads ftfy's tables from this exact version.
#
# Usage: bash Scripts/setup_reference_env.sh
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$REPO/.venv-ref"
PY="${PYTHON:-python3}"

TORCH_SPEC="torch==2.13.0+cpu"
DIFFUSERS_SPEC="diffusers==0.33.1"
TRANSFORMERS_SPEC="transformers>=4.57,<4.58"

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating venv at $VENV"
  "$PY" -m venv "$VENV"
fi
VPY="$VENV/bin/python"

"$VPY" -m pip install --quiet --upgrade pip

# torch first. On the project machines `pip install "torch==2.13.0+cpu"` resolves
# through pip's configured sources; elsewhere, fall back to the PyTorch CPU index.
"$VPY" -m pip install --quiet "$TORCH_SPEC" \
  || "$VPY" -m pip install --quiet "$TORCH_SPEC" \
       --index-url https://download.pytorch.org/whl/cpu --extra-index-url https://pypi.org/simple

"$VPY" -m pip install --quiet \
  "$DIFFUSERS_SPEC" "$TRANSFORMERS_SPEC" "ftfy==6.3.1" safetensors Pillow numpy

"$VPY" - <<'PYEOF'
import torch, diffusers, transformers, safetensors, PIL, numpy, ftfy
print("torch", torch.__version__, "| diffusers", diffusers.__version__, "| ftfy", ftfy.__version__,
      "| transformers", transformers.__version__, "| safetensors", safetensors.__version__,
      "| Pillow", PIL.__version__, "| numpy", numpy.__version__)
PYEOF
