# shellcheck shell=bash
# The Windows cross-build: Rust's x86_64-pc-windows-gnu target, Debian's mingw-w64 (linker and C
# compiler for -sys crates), Wine to run the result, and the test-only shim Wine 8 needs.
# ensure_windows_toolchain and ensure_wine return non-zero, with $WINDOWS_SKIP set to the reason,
# when something cannot be installed here.

WINDOWS_TARGET=x86_64-pc-windows-gnu
WINE=/usr/lib/wine/wine64

_apt_install() {
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  command -v apt-get >/dev/null || return 1
  "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

ensure_windows_toolchain() {
  if ! rustup target list --installed 2>/dev/null | grep -qx "$WINDOWS_TARGET"; then
    rustup target add "$WINDOWS_TARGET" >/dev/null 2>&1 || { WINDOWS_SKIP="rustup cannot install the $WINDOWS_TARGET target"; return 1; }
  fi
  if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    _apt_install gcc-mingw-w64-x86-64 || { WINDOWS_SKIP="gcc-mingw-w64-x86-64 cannot be installed"; return 1; }
  fi
}

ensure_wine() {
  [ -x "$WINE" ] || _apt_install wine64 || { WINDOWS_SKIP="wine64 cannot be installed"; return 1; }
  [ -x "$WINE" ] || { WINDOWS_SKIP="no Wine loader at $WINE"; return 1; }
}

# Builds the ProcessPrng shim (tests/wine/bcryptprimitives.c) into directory $1, beside the .exe
# files that need it under Wine 8. Never shipped.
build_wine_shim() {
  x86_64-w64-mingw32-gcc -shared -O2 -Wl,--kill-at -o "$1/bcryptprimitives.dll" tests/wine/bcryptprimitives.c -ladvapi32
}
