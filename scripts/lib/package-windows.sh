#!/usr/bin/env bash
# `scripts/package --windows [--sign PFX]`: both programs cross-built for x86_64-pc-windows-gnu
# (release), then, in target/x86_64-pc-windows-gnu/release/bundle/ (or SCIM_TOKEN_BUNDLE_DIR):
#  - the installer, made by Debian's makensis from packaging/windows/installer.nsi (Tauri's own
#    NSIS bundler downloads its plugins at build time, which this machine cannot);
#  - a portable .zip of the two programs, WebView2Loader.dll and a README;
#  - a CycloneDX SBOM (JSON) of each program, by cargo-cyclonedx;
#  - SHA256SUMS of all of them.
# --sign PFX Authenticode-signs both programs (before they are packed), the installer and its
# uninstaller with osslsigncode (scripts/lib/authenticode; the password is read from the file
# SCIM_TOKEN_SIGN_PASSWORD_FILE names), then verifies each signature. Without it the programs
# are unsigned, and Windows SmartScreen warns whoever runs them.
# Under Wine (when present) the packaged CLI is run once as a check. The front end is built first
# by scripts/package.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=windows.sh
. scripts/lib/windows.sh

sign=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --sign)
      [ -n "${2:-}" ] || { echo "--sign needs the certificate file (PKCS#12)" >&2; exit 2; }
      export SCIM_TOKEN_SIGN_PFX
      SCIM_TOKEN_SIGN_PFX=$(realpath -e "$2") || { echo "--sign: no certificate file $2" >&2; exit 2; }
      sign="$PWD/scripts/lib/authenticode"
      shift 2
      ;;
    *) echo "unknown argument: $1 (scripts/package --windows [--sign PFX])" >&2; exit 2 ;;
  esac
done
if [ -z "$sign" ] && [ -n "${SCIM_TOKEN_SIGN_PFX:-}" ]; then
  sign="$PWD/scripts/lib/authenticode"
fi
if [ -n "$sign" ]; then
  [ -n "${SCIM_TOKEN_SIGN_PASSWORD_FILE:-}" ] || { echo "signing needs SCIM_TOKEN_SIGN_PASSWORD_FILE: the file holding the certificate's password" >&2; exit 2; }
  command -v osslsigncode >/dev/null || apt_install osslsigncode || { echo "osslsigncode (Debian package osslsigncode) cannot be installed" >&2; exit 1; }
fi

ensure_windows_toolchain || { echo "cannot build for Windows: $WINDOWS_SKIP" >&2; exit 1; }
command -v makensis >/dev/null || apt_install nsis || { echo "makensis (Debian package nsis) cannot be installed" >&2; exit 1; }

# Both programs in one build, so their shared dependencies are compiled once (with fat LTO and one
# codegen unit that is minutes on 2 cores). As `cargo tauri build` does: the front end served from
# the binary through Tauri's own protocol.
cargo build --release --locked --target "$WINDOWS_TARGET" -p scim-token-cli \
  -p scim-token-desktop --features tauri/custom-protocol
mkdir -p "${CARGO_TARGET_DIR:-target}"
target=$(cd "${CARGO_TARGET_DIR:-target}" && pwd)
bin="$target/$WINDOWS_TARGET/release"
# shellcheck source=xtask.sh
. scripts/lib/xtask.sh
version=$(xtask version)
out=${SCIM_TOKEN_BUNDLE_DIR:-$bin/bundle}
rm -rf "$out"
mkdir -p "$out"
installer="$out/scim-token_${version}_x64-setup.exe"
portable="$out/scim-token_${version}_x64-portable.zip"

# What is packed is a signed copy; cargo's own outputs stay as cargo left them.
programs="$out/programs"
mkdir -p "$programs"
cp "$bin/scim-token-desktop.exe" "$bin/scim-token.exe" "$bin/WebView2Loader.dll" "$programs/"
[ -z "$sign" ] || "$sign" sign "$programs/scim-token-desktop.exe" "$programs/scim-token.exe"

build_windows_installer "$version" "$installer" "$programs" "$sign"

python3 - "$portable" "$programs" "$PWD/packaging/windows/README.txt" <<'PY'
import sys, zipfile
portable, bin_dir, readme = sys.argv[1:]
with zipfile.ZipFile(portable, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
    # WebView2Loader.dll: the GNU build of the app loads WebView2 through it (see the .nsi).
    for name in ("scim-token-desktop.exe", "scim-token.exe", "WebView2Loader.dll"):
        z.write(f"{bin_dir}/{name}", f"scim-token/{name}")
    z.write(readme, "scim-token/README.txt")
PY
rm -rf "$programs"

# The zip must hold both programs and every DLL the app imports that Windows does not have.
imports=$(x86_64-w64-mingw32-objdump -p "$bin/scim-token-desktop.exe")
grep -q "DLL Name: WebView2Loader.dll" <<<"$imports" \
  || echo "note: the app no longer imports WebView2Loader.dll; it can be dropped from the package" >&2
python3 -c 'import sys, zipfile; names = set(zipfile.ZipFile(sys.argv[1]).namelist()); want = {"scim-token/scim-token.exe", "scim-token/scim-token-desktop.exe", "scim-token/WebView2Loader.dll"}; sys.exit(0 if want <= names else f"missing from the zip: {want - names}")' "$portable"

check=$(mktemp -d)
trap 'rm -rf "$check"' EXIT
python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$portable" "$check"
# (makensis verified the uninstaller inside the installer as it signed it.)
if [ -n "$sign" ]; then
  "$sign" verify "$installer" "$check/scim-token/scim-token.exe" "$check/scim-token/scim-token-desktop.exe"
fi
if ensure_wine; then
  build_wine_shim "$check/scim-token"
  WINEPREFIX="$check/prefix" WINEDEBUG=-all "$WINE" "$check/scim-token/scim-token.exe" --version 2>/dev/null
  WINEPREFIX="$check/prefix" "$(dirname "$WINE")/wineserver" -w
fi

xtask release-files "$WINDOWS_TARGET" "$out"
ls -l "$out"
