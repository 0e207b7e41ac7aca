#!/usr/bin/env bash
# Browser tests need Debian's Chromium and Playwright for Python. Never `playwright install`:
# we drive /usr/bin/chromium instead of downloading a browser.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x /usr/bin/chromium ]; then
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update
  $SUDO apt-get install -y chromium
fi
PY=".venv/bin/python"
[ -x "$PY" ] || PY="python3"
"$PY" -c "import playwright" 2>/dev/null || "$PY" -m pip install "playwright>=1.40"
echo "chromium: $(/usr/bin/chromium --version 2>/dev/null || echo missing)"
