#!/usr/bin/env bash
# Installs what the test suite needs beyond Rust, only where missing: Debian's Chromium and
# ChromeDriver for the browser test, poppler's pdftotext for reading the PDFs back. Idempotent; safe to run on every CI run.
set -euo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v chromedriver >/dev/null 2>&1 || missing+=(chromium-driver)
command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
if [ ${#missing[@]} -eq 0 ]; then
  echo "test deps: chromium, chromedriver and pdftotext present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "test deps: need root (or sudo) to install ${missing[*]}; the browser and PDF tests will skip" >&2
    exit 0
  fi
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "test deps: no apt-get; install ${missing[*]} yourself; the browser and PDF tests will skip" >&2
  exit 0
fi
echo "test deps: installing ${missing[*]} from Debian"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
