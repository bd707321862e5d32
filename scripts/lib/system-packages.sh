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

# The one way scripts install Debian packages: as root, or through sudo; the lists updated first.
# Fails (non-zero) where there is no apt-get or a package cannot be installed.
apt_install() {
  command -v apt-get >/dev/null || return 1
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# Adds a foreign architecture (i386 for wine32) through the same root-or-sudo rule.
dpkg_add_architecture() {
  dpkg --print-foreign-architectures | grep -qx "$1" && return 0
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" dpkg --add-architecture "$1"
}

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
  echo "scim-token: installing ${missing[*]}" >&2
  apt_install "${missing[@]}"
}

ensure_npm() {
  command -v npm >/dev/null || apt_install npm
}
