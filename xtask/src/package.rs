//! Packaging, in Rust: the `.deb` (made with dpkg-deb from programs already built), its install
//! check (dpkg into a scratch root, both programs run from it, removed), and the files beside a
//! release (CycloneDX SBOMs, SHA256SUMS). `scripts/test` and `scripts/package` call these;
//! the Windows installer is still `scripts/lib/package-windows.sh`.

pub(crate) mod deb;
pub(crate) mod deb_check;
pub(crate) mod release;

/// The workspace's version, as every crate of it has it.
pub(crate) const VERSION: &str = env!("CARGO_PKG_VERSION");
