# shellcheck shell=bash
# The Debian/Ubuntu package of both programs, made with dpkg-deb from binaries already built:
# scripts/package gives it the release build, scripts/test the binaries its tests ran (a release
# build would cost 6 minutes of the CI run). Tauri's own bundler would need tauri-cli, 7 minutes
# to install, for what this does in a few seconds. Needs release-files.sh (workspace_version).

# The libraries the app loads at run time with dlopen, which dpkg-shlibdeps cannot see: the tray
# icon's (libappindicator-sys).
DEB_RUNTIME_DEPENDS="libayatana-appindicator3-1 | libappindicator3-1"
# Programs the app and the CLI run but do not need: a browser opener for sign-ins in the system
# browser, and a Secret Service provider for the keyring.
DEB_RECOMMENDS="xdg-utils, gnome-keyring"

# The package's file name: scim-token_<version>_<arch>.deb.
deb_name() {
  # Debian sorts "~" before a release, as SemVer sorts a pre-release ("1.0.0-beta" → "1.0.0~beta").
  local version
  version=$(workspace_version)
  echo "scim-token_${version//-/\~}_$(dpkg --print-architecture).deb"
}

# The control file's Description field: the short and long descriptions from tauri.conf.json, the
# long one wrapped as continuation lines (an empty line as " .").
deb_description() {
  node -e '
    const bundle = require("./src-tauri/tauri.conf.json").bundle;
    if (!bundle.shortDescription || !bundle.longDescription) {
      console.error("tauri.conf.json lacks bundle.shortDescription or bundle.longDescription");
      process.exit(1);
    }
    const lines = [];
    for (const paragraph of bundle.longDescription.split("\n")) {
      let line = "";
      for (const word of paragraph.split(/\s+/).filter(Boolean)) {
        if (line && line.length + 1 + word.length > 78) { lines.push(line); line = word; }
        else line = line ? line + " " + word : word;
      }
      lines.push(line || ".");
    }
    console.log("Description: " + bundle.shortDescription);
    for (const line of lines) console.log(" " + line);
  '
}

# build_deb BIN_DIR DEB: the programs scim-token-desktop and scim-token from BIN_DIR, the menu entry,
# icons and copyright, as the package DEB. Call it as a command, not inside $(…), where bash would
# not stop at a failing step.
build_deb() {
  local bin=$1 deb=$2 stage root size depends program
  stage=$(mktemp -d "$(dirname "$deb")/.scim-token-deb.XXXXXX")
  # dpkg-shlibdeps expects the package tree at debian/<package>/.
  root=$stage/debian/scim-token
  for program in scim-token-desktop scim-token; do
    install -D -m 0755 "$bin/$program" "$root/usr/bin/$program"
    # Release builds are stripped already; the test build's symbols would triple the package.
    strip --strip-unneeded "$root/usr/bin/$program"
  done
  install -D -m 0644 packaging/linux/scim-token.desktop "$root/usr/share/applications/scim-token.desktop"
  install -D -m 0644 src-tauri/icons/32x32.png "$root/usr/share/icons/hicolor/32x32/apps/scim-token-desktop.png"
  install -D -m 0644 src-tauri/icons/128x128.png "$root/usr/share/icons/hicolor/128x128/apps/scim-token-desktop.png"
  install -D -m 0644 src-tauri/icons/128x128@2x.png "$root/usr/share/icons/hicolor/256x256/apps/scim-token-desktop.png"
  install -D -m 0644 src-tauri/icons/icon.png "$root/usr/share/icons/hicolor/512x512/apps/scim-token-desktop.png"
  install -D -m 0644 packaging/linux/copyright "$root/usr/share/doc/scim-token/copyright"

  # dpkg-shlibdeps reads the package's name from a debian/control in its working directory, and
  # finds the package's root by its DEBIAN directory. Its versions are this machine's libraries':
  # the package installs on this Debian/Ubuntu release and later ones.
  install -d -m 0755 "$root/DEBIAN"
  printf 'Source: scim-token\n\nPackage: scim-token\nArchitecture: any\n' >"$stage/debian/control"
  depends=$(cd "$stage" && dpkg-shlibdeps -O debian/scim-token/usr/bin/scim-token-desktop debian/scim-token/usr/bin/scim-token)
  depends=${depends#shlibs:Depends=}
  [ -n "$depends" ] || { echo "dpkg-shlibdeps found no libraries for the programs" >&2; return 1; }
  # KiB, counting files only: directories' own sizes differ between file systems.
  size=$(find "$root/usr" -type f -printf '%s\n' | awk '{ kib += int(($1 + 1023) / 1024) } END { print kib }')

  {
    echo "Package: scim-token"
    echo "Version: $(deb_name | cut -d_ -f2)"
    echo "Architecture: $(dpkg --print-architecture)"
    echo "Maintainer: scim-token developers <scim-token@example.invalid>"
    echo "Installed-Size: $size"
    echo "Depends: $depends, $DEB_RUNTIME_DEPENDS"
    echo "Recommends: $DEB_RECOMMENDS"
    echo "Section: utils"
    echo "Priority: optional"
    echo "Homepage: $(sed -n 's/^repository = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
  } >"$root/DEBIAN/control"
  deb_description >>"$root/DEBIAN/control"
  (cd "$root" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"

  SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)} \
    dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  rm -rf "$stage"
}
