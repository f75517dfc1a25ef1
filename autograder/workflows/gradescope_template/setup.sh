#!/usr/bin/env bash
# Gradescope runs this once, as root, on its Ubuntu image (in /autograder/source): bubblewrap, the
# worker's sandbox, with apt; the kit's pinned Python stack in a virtual environment.
#   COURSEKIT_VENV      where the environment goes (default /opt/coursekit-venv; run_autograder reads it too)
#   COURSEKIT_SKIP_APT  set: install nothing with apt (not root, or bubblewrap and Python >= 3.11 are there)
set -euo pipefail
cd "$(dirname "$0")"
VENV="${COURSEKIT_VENV:-/opt/coursekit-venv}"

if [ -z "${COURSEKIT_SKIP_APT:-}" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq bubblewrap python3-venv
    # The pins need Python >= 3.11; Ubuntu 22.04's python3 is 3.10, its universe has 3.11.
    python3 -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
        || apt-get install -y -qq python3.11 python3.11-venv
fi

PYTHON=""
for candidate in python3.11 python3.12 python3.13 python3; do
    if command -v "$candidate" >/dev/null \
        && "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
        PYTHON="$candidate"
        break
    fi
done
if [ -z "$PYTHON" ]; then
    echo "setup.sh: no Python >= 3.11 found" >&2
    exit 1
fi

"$PYTHON" -m venv "$VENV"
constraints=()
if [ -f constraints.txt ]; then
    constraints=(-c constraints.txt)
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.txt "${constraints[@]}"
# Warm matplotlib's font cache once, where the grader's workers look for it.
MPLCONFIGDIR="$VENV/matplotlib-cache" "$VENV/bin/python" -c 'import matplotlib.pyplot'
command -v bwrap >/dev/null || echo "setup.sh: no bubblewrap: student code will run with rlimits only"
echo "setup.sh: $("$VENV/bin/python" --version) in $VENV"
