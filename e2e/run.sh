#!/usr/bin/env bash
# Browser tests against the running local stack (it must already be up).
#   BASE_URL=http://127.0.0.1:3000 bash e2e/run.sh [test files...]
set -euo pipefail
cd "$(dirname "$0")"

export BASE_URL="${BASE_URL:-http://127.0.0.1:3000}"

if [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing Debian's chromium" >&2
  as_root=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "e2e: install chromium (apt-get install chromium) or run as root" >&2; exit 1; }
    as_root=(sudo)
  fi
  "${as_root[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y --no-install-recommends chromium
fi

# Install again whenever the lock file is newer than what npm last installed from it.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=(tests/*.test.js)
fi

echo "e2e: running ${#files[@]} test file(s) against $BASE_URL" >&2
exec node --test "${files[@]}"
