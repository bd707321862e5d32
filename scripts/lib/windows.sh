# shellcheck shell=bash
# The Windows cross-build: Rust's x86_64-pc-windows-gnu target, Debian's mingw-w64 (linker and C
# compiler for -sys crates), Wine to run the result, and the test-only shim Wine 8 needs.
# ensure_windows_toolchain and ensure_wine return non-zero, with $WINDOWS_SKIP set to the reason,
# when something cannot be installed here.

WINDOWS_TARGET=x86_64-pc-windows-gnu
WINE=/usr/lib/wine/wine64

# shellcheck source=system-packages.sh
. "$(dirname "${BASH_SOURCE[0]}")/system-packages.sh"

ensure_windows_toolchain() {
  if ! rustup target list --installed 2>/dev/null | grep -qx "$WINDOWS_TARGET"; then
    rustup target add "$WINDOWS_TARGET" >/dev/null 2>&1 || { WINDOWS_SKIP="rustup cannot install the $WINDOWS_TARGET target"; return 1; }
  fi
  if ! command -v x86_64-w64-mingw32-gcc >/dev/null; then
    apt_install gcc-mingw-w64-x86-64 || { WINDOWS_SKIP="gcc-mingw-w64-x86-64 cannot be installed"; return 1; }
  fi
}

ensure_wine() {
  [ -x "$WINE" ] || apt_install wine64 || { WINDOWS_SKIP="wine64 cannot be installed"; return 1; }
  [ -x "$WINE" ] || { WINDOWS_SKIP="no Wine loader at $WINE"; return 1; }
}

# The installer's NSIS stub is a 32-bit program: Wine runs it only with Debian's wine32, an i386
# package (the machine's i386 architecture is added for it).
ensure_wine32() {
  [ -x /usr/lib/wine/wine ] && return 0
  dpkg_add_architecture i386 || { WINDOWS_SKIP="the i386 architecture cannot be added (for wine32)"; return 1; }
  apt_install wine32:i386 || { WINDOWS_SKIP="wine32 (i386) cannot be installed"; return 1; }
  [ -x /usr/lib/wine/wine ] || { WINDOWS_SKIP="wine32 left no loader at /usr/lib/wine/wine"; return 1; }
}

# The installer (packaging/windows/installer.nsi) of version $1 at $2, of the programs in $3. When
# $4 names a signing command (scripts/lib/authenticode), makensis has it sign the installer and
# the uninstaller it carries.
build_windows_installer() {
  local version=$1 out=$2 bin=$3 sign=${4:-}
  local defines=(-DVERSION="$version" -DBIN_DIR="$bin" -DOUT_FILE="$out"
    -DICON="$PWD/src-tauri/icons/icon.ico" -DREADME="$PWD/packaging/windows/README.txt")
  [ -z "$sign" ] || defines+=(-DSIGN="$sign")
  makensis -V2 "${defines[@]}" packaging/windows/installer.nsi
}

# Builds the ProcessPrng shim (tests/wine/bcryptprimitives.c) into directory $1, beside the .exe
# files that need it under Wine 8. Never shipped.
build_wine_shim() {
  x86_64-w64-mingw32-gcc -shared -O2 -Wl,--kill-at -o "$1/bcryptprimitives.dll" tests/wine/bcryptprimitives.c -ladvapi32
}

# The same shim for a whole Wine prefix ($WINEPREFIX, after wineboot), so that programs run where
# an installer put them, with nothing added beside them; WINEDLLOVERRIDES must then hold
# WINE_SHIM_OVERRIDE.
WINE_SHIM_OVERRIDE="bcryptprimitives=n,b"
install_wine_shim_in_prefix() {
  build_wine_shim "$WINEPREFIX/drive_c/windows/system32"
}
