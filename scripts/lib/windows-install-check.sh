#!/usr/bin/env bash
# The Windows installer under Wine, run by scripts/wine inside scripts/world (Xvfb, D-Bus,
# headless Chromium) with WINEPREFIX and WINEDLLOVERRIDES set:
#   windows-install-check.sh install OLD_SETUP OLD_VERSION NEW_SETUP VERSION WORK
#     the older installer /S, a sign-in with the CLI it installed (a record in %APPDATA% and a
#     token in Wine's Credential Manager), then the new installer /S over it: program files,
#     Start-menu shortcut, per-user Uninstall key with the new version, the CLI runs, and the
#     sign-in is still there. Writes the installed CLI's Unix path to WORK/installed-cli.
#   windows-install-check.sh uninstall WORK
#     start-at-login turned on as the app does it and a `scim-token check` task in the Task
#     Scheduler, the uninstaller /S, then nothing of the program is left (files, folder, shortcut,
#     Uninstall key, Run value, the task), and the user's sign-in is kept.
# Signatures, when SCIM_TOKEN_SIGN_PFX is set, are checked on what the installer put on disk.
set -euo pipefail
cd "$(dirname "$0")/../.."
# shellcheck source=windows.sh
. scripts/lib/windows.sh

fail() { echo "FAILED: Windows installer: $*" >&2; exit 1; }
win() { "$WINE" "$@" 2>/dev/null | tr -d '\r'; }
unix_path() { "$WINE" winepath -u "$1" 2>/dev/null | tr -d '\r'; }
reg_value() { win reg query "$1" /v "$2" | awk -v name="$2" '$1 == name { $1 = ""; $2 = ""; sub(/^ +/, ""); print }'; }
reg_exists() { "$WINE" reg query "$@" >/dev/null 2>&1; }
settle() { "$(dirname "$WINE")/wineserver" -w; }

UNINSTALL_KEY='HKCU\Software\Microsoft\Windows\CurrentVersion\Uninstall\scim-token'
RUN_KEY='HKCU\Software\Microsoft\Windows\CurrentVersion\Run'
install_dir() { unix_path "$(win cmd /c 'echo %LOCALAPPDATA%')\\Programs\\scim-token"; }
shortcut() { unix_path "$(win cmd /c 'echo %APPDATA%')\\Microsoft\\Windows\\Start Menu\\Programs\\scim-token.lnk"; }
records() { unix_path "$(win cmd /c 'echo %APPDATA%')\\scim-token\\config\\tokens.json"; }
# Where Wine's Task Scheduler keeps a task (its schtasks has no query that lists one).
task_file() { unix_path "$(win cmd /c 'echo %SystemRoot%')\\System32\\Tasks\\scim-token check"; }

# A `scim-token check` task as `watch on` makes it. Wine's schtasks takes only /XML for /Create
# (not the /SC form scim-token uses on Windows), so the same task is given as XML.
add_watch_task() {
  local work=$1 xml
  xml="$work/watch-task.xml"
  cat >"$xml" <<'XML'
<?xml version="1.0" encoding="UTF-8"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <Triggers><CalendarTrigger><StartBoundary>2026-01-01T09:00:00</StartBoundary><ScheduleByDay><DaysInterval>1</DaysInterval></ScheduleByDay></CalendarTrigger></Triggers>
  <Actions><Exec><Command>scim-token.exe</Command><Arguments>check --notify</Arguments></Exec></Actions>
</Task>
XML
  win schtasks /Create /XML "$(win winepath -w "$xml")" /TN "scim-token check" >/dev/null || true
  [ -f "$(task_file)" ] || fail "could not make the watch's task for the test (Wine's Task Scheduler)"
}

# `status` of the CLI at $1, with the Credential Manager entry read (the fingerprint needs it).
status_of() { win "$1" status; }

# The org of the sign-in kept across the upgrade: not the sandbox's default, which the CLI's
# end-to-end scenarios, run between install and uninstall, sign in to and forget.
KEPT_ORG=0a57a11e-0000-4000-8000-00000000ca11

# A sign-in against the CLI's own sandbox, the browser's part done by headless Chromium.
sign_in_with() {
  local cli=$1 work=$2 url=""
  # Refuse to talk to something else already on the port.
  ! python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8900), 1)' 2>/dev/null \
    || fail "port 8900 is taken; the sign-in needs it for the installed CLI's sandbox"
  "$WINE" "$cli" sandbox --port 8900 --org "$KEPT_ORG" --auto-approve admin@sandbox.example >"$work/sandbox.log" 2>&1 &
  sandbox=$!
  trap 'kill "$sandbox" "${login:-}" 2>/dev/null || true' EXIT
  local ready=0
  python3 - <<'PY' && ready=1
import time, urllib.request
for _ in range(120):
    try:
        urllib.request.urlopen("http://127.0.0.1:8900/_sandbox/info", timeout=1); break
    except OSError:
        time.sleep(0.5)
else:
    raise SystemExit(1)
PY
  [ "$ready" = 1 ] && kill -0 "$sandbox" 2>/dev/null || fail "the installed CLI's sandbox did not start: $(tr -d '\r' <"$work/sandbox.log")"
  : >"$work/login.err"
  "$WINE" "$cli" login --broker sandbox --no-browser --timeout 120 >"$work/login.out" 2>"$work/login.err" &
  login=$!
  for _ in $(seq 120); do
    url=$(tr -d '\r' <"$work/login.err" | sed -n 's/^ *\(http[^ ]*\)$/\1/p' | head -1)
    [ -n "$url" ] && break
    sleep 0.5
  done
  [ -n "$url" ] || fail "login printed no sign-in URL: $(cat "$work/login.err")"
  timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run --disable-background-networking \
    --disable-component-update --disable-sync --disable-quic --virtual-time-budget=15000 \
    --user-data-dir="$work/chromium" --dump-dom "$url" >/dev/null 2>&1 || true
  wait "$login" || fail "the sign-in failed: $(tr -d '\r' <"$work/login.err")"
  kill "$sandbox" 2>/dev/null || true
  wait "$sandbox" 2>/dev/null || true
  trap - EXIT
}

verify_signatures() {
  [ -n "${SCIM_TOKEN_SIGN_PFX:-}" ] || return 0
  scripts/lib/authenticode verify "$@" || fail "a program on disk is not signed"
}

install() {
  local old=$1 old_version=$2 new=$3 version=$4 work=$5 dir
  timeout 120 "$WINE" "$old" /S || fail "the older installer exited $?"
  settle
  dir=$(install_dir)
  [ -x "$dir/scim-token.exe" ] || fail "the older installer put no scim-token.exe in $dir"
  [ "$(reg_value "$UNINSTALL_KEY" DisplayVersion)" = "$old_version" ] || fail "the older install does not say $old_version"
  sign_in_with "$dir/scim-token.exe" "$work"
  status_of "$dir/scim-token.exe" >"$work/status-before"
  grep -q "$KEPT_ORG" "$work/status-before" || fail "no sign-in to keep: $(cat "$work/status-before")"

  timeout 120 "$WINE" "$new" /S || fail "the installer exited $?"
  settle
  for file in scim-token.exe scim-token-desktop.exe WebView2Loader.dll README.txt uninstall.exe; do
    [ -f "$dir/$file" ] || fail "$file is not in $dir"
  done
  [ -f "$(shortcut)" ] || fail "no Start-menu shortcut at $(shortcut)"
  [ "$(reg_value "$UNINSTALL_KEY" DisplayVersion)" = "$version" ] || fail "the Uninstall key does not say $version"
  [ "$(unix_path "$(reg_value "$UNINSTALL_KEY" InstallLocation)")" = "$dir" ] || fail "the Uninstall key's InstallLocation is not $dir"
  reg_value "$UNINSTALL_KEY" UninstallString | grep -qi 'uninstall.exe' || fail "no UninstallString"
  win "$dir/scim-token.exe" --version | grep -qx "scim-token $version" || fail "the installed CLI does not run"
  status_of "$dir/scim-token.exe" >"$work/status-after"
  diff "$work/status-before" "$work/status-after" >&2 || fail "the upgrade changed what status shows"
  [ -f "$(records)" ] || fail "the records file is gone"
  verify_signatures "$dir/scim-token.exe" "$dir/scim-token-desktop.exe" "$dir/uninstall.exe"
  # A copy, to read the sign-in after the program is removed.
  cp "$dir/scim-token.exe" "$work/scim-token.exe"
  echo "$dir/scim-token.exe" >"$work/installed-cli"
  echo "installed, upgraded from an older install with its sign-in kept: $dir"
}

uninstall() {
  local work=$1 dir
  dir=$(install_dir)
  # What the app writes when start at login is turned on (tauri-plugin-autostart: the Run value).
  win reg add "$RUN_KEY" /v scim-token /d "\"C:\\\\x\\\\scim-token-desktop.exe\" --tray" /f >/dev/null
  reg_exists "$RUN_KEY" /v scim-token || fail "could not set the Run value for the test"
  add_watch_task "$work"
  timeout 120 "$WINE" "$dir/uninstall.exe" /S || fail "the uninstaller exited $?"
  settle
  [ ! -e "$dir" ] || fail "left behind: $(ls -A "$dir")"
  [ ! -e "$(shortcut)" ] || fail "the Start-menu shortcut is left"
  ! reg_exists "$UNINSTALL_KEY" || fail "the Uninstall key is left"
  ! reg_exists "$RUN_KEY" /v scim-token || fail "the Run value is left"
  [ ! -e "$(task_file)" ] || fail "the watch's Task Scheduler task is left"
  ! reg_exists 'HKCU\Software\scim-token' || fail "HKCU\\Software\\scim-token is left"
  [ -f "$(records)" ] || fail "uninstalling removed the user's records"
  status_of "$work/scim-token.exe" | diff "$work/status-after" - >&2 || fail "uninstalling changed the user's sign-in"
  echo "uninstalled: nothing left (the watch's task removed too) but the user's records and token"
}

case "${1:-}" in
  install) shift; install "$@" ;;
  uninstall) shift; uninstall "$@" ;;
  *) echo "usage: windows-install-check.sh install OLD OLD_VERSION NEW VERSION WORK | uninstall WORK" >&2; exit 2 ;;
esac
