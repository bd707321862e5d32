# shellcheck shell=bash
# The project's own tool (xtask/). scripts/test sets SCIM_TOKEN_XTASK to the binary its test build
# made: `cargo xtask` (cargo run -p xtask) would build its dependencies again with other features.
xtask() {
  if [ -n "${SCIM_TOKEN_XTASK:-}" ]; then
    "$SCIM_TOKEN_XTASK" "$@"
  else
    cargo xtask "$@"
  fi
}
