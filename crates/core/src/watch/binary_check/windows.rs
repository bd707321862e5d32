//! Windows: the binary must not be on a network share (its server's owners and administrators,
//! and anyone who can answer for that name on the network, could put another program there), nor
//! in a temporary folder, where any program may create files, cleanup tools remove them (and then
//! anyone may put another in their place), and Explorer extracts a zip's programs to run them.
//! Who may write to the folder is `windows_acl.rs`'s.

use std::path::{Path, PathBuf};

use super::super::{WatchError, schtasks};

/// The user's temporary folder (`std::env::temp_dir`, from `%TMP%`, `%TEMP%`…) and Windows' own
/// (`%SystemRoot%\Temp`).
pub(super) fn temp_folders() -> Vec<PathBuf> {
    let root = schtasks::system_root(std::env::var_os("SystemRoot"));
    vec![std::env::temp_dir(), PathBuf::from(format!(r"{root}\Temp"))]
}

/// Refuses `binary` when it is inside one of `temps`, compared both as written and with short
/// (8.3) names and links resolved where the file system can: `%TEMP%` often reads
/// `C:\Users\RUNNER~1\…` while the program's path has the long name.
pub(super) fn check(binary: &Path, temps: &[PathBuf]) -> Result<(), WatchError> {
    let resolved = |path: &Path| std::fs::canonicalize(path).unwrap_or_else(|_| path.to_owned());
    let text = |path: &Path| path.to_string_lossy().into_owned();
    let exe = resolved(binary);
    if let Some(share) = [text(binary), text(&exe)].iter().find_map(|p| network_share(p)) {
        return Err(WatchError::ReplaceableBinary {
            binary: binary.to_owned(),
            problem: format!(
                "it is on the network share {share}, whose owners and administrators (or a server answering for that name) could replace it and run their code as you at every check"
            ),
            fix: r"install scim-token on this computer with its installer (into your AppData\Local\Programs folder) and turn the watch on from there".to_owned(),
        });
    }
    for temp in temps {
        if inside(&text(binary), &text(temp)) || inside(&text(&exe), &text(&resolved(temp))) {
            return Err(WatchError::ReplaceableBinary {
                binary: binary.to_owned(),
                problem: format!(
                    "it is in the temporary folder {}, where any program may put files and cleanup tools remove them, so another program could take its place and run as you at every check",
                    temp.display()
                ),
                fix: r"install scim-token with its installer (into your AppData\Local\Programs folder), or unpack its zip into a folder of your own outside the temporary folder, and turn the watch on from there".to_owned(),
            });
        }
    }
    Ok(())
}

/// The `\\server\share` a path is on (UNC, also in its verbatim `\\?\UNC\` form), if any.
fn network_share(path: &str) -> Option<String> {
    let path = path.replace('/', r"\");
    let verbatim_unc = |prefix: &str| {
        path.get(..prefix.len())
            .filter(|p| p.eq_ignore_ascii_case(prefix))
            .map(|_| &path[prefix.len()..])
    };
    let rest = if let Some(rest) = verbatim_unc(r"\\?\UNC\").or_else(|| verbatim_unc(r"\\.\UNC\")) {
        rest
    } else if path.starts_with(r"\\?\") || path.starts_with(r"\\.\") {
        return None;
    } else {
        path.strip_prefix(r"\\")?
    };
    let mut parts = rest.split('\\').filter(|p| !p.is_empty());
    let server = parts.next()?;
    let share = parts.next().unwrap_or_default();
    Some(format!(r"\\{server}\{share}"))
}

/// Whether `path` is inside `folder`, compared as Windows compares paths: in any case, `/` as
/// `\`, without the verbatim prefix (`\\?\`, `\\?\UNC\`) or trailing separators.
fn inside(path: &str, folder: &str) -> bool {
    let folder = comparable(folder);
    !folder.is_empty()
        && comparable(path)
            .strip_prefix(&folder)
            .is_some_and(|rest| rest.starts_with('\\'))
}

fn comparable(path: &str) -> String {
    let path = path.replace('/', r"\").to_lowercase();
    let path = if let Some(share) = path.strip_prefix(r"\\?\unc\") {
        format!(r"\\{share}")
    } else if let Some(local) = path.strip_prefix(r"\\?\") {
        local.to_owned()
    } else {
        path
    };
    path.trim_end_matches('\\').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_binary_on_a_network_share_is_refused() {
        for (path, share) in [
            (
                r"\\fileserver\tools\scim-token\scim-token.exe",
                Some(r"\\fileserver\tools"),
            ),
            (
                r"\\?\UNC\fileserver\tools\scim-token.exe",
                Some(r"\\fileserver\tools"),
            ),
            (r"\\?\unc\fs\t\x.exe", Some(r"\\fs\t")),
            (r"\\.\UNC\fs\t\x.exe", Some(r"\\fs\t")),
            (r"C:\软件\scim-token.exe", None),
            (r"\\?\C:\ü\scim-token.exe", None),
            ("//fileserver/tools/scim-token.exe", Some(r"\\fileserver\tools")),
            (r"\\?\C:\Program Files\scim-token\scim-token.exe", None),
            (
                r"C:\Users\me\AppData\Local\Programs\scim-token\scim-token.exe",
                None,
            ),
        ] {
            assert_eq!(network_share(path).as_deref(), share, "{path}");
        }
        let err = check(Path::new(r"\\fileserver\tools\scim-token.exe"), &[]).unwrap_err();
        assert!(
            err.to_string()
                .contains(r"on the network share \\fileserver\tools"),
            "{err}"
        );
    }

    #[test]
    fn inside_compares_as_windows_does() {
        let temp = r"C:\Users\me\AppData\Local\Temp";
        let cases = [
            (r"C:\Users\me\AppData\Local\Temp\x\scim-token.exe", temp, true),
            (r"c:\users\ME\appdata\local\TEMP\scim-token.exe", temp, true),
            (
                r"C:\Users\me\AppData\Local\Temp\scim-token.exe",
                r"C:\Users\me\AppData\Local\Temp\",
                true,
            ),
            (r"\\?\C:\Users\me\AppData\Local\Temp\scim-token.exe", temp, true),
            ("C:/Users/me/AppData/Local/Temp/scim-token.exe", temp, true),
            (
                r"\\?\UNC\server\share\tmp\scim-token.exe",
                r"\\server\share\tmp",
                true,
            ),
            (r"C:\Windows\Temp\scim-token.exe", r"C:\Windows\Temp", true),
            (r"C:\anything.exe", r"C:\", true),
            (r"C:\Users\me\AppData\Local\Temporary\scim-token.exe", temp, false),
            (r"C:\Users\me\AppData\Local\Temp", temp, false),
            (
                r"C:\Users\me\AppData\Local\Programs\scim-token\scim-token.exe",
                temp,
                false,
            ),
            (r"C:\Program Files\scim-token\scim-token.exe", temp, false),
            (r"C:\Program Files\scim-token\scim-token.exe", "", false),
        ];
        for (path, folder, expected) in cases {
            assert_eq!(inside(path, folder), expected, "{path} in {folder}");
        }
    }

    #[test]
    fn the_temp_folders_are_the_users_and_windows_own() {
        let temps = temp_folders();
        assert_eq!(temps[0], std::env::temp_dir());
        assert!(
            temps[1].to_string_lossy().to_lowercase().ends_with(r"\temp"),
            "{temps:?}"
        );
    }

    #[test]
    fn a_binary_in_a_temp_folder_is_refused_by_either_spelling() {
        let temp = tempfile::tempdir().unwrap();
        let binary = temp.path().join("scim-token.exe");
        std::fs::write(&binary, "").unwrap();
        let err = check(&binary, &[temp.path().to_owned()]).unwrap_err();
        assert!(matches!(err, WatchError::ReplaceableBinary { .. }), "{err}");
        let text = err.to_string();
        assert!(
            text.contains(&format!(
                "it is in the temporary folder {}",
                temp.path().display()
            )),
            "{text}"
        );
        assert!(text.contains("install scim-token"), "{text}");
        check(&binary, &[temp.path().join("elsewhere")]).unwrap();

        // The temp folder named through a link (as %TEMP% may be through a short name).
        #[cfg(unix)]
        {
            let other = tempfile::tempdir().unwrap();
            let alias = other.path().join("alias");
            std::os::unix::fs::symlink(temp.path(), &alias).unwrap();
            assert!(check(&binary, &[alias]).is_err());
        }
    }
}
