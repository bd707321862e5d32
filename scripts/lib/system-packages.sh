# shellcheck shell=bash
# The Debian/Ubuntu packages scim-token needs to build, run and test; installed when missing.

SYSTEM_PACKAGES=(
  # Build the desktop app (Tauri 2 on WebKitGTK).
  libwebkit2gtk-4.1-dev libgtk-3-dev libayatana-appindicator3-dev librsvg2-dev libssl-dev pkg-config
  # Real parts for tests: display, session bus, Secret Service keyring, browser, WebDriver.
  xvfb xauth dbus dbus-x11 at-spi2-core gnome-keyring chromium webkit2gtk-driver imagemagick
  # What the clipboard offers besides the text (the history-exclusion hint), for the e2e tests.
  xclip
  # The .deb: its libraries' Depends (dpkg-shlibdeps) and a check of its menu entry.
  dpkg-dev desktop-file-utils
  # What the scripts themselves run (pgrep, and checks written in Python).
  procps python3
  # The desktop front end is compiled with TypeScript (npm comes with nodejs or separately).
  nodejs
)

ensure_system_packages() {
  local missing=()
  for pkg in "${SYSTEM_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if ! command -v apt-get >/dev/null; then
    echo "scim-token: missing packages ${missing[*]}, and this is not a Debian/Ubuntu system: install their equivalents." >&2
    return 1
  fi
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  echo "scim-token: installing ${missing[*]}" >&2
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

ensure_npm() {
  command -v npm >/dev/null && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends npm >/dev/null
}
