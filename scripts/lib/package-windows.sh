#!/usr/bin/env bash
# `scripts/package --windows`: both programs cross-built for x86_64-pc-windows-gnu (release), then
#  - an installer made by Debian's makensis from packaging/windows/installer.nsi (Tauri's own NSIS
#    bundler downloads its plugins at build time, which this machine cannot), and
#  - a portable .zip of the two programs, WebView2Loader.dll and a README.
# Under Wine (when present) the packaged CLI is run once as a check. The front end is built first
# by scripts/package.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=windows.sh
. scripts/lib/windows.sh
ensure_windows_toolchain || { echo "cannot build for Windows: $WINDOWS_SKIP" >&2; exit 1; }
command -v makensis >/dev/null || _apt_install nsis || { echo "makensis (Debian package nsis) cannot be installed" >&2; exit 1; }

cargo build --release --locked --target "$WINDOWS_TARGET" -p scim-token-cli
# As `cargo tauri build` does: the front end served from the binary through Tauri's own protocol.
cargo build --release --locked --target "$WINDOWS_TARGET" -p scim-token-desktop --features tauri/custom-protocol
mkdir -p "${CARGO_TARGET_DIR:-target}"
target=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)
bin="$target/$WINDOWS_TARGET/release"
version=$(sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1)
out="$bin/bundle"
mkdir -p "$out"
installer="$out/scim-token_${version}_x64-setup.exe"
portable="$out/scim-token_${version}_x64-portable.zip"

makensis -V2 -DVERSION="$version" -DBIN_DIR="$bin" -DOUT_FILE="$installer" \
  -DICON="$PWD/src-tauri/icons/icon.ico" -DREADME="$PWD/packaging/windows/README.txt" \
  packaging/windows/installer.nsi

python3 - "$portable" "$bin" "$PWD/packaging/windows/README.txt" <<'PY'
import sys, zipfile
portable, bin_dir, readme = sys.argv[1:]
with zipfile.ZipFile(portable, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    # WebView2Loader.dll: the GNU build of the app loads WebView2 through it (see the .nsi).
    for name in ("scim-token-desktop.exe", "scim-token.exe", "WebView2Loader.dll"):
        z.write(f"{bin_dir}/{name}", f"scim-token/{name}")
    z.write(readme, "scim-token/README.txt")
PY

# The zip must hold both programs and every DLL the app imports that Windows does not have.
imports=$(x86_64-w64-mingw32-objdump -p "$bin/scim-token-desktop.exe")
grep -q "DLL Name: WebView2Loader.dll" <<<"$imports" \
  || echo "note: the app no longer imports WebView2Loader.dll; it can be dropped from the package" >&2
python3 -c 'import sys, zipfile; names = set(zipfile.ZipFile(sys.argv[1]).namelist()); want = {"scim-token/scim-token.exe", "scim-token/scim-token-desktop.exe", "scim-token/WebView2Loader.dll"}; sys.exit(0 if want <= names else f"missing from the zip: {want - names}")' "$portable"
if ensure_wine; then
  check=$(mktemp -d)
  trap 'rm -rf "$check"' EXIT
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$portable" "$check"
  build_wine_shim "$check/scim-token"
  WINEPREFIX="$check/prefix" WINEDEBUG=-all "$WINE" "$check/scim-token/scim-token.exe" --version 2>/dev/null
  WINEPREFIX="$check/prefix" "$(dirname "$WINE")/wineserver" -w
fi
ls -l "$installer" "$portable"
