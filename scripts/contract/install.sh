#!/usr/bin/env bash
# Installs schemathesis (the version pinned in requirements.txt) into its own virtual
# environment under ~/.cache/taavon (or $TAAVON_CACHE), once; prints the path of its
# `schemathesis` command. Exits non-zero if Python or PyPI is not available.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
version=$(sed -n 's/^schemathesis==//p' "$here/requirements.txt")
venv="${TAAVON_CACHE:-$HOME/.cache/taavon}/schemathesis-$version"
if [ ! -x "$venv/bin/schemathesis" ] || [ "$("$venv/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $version" ]; then
  python=$(command -v python3 || true)
  if [ -z "$python" ]; then
    echo "contract test: python3 not found" >&2
    exit 1
  fi
  echo "contract test: installing schemathesis $version into $venv" >&2
  rm -rf "$venv"
  "$python" -m venv "$venv" >&2
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$here/requirements.txt" >&2
fi
echo "$venv/bin/schemathesis"
