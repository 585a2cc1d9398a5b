#!/bin/sh
# Make sure the Python given can create virtual environments (Debian ships venv apart).
set -e
PYTHON=${1:-python3}
if ! command -v "$PYTHON" >/dev/null 2>&1 || ! "$PYTHON" -c 'import ensurepip, venv' 2>/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get update -qq && apt-get install -y -qq python3 python3-venv python3-pip
    else
        echo "Python 3.11+ with venv is needed: sudo apt-get install python3 python3-venv" >&2
        exit 1
    fi
fi
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Nubes needs Python 3.11 or newer")'
