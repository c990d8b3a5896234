#!/usr/bin/env bash
# Browser tests against the running local stack (it must already be up).
#   BASE_URL=http://127.0.0.1:3000 bash e2e/run.sh [test files...]
set -euo pipefail
cd "$(dirname "$0")"

export BASE_URL="${BASE_URL:-http://127.0.0.1:3000}"

# shellcheck source=e2e/ensure-deps.sh
. ./ensure-deps.sh

if [ "$#" -gt 0 ]; then
  files=("$@")
else
  files=(tests/*.test.js)
fi

echo "e2e: running ${#files[@]} test file(s) against $BASE_URL" >&2
exec node --test "${files[@]}"
