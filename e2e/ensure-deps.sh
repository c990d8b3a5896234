# shellcheck shell=bash
# Sourced by e2e/run.sh and scripts/check-stack, from the e2e/ folder: Chromium (Debian's,
# unless CHROMIUM_PATH names another) and the pinned node modules.
if [ -n "${CHROMIUM_PATH:-}" ]; then
  [ -x "$CHROMIUM_PATH" ] || { echo "e2e: CHROMIUM_PATH=$CHROMIUM_PATH is not an executable" >&2; exit 1; }
elif [ ! -x /usr/bin/chromium ]; then
  echo "e2e: installing Debian's chromium" >&2
  as_root=()
  if [ "$(id -u)" != 0 ]; then
    command -v sudo >/dev/null || { echo "e2e: install chromium (apt-get install chromium), set CHROMIUM_PATH, or run as root" >&2; exit 1; }
    as_root=(sudo)
  fi
  "${as_root[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${as_root[@]}" apt-get install -y --no-install-recommends chromium
fi

# Install again whenever the lock file is newer than what npm last installed from it.
if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
