#!/usr/bin/env bash
# Side-by-side speed of cloudtwin, SimPy and Ciw on the two benchmark models
# of ../shared/bench (M/M/c, and the three tiers of stations), run in one
# batch on this machine. Not part of CI: it installs the peers from PyPI into
# a virtual environment under target/, and the peers take a few minutes
# (Ciw also needs one to two GB of memory).
#
# Usage: benches/peers.sh            (from anywhere in the repository)
# Needs: python3 with venv, and ../shared/bench beside the repository (or
#        CLOUDTWIN_SHARED_BENCH pointing at a copy).
set -euo pipefail
cd "$(dirname "$0")/.."

bench="${CLOUDTWIN_SHARED_BENCH:-../shared/bench}"
if [ ! -f "$bench/simpy_mmc.py" ]; then
    echo "the peer models are not at $bench: set CLOUDTWIN_SHARED_BENCH" >&2
    exit 2
fi
venv=target/peers
if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet simpy==4.1.2 ciw==3.2.7
fi
CLOUDTWIN_LIMIT_DIR="$bench/limit" \
    cargo bench --locked --bench engine -- --quick --peers "$PWD/$venv/bin/python"
