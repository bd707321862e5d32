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

# build_deb BIN_DIR OUT_DIR: the programs scim-token-desktop and scim-token from BIN_DIR, the menu
# entry and icons, as OUT_DIR/scim-token_<version>_<arch>.deb. Prints the package's path.
build_deb() {
  local bin=$1 out=$2 version arch stage root deb size depends
  version=$(workspace_version)
  arch=$(dpkg --print-architecture)
  stage=$(mktemp -d -t scim-token-deb.XXXXXX)
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
  # finds the package's root by its DEBIAN directory.
  mkdir -p "$root/DEBIAN"
  printf 'Source: scim-token\n\nPackage: scim-token\nArchitecture: any\n' >"$stage/debian/control"
  depends=$(cd "$stage" && dpkg-shlibdeps -O debian/scim-token/usr/bin/scim-token-desktop debian/scim-token/usr/bin/scim-token \
    | sed -n 's/^shlibs:Depends=//p')
  [ -n "$depends" ] || { echo "dpkg-shlibdeps found no libraries for the programs" >&2; return 1; }
  size=$(du -sk --apparent-size "$root/usr" | cut -f1)

  {
    echo "Package: scim-token"
    echo "Version: $version"
    echo "Architecture: $arch"
    echo "Maintainer: scim-token developers <scim-token@example.invalid>"
    echo "Installed-Size: $size"
    echo "Depends: $depends, $DEB_RUNTIME_DEPENDS"
    echo "Recommends: $DEB_RECOMMENDS"
    echo "Section: utils"
    echo "Priority: optional"
    echo "Homepage: $(sed -n 's/^repository = "\(.*\)"$/\1/p' Cargo.toml | head -1)"
    echo "Description: $(node -p 'require("./src-tauri/tauri.conf.json").bundle.shortDescription')"
    node -p 'require("./src-tauri/tauri.conf.json").bundle.longDescription' | fold -s -w 78 | sed 's/ *$//; s/^/ /'
  } >"$root/DEBIAN/control"
  (cd "$root" && find usr -type f -print0 | LC_ALL=C sort -z | xargs -0 md5sum) >"$root/DEBIAN/md5sums"

  mkdir -p "$out"
  deb="$out/scim-token_${version}_${arch}.deb"
  SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)} \
    dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
  rm -rf "$stage"
  echo "$deb"
}
