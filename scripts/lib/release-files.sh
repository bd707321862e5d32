# shellcheck shell=bash
# What scripts/package writes beside every artifact: a CycloneDX SBOM of each program and
# SHA256SUMS, so that an admin can check a download and vet what it is made of.

# The workspace's version (Cargo.toml's [workspace.package]).
workspace_version() {
  sed -n 's/^version = "\(.*\)"$/\1/p' Cargo.toml | head -1
}

# cargo-cyclonedx, from crates.io (about a minute to build on 2 cores); the version whose output
# this script was written against.
ensure_cargo_cyclonedx() {
  command -v cargo-cyclonedx >/dev/null || cargo install cargo-cyclonedx --locked --quiet --version 0.5.9
}

# A CycloneDX 1.5 SBOM (JSON) for each program, as built for target $1, written to directory $2
# as <program>_<version $3>_<target>.cdx.json: every crate compiled into it for that target (no
# build-time-only crates), with versions, licences and package URLs. Dated by the last commit, so
# that the same tree gives the same files.
write_sboms() {
  local target=$1 out=$2 version=$3 sbom program
  ensure_cargo_cyclonedx
  export SOURCE_DATE_EPOCH
  SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || date +%s)
  # One run for the workspace: it writes <program>_bin.cdx.json beside each package's Cargo.toml.
  cargo cyclonedx --format json --spec-version 1.5 --describe binaries --target "$target" \
    --no-build-deps --quiet
  for sbom in crates/*/*_bin.cdx.json src-tauri/*_bin.cdx.json; do
    [ -e "$sbom" ] || continue
    program=$(basename "$sbom" _bin.cdx.json)
    mv "$sbom" "$out/${program}_${version}_${target}.cdx.json"
  done
  for program in scim-token scim-token-desktop; do
    [ -s "$out/${program}_${version}_${target}.cdx.json" ] || { echo "no SBOM for $program" >&2; return 1; }
  done
}

# SHA256SUMS in directory $1 for every other file in it, in the format `sha256sum -c` reads.
write_sha256sums() {
  (cd "$1" && find . -maxdepth 1 -type f ! -name SHA256SUMS -printf '%f\n' | LC_ALL=C sort \
    | xargs -d '\n' sha256sum >SHA256SUMS)
}
