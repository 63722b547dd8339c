#!/usr/bin/env bash
# Install and start the dashboard on the bundled sample data (the warehouse is built
# from generated sample files on first start if it does not exist).
# Usage: bash scripts/run.sh     (then open http://127.0.0.1:8050)
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m pip install --quiet --disable-pip-version-check -e .
exec python3 -m dashboard
