# shellcheck shell=bash
# The macOS type-check: Rust's aarch64-apple-darwin target and Zig (from PyPI, the `ziglang`
# package) as that target's C compiler and archiver, for the -sys crates' build scripts. Apple's
# SDK is not in any registry, so nothing is linked: clippy checks every crate, and DOCS_RS=1 makes
# mac-notification-sys skip its Objective-C build. ensure_macos_toolchain returns non-zero, with
# $MACOS_SKIP set to the reason, when something cannot be installed here.

MACOS_TARGET=aarch64-apple-darwin

ensure_macos_toolchain() {
  if ! rustup target list --installed 2>/dev/null | grep -qx "$MACOS_TARGET"; then
    rustup target add "$MACOS_TARGET" >/dev/null 2>&1 || { MACOS_SKIP="rustup cannot install the $MACOS_TARGET target"; return 1; }
  fi
  if ! python3 -m ziglang version >/dev/null 2>&1; then
    python3 -m pip install --quiet --disable-pip-version-check ziglang >/dev/null 2>&1 \
      || { MACOS_SKIP="Zig (PyPI ziglang) cannot be installed"; return 1; }
  fi
}

# Runs "$@" (a cargo command) with Zig as the macOS target's C compiler and archiver.
with_macos_c_toolchain() {
  DOCS_RS=1 \
    CC_aarch64_apple_darwin="$PWD/scripts/zig/cc" \
    AR_aarch64_apple_darwin="$PWD/scripts/zig/ar" \
    "$@"
}
