#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image. It needs Python 3.11 or newer
# (Ubuntu 22.04 images: the python3.11 package; 24.04 images already have 3.12).
set -euo pipefail
cd /autograder/source
PYTHON=python3
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    apt-get update && apt-get install -y python3.11 python3.11-venv
    PYTHON=python3.11
fi
"$PYTHON" -m venv .venv
.venv/bin/pip install --quiet .
