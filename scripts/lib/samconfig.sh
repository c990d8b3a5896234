# shellcheck shell=bash
# samconfig_value KEY: KEY as `sam deploy` reads it from samconfig.toml — the
# [default.deploy.parameters] table first (where `sam deploy --guided` saves its answers,
# stack_name included), then [default.global.parameters] — or nothing. SAMCONFIG_FILE
# points at another file (the checks use it); the default is the repository's.
samconfig_value() {
  local key=$1 file=${SAMCONFIG_FILE:-$root/samconfig.toml} table value
  [[ -f "$file" ]] || return 0
  for table in default.deploy.parameters default.global.parameters; do
    value=$(awk -v key="$key" -v want="[$table]" '
      /^[[:space:]]*\[/ { line = $0; gsub(/[[:space:]]/, "", line); sub(/#.*/, "", line); in_table = (line == want); next }
      in_table && $0 ~ "^[[:space:]]*" key "[[:space:]]*=" {
        if (match($0, /"[^"]*"/) || match($0, /\047[^\047]*\047/)) { print substr($0, RSTART + 1, RLENGTH - 2); exit }
      }' "$file")
    if [[ -n "$value" ]]; then
      printf '%s\n' "$value"
      return 0
    fi
  done
}
