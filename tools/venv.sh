#!/usr/bin/env bash
# Create the project's virtual environment: tools/venv.sh VENV [PYTHON]
# PYTHON (make PYTHON=...) names the interpreter; otherwise the first of python3.11, python3.12,
# python3.13 on PATH is taken (3.11 first: the stored outputs were made with it). A Debian or
# Ubuntu Python without its venv module (a separate package there) gets python3.X-venv when
# running as root with apt-get; otherwise the message says what to install.
set -euo pipefail
venv="$1"
python="${2:-}"
supported="3.11, 3.12 or 3.13"
if [ -z "$python" ]; then
  for v in 3.11 3.12 3.13; do
    if command -v "python$v" >/dev/null 2>&1; then python="python$v"; break; fi
  done
fi
if [ -z "$python" ]; then
  echo "no Python $supported found on PATH: install one (Debian 12: apt-get install python3.11 python3.11-venv;" \
       "Ubuntu 24.04: apt-get install python3.12 python3.12-venv; Debian 13: apt-get install python3.13 python3.13-venv)" \
       "or name it: make PYTHON=/path/to/python3.12 book" >&2
  exit 1
fi
if ! version="$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)"; then
  echo "$python does not run: name a Python $supported with make PYTHON=..." >&2
  exit 1
fi
case "$version" in
  3.11|3.12|3.13) ;;
  *) echo "$python is Python $version; the book supports Python $supported: name one with make PYTHON=..." >&2; exit 1 ;;
esac
if ! "$python" -c 'import ensurepip, venv' >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "${EUID:-1}" = 0 ]; then
    echo "installing Debian package python$version-venv (the venv module of $python)"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "python$version-venv" >/dev/null
  else
    echo "$python has no venv module: install it (Debian, Ubuntu: sudo apt-get install python$version-venv), then run make again" >&2
    exit 1
  fi
fi
echo "creating $venv with $python (Python $version)"
"$python" -m venv "$venv"
