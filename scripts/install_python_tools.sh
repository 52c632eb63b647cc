#!/usr/bin/env bash
# Installs the Python tools gencli's interchange is tested against (safetensors, transformers,
# tokenizers, tensorboard, numpy) beside torch in the project-local virtual environment
# .venv-torch2/ (scripts/install_torch2.sh makes it), never system-wide, and prints its python.
# The core build needs none of them; the tests that do skip themselves when they are absent.
# Versions are pinned so a test's reference stays the same from one run to the next.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install_torch2.sh >/dev/null
python=.venv-torch2/bin/python
pins=(safetensors==0.8.0 transformers==5.24.0 tokenizers==0.23.3 tensorboard==2.21.0 numpy==2.4.6)
if ! "$python" - "${pins[@]}" <<'PY' 2>/dev/null; then
import importlib.metadata as m, sys
sys.exit(any(m.version(p.split("==")[0]) != p.split("==")[1] for p in sys.argv[1:]))
PY
  echo "install_python_tools: installing ${pins[*]} into .venv-torch2" >&2
  .venv-torch2/bin/pip install --quiet --disable-pip-version-check "${pins[@]}" >&2
fi
echo "$PWD/$python"
