#!/usr/bin/env bash
# The .deb installed, run and removed, inside scripts/world (Xvfb, D-Bus, an unlocked keyring):
#   deb-install-check.sh DEB
#  - dpkg installs it into a scratch root with a copy of this machine's package database, so each
#    of its Depends must be met by a package installed here, and nothing outside the scratch root
#    is touched;
#  - its files: both programs, the menu entry (desktop-file-validate), each icon at its size, and
#    what dpkg installed against the package's md5sums;
#  - the CLI it installed runs and reports the package's version;
#  - the app it installed starts, loads its page and runs the sandbox with the CLI installed beside
#    it (not a `scim-token` found elsewhere), the sandbox answers, and it ends when the app is killed;
#  - dpkg removes it and none of its files are left.
set -euo pipefail
deb=$(realpath -e "$1")
fail() { echo "FAILED: .deb: $*" >&2; exit 1; }

# Resolved, as /proc/PID/exe is: the sandbox's program is compared with the installed CLI's path.
work=$(realpath "$(mktemp -d -t scim-token-deb-check.XXXXXX)")
app=""
cleanup() {
  [ -z "$app" ] || kill -KILL "$app" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
root=$work/root
admin=$work/dpkg
mkdir -p "$root" "$admin/info" "$admin/updates" "$admin/triggers"
cp /var/lib/dpkg/status "$admin/status"
[ ! -f /var/lib/dpkg/arch ] || cp /var/lib/dpkg/arch "$admin/arch"
: >"$admin/available"
# dpkg wants ldconfig and start-stop-daemon on PATH, which a user's PATH may lack; its log stays
# in the scratch directory too.
in_scratch() {
  PATH="$PATH:/usr/sbin:/sbin" dpkg --force-not-root --instdir="$root" --admindir="$admin" \
    --log="$work/dpkg-events.log" "$@"
}

package=$(dpkg-deb -f "$deb" Package)
version=$(dpkg-deb -f "$deb" Version)
echo "$(basename "$deb"): $(du -k --apparent-size "$deb" | cut -f1) KiB; Depends: $(dpkg-deb -f "$deb" Depends)"
in_scratch --install "$deb" >"$work/dpkg.log" 2>&1 || fail "dpkg cannot install it here: $(cat "$work/dpkg.log")"

for file in usr/bin/scim-token-desktop usr/bin/scim-token usr/share/applications/scim-token.desktop \
  usr/share/doc/scim-token/copyright; do
  [ -f "$root/$file" ] || fail "it installed no /$file"
done
for size in 32x32 128x128 256x256 512x512; do
  icon=usr/share/icons/hicolor/$size/apps/scim-token-desktop.png
  png_size=$(python3 -c '
import struct, sys
head = open(sys.argv[1], "rb").read(24)
width, height = struct.unpack(">II", head[16:24])
print(f"{width}x{height}" if head[:8] == b"\x89PNG\r\n\x1a\n" else "not a PNG")' "$root/$icon")
  [ "$png_size" = "$size" ] || fail "/$icon is $png_size, not a $size PNG"
done
in_scratch --verify "$package" || fail "what dpkg installed differs from the package's md5sums"
desktop-file-validate "$root/usr/share/applications/scim-token.desktop" || fail "its menu entry is not valid"
grep -qx "Exec=scim-token-desktop" "$root/usr/share/applications/scim-token.desktop" \
  || fail "its menu entry does not start /usr/bin/scim-token-desktop"

cli_version=$("$root/usr/bin/scim-token" --version)
[ "$cli_version" = "scim-token ${version//\~/-}" ] || fail "the CLI says '$cli_version', the package is $version"

# No SCIM_TOKEN_CLI and a PATH without the build's programs: the sandbox must be the CLI beside it.
env -u SCIM_TOKEN_CLI PATH=/usr/bin:/bin SCIM_TOKEN_LOG=info "$root/usr/bin/scim-token-desktop" --sandbox --sandbox-port 0 \
  >"$work/app.log" 2>&1 &
app=$!
for _ in $(seq 120); do
  grep -q "main window loaded" "$work/app.log" && grep -q "sandbox started" "$work/app.log" && break
  kill -0 "$app" 2>/dev/null || fail "the app ended at start: $(cat "$work/app.log")"
  sleep 0.5
done
grep -q "main window loaded" "$work/app.log" || fail "the app's page did not load within 60 s: $(cat "$work/app.log")"
grep -q "sandbox started" "$work/app.log" || fail "the app's sandbox did not start within 60 s: $(cat "$work/app.log")"
sandbox=""
children=()
programs=()
for child in $(pgrep -P "$app"); do
  exe=$(readlink "/proc/$child/exe" || true)
  children+=("$child")
  programs+=("$exe")
  [ "$exe" != "$root/usr/bin/scim-token" ] || sandbox=$child
done
[ -n "$sandbox" ] || fail "no child of the app runs the CLI the package installed; its children: ${programs[*]}"
base=$(sed -n 's/.*sandbox started.*base=\(http:[^ ]*\).*/\1/p' "$work/app.log" | head -1)
python3 -c '
import json, sys, urllib.request
no_proxy = urllib.request.build_opener(urllib.request.ProxyHandler({}))
json.load(no_proxy.open(sys.argv[1].rstrip("/") + "/_sandbox/info", timeout=5))' "$base" \
  || fail "the app's sandbox at $base does not answer"
kill -KILL "$app"
wait "$app" 2>/dev/null || true
app=""
# Whether process $1 ends within 10 s: gone, or a zombie its new parent has not reaped yet.
ends() {
  for _ in $(seq 40); do
    [ -e "/proc/$1" ] && [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" != Z ] || return 0
    sleep 0.25
  done
  return 1
}
ends "$sandbox" || fail "the sandbox outlived the app"
# WebKit's processes end on their own once the app is gone; waited for, so that none is still
# writing into the world's directories when it is removed.
for child in "${children[@]}"; do
  ends "$child" || true
done

in_scratch --remove "$package" >"$work/dpkg.log" 2>&1 || fail "dpkg cannot remove it: $(cat "$work/dpkg.log")"
left=$(find "$root" -type f | sed "s|^$root||")
[ -z "$left" ] || fail "removing it left $left"
echo "$(basename "$deb"): installed, both programs run from it, removed: passed"
