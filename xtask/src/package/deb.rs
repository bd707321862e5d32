//! The Debian/Ubuntu package of both programs, made with dpkg-deb from programs already built:
//! `scripts/package` gives it the release build, `scripts/test` the programs its tests ran (a
//! release build would cost minutes of the CI run). Tauri's own bundler would need tauri-cli,
//! minutes to install, for what this does in seconds.

use std::fmt::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;

use md5::{Digest, Md5};

use super::VERSION;
use crate::cmd::{TaskError, debian_arch, io, output, source_date_epoch};

/// The libraries the app loads at run time with dlopen, which dpkg-shlibdeps cannot see: the
/// tray icon's (libappindicator-sys).
const RUNTIME_DEPENDS: &str = "libayatana-appindicator3-1 | libappindicator3-1";
/// Programs the app and the CLI run but do not need: a browser opener for sign-ins in the system
/// browser, and a Secret Service provider for the keyring.
const RECOMMENDS: &str = "xdg-utils, gnome-keyring";
/// The widest a line of the control file's long description may be.
const WRAP: usize = 78;

/// The programs the package carries, in `/usr/bin`.
pub(crate) const PROGRAMS: [&str; 2] = ["scim-token-desktop", "scim-token"];

/// Every other file the package carries: where it comes from in the workspace, where it goes.
const FILES: &[(&str, &str)] = &[
    (
        "packaging/linux/scim-token.desktop",
        "usr/share/applications/scim-token.desktop",
    ),
    (
        "src-tauri/icons/32x32.png",
        "usr/share/icons/hicolor/32x32/apps/scim-token-desktop.png",
    ),
    (
        "src-tauri/icons/128x128.png",
        "usr/share/icons/hicolor/128x128/apps/scim-token-desktop.png",
    ),
    (
        "src-tauri/icons/128x128@2x.png",
        "usr/share/icons/hicolor/256x256/apps/scim-token-desktop.png",
    ),
    (
        "src-tauri/icons/icon.png",
        "usr/share/icons/hicolor/512x512/apps/scim-token-desktop.png",
    ),
    ("packaging/linux/copyright", "usr/share/doc/scim-token/copyright"),
];

/// The version as Debian sorts it: "~" before a release, as SemVer sorts a pre-release
/// ("1.0.0-beta" → "1.0.0~beta").
pub(crate) fn debian_version(version: &str) -> String {
    version.replace('-', "~")
}

/// The package's file name: `scim-token_<version>_<arch>.deb`.
pub(crate) fn deb_name() -> Result<String, TaskError> {
    Ok(format!(
        "scim-token_{}_{}.deb",
        debian_version(VERSION),
        debian_arch()?
    ))
}

/// The control file's `Description`: the short description, then the long one wrapped at
/// [`WRAP`] as continuation lines (an empty paragraph as " .").
pub(crate) fn description(short: &str, long: &str) -> String {
    let mut lines = Vec::new();
    for paragraph in long.split('\n') {
        let mut line = String::new();
        for word in paragraph.split_whitespace() {
            if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > WRAP {
                lines.push(std::mem::take(&mut line));
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(if line.is_empty() { ".".to_owned() } else { line });
    }
    let mut text = format!("Description: {short}\n");
    for line in lines {
        let _ = writeln!(text, " {line}");
    }
    text
}

/// The short and long descriptions of `src-tauri/tauri.conf.json`'s bundle.
fn bundle_descriptions(workspace: &Path) -> Result<(String, String), TaskError> {
    let path = workspace.join("src-tauri/tauri.conf.json");
    let text = std::fs::read_to_string(&path).map_err(io(&path))?;
    let conf: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| TaskError::Check(format!("{}: {e}", path.display())))?;
    let field = |name: &str| {
        conf["bundle"][name]
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| TaskError::Check(format!("tauri.conf.json lacks bundle.{name}")))
    };
    Ok((field("shortDescription")?, field("longDescription")?))
}

/// Copies `from` to `to` (creating its folder) with `mode`.
fn install(from: &Path, to: &Path, mode: u32) -> Result<(), TaskError> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
    }
    std::fs::copy(from, to).map_err(io(from))?;
    std::fs::set_permissions(to, std::fs::Permissions::from_mode(mode)).map_err(io(to))
}

/// Every file below `dir`, sorted as bytes.
pub(crate) fn files_below(dir: &Path) -> Result<Vec<PathBuf>, TaskError> {
    crate::files::below(dir, &[], |_| true).map_err(io(dir))
}

/// `md5sums` as dpkg keeps it: a line per file, `<md5>  <path below the root>`.
pub(crate) fn md5sums(root: &Path, files: &[PathBuf]) -> Result<String, TaskError> {
    let mut text = String::new();
    for file in files {
        let bytes = std::fs::read(file).map_err(io(file))?;
        let name = file.strip_prefix(root).unwrap_or(file).display();
        let _ = writeln!(text, "{:x}  {name}", Md5::digest(&bytes));
    }
    Ok(text)
}

/// Installed size in KiB, counting files only (directories' own sizes differ between file
/// systems), each rounded up.
pub(crate) fn installed_kib(sizes: impl IntoIterator<Item = u64>) -> u64 {
    sizes.into_iter().map(|bytes| bytes.div_ceil(1024)).sum()
}

/// Builds the package `deb` from the programs in `bin_dir` and the workspace's other files.
pub(crate) fn build(workspace: &Path, bin_dir: &Path, deb: &Path) -> Result<(), TaskError> {
    let out_dir = deb.parent().unwrap_or(Path::new("."));
    let stage = tempfile::Builder::new()
        .prefix(".scim-token-deb.")
        .tempdir_in(out_dir)
        .map_err(io(out_dir))?;
    // dpkg-shlibdeps expects the package tree at debian/<package>/.
    let root = stage.path().join("debian/scim-token");
    for program in PROGRAMS {
        let to = root.join("usr/bin").join(program);
        install(&bin_dir.join(program), &to, 0o755)?;
        // Release builds are stripped already; the test build's symbols would triple the package.
        output(Command::new("strip").arg("--strip-unneeded").arg(&to))?;
    }
    for (from, to) in FILES {
        install(&workspace.join(from), &root.join(to), 0o644)?;
    }
    let debian = root.join("DEBIAN");
    std::fs::create_dir_all(&debian).map_err(io(&debian))?;
    std::fs::set_permissions(&debian, std::fs::Permissions::from_mode(0o755)).map_err(io(&debian))?;

    // dpkg-shlibdeps reads the package's name from a debian/control in its working directory.
    // Its versions are this machine's libraries': the package installs on this Debian/Ubuntu
    // release and later ones.
    let source_control = stage.path().join("debian/control");
    std::fs::write(
        &source_control,
        "Source: scim-token\n\nPackage: scim-token\nArchitecture: any\n",
    )
    .map_err(io(&source_control))?;
    let shlibs = output(
        Command::new("dpkg-shlibdeps")
            .current_dir(stage.path())
            .arg("-O")
            .args(PROGRAMS.map(|p| format!("debian/scim-token/usr/bin/{p}"))),
    )?;
    let depends = shlibs
        .strip_prefix("shlibs:Depends=")
        .unwrap_or(&shlibs)
        .trim()
        .to_owned();
    if depends.is_empty() {
        return Err(TaskError::Check(
            "dpkg-shlibdeps found no libraries for the programs".into(),
        ));
    }

    let usr = files_below(&root.join("usr"))?;
    let sizes = usr
        .iter()
        .map(|f| std::fs::metadata(f).map(|m| m.len()).map_err(io(f)))
        .collect::<Result<Vec<_>, _>>()?;
    let (short, long) = bundle_descriptions(workspace)?;
    let control = format!(
        "Package: scim-token\nVersion: {}\nArchitecture: {}\nMaintainer: scim-token developers <scim-token@example.invalid>\n\
         Installed-Size: {}\nDepends: {depends}, {RUNTIME_DEPENDS}\nRecommends: {RECOMMENDS}\nSection: utils\n\
         Priority: optional\nHomepage: {}\n{}",
        debian_version(VERSION),
        debian_arch()?,
        installed_kib(sizes),
        env!("CARGO_PKG_REPOSITORY"),
        description(&short, &long),
    );
    let control_file = debian.join("control");
    std::fs::write(&control_file, control).map_err(io(&control_file))?;
    let md5_file = debian.join("md5sums");
    std::fs::write(&md5_file, md5sums(&root, &usr)?).map_err(io(&md5_file))?;

    output(
        Command::new("dpkg-deb")
            .env("SOURCE_DATE_EPOCH", source_date_epoch())
            .args(["--root-owner-group", "-Zxz", "--build"])
            .arg(&root)
            .arg(deb),
    )?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_long_description_wraps_at_78_and_keeps_empty_paragraphs() {
        let long = format!("{} end\n\nSecond paragraph.", "word ".repeat(20).trim());
        let text = description("Short", &long);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Description: Short");
        assert!(
            lines[1..]
                .iter()
                .all(|l| l.starts_with(' ') && l.chars().count() <= WRAP + 1),
            "{text}"
        );
        assert_eq!(
            lines[1].len(),
            1 + 15 * 5 - 1,
            "fifteen words and their spaces: {text}"
        );
        assert_eq!(&lines[lines.len() - 2..], [" .", " Second paragraph."]);
    }

    #[test]
    fn a_pre_release_sorts_before_its_release_and_sizes_round_up_per_file() {
        assert_eq!(debian_version("1.0.0-beta.2"), "1.0.0~beta.2");
        assert_eq!(installed_kib([1, 1024, 1025]), 1 + 1 + 2);
    }

    #[test]
    fn md5sums_name_each_file_below_the_root() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("usr/bin/tool");
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "abc").unwrap();
        assert_eq!(
            md5sums(dir.path(), &[file]).unwrap(),
            "900150983cd24fb0d6963f7d28e17f72  usr/bin/tool\n"
        );
    }
}
