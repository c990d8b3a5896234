# Sourced by scripts/dev and scripts/build-lambdas: the one pin of cargo-lambda and zig,
# installed from PyPI into a git-ignored venv (seconds; `cargo install` takes 20+ minutes).
# zig is pinned because zig 0.16 broke aws-lc-sys/ring cross builds (docs/design.md §7).
CARGO_LAMBDA_VERSION=1.9.2
ZIGLANG_VERSION=0.17.1
TOOLS_DIR=${TOOLS_DIR:-$ROOT/.venv/tools}

# The Lambda functions: one crate per folder under functions/.
lambda_functions() {
  local dir
  for dir in "$ROOT"/functions/*/; do
    [ -f "$dir/Cargo.toml" ] && basename "$dir"
  done
}

# Puts the pinned cargo-lambda on PATH, installing it first when missing or another version.
ensure_cargo_lambda() {
  if ! "$TOOLS_DIR/bin/cargo-lambda" lambda --version 2>/dev/null | grep -q "$CARGO_LAMBDA_VERSION"; then
    printf 'installing cargo-lambda %s and ziglang %s into %s\n' \
      "$CARGO_LAMBDA_VERSION" "$ZIGLANG_VERSION" "${TOOLS_DIR#"$ROOT"/}" >&2
    command -v python3 >/dev/null || { echo "python3 is needed to install cargo-lambda from PyPI" >&2; return 1; }
    python3 -m venv "$TOOLS_DIR" || { echo "could not create a Python venv at $TOOLS_DIR" >&2; return 1; }
    "$TOOLS_DIR/bin/pip" install --quiet --disable-pip-version-check \
      "cargo-lambda==$CARGO_LAMBDA_VERSION" "ziglang==$ZIGLANG_VERSION" || {
      echo "could not install cargo-lambda from PyPI (offline? behind a proxy?). Install it yourself: pip install cargo-lambda==$CARGO_LAMBDA_VERSION ziglang==$ZIGLANG_VERSION" >&2
      return 1
    }
  fi
  export PATH="$TOOLS_DIR/bin:$PATH"
}
