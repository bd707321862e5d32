//! Unix: who besides the owner may write the binary, its directory, or a directory above it, by
//! their mode bits.
//!
//! - The binary and its directory: writable by neither their group nor other users
//!   (`mode & 0o022`). Writers of the file can change it; writers of the directory can rename
//!   another file over it. A POSIX ACL that lets anyone else write shows in the group bits (its
//!   mask), so it is refused too.
//! - Every directory above: not writable by other users, unless sticky (like `/tmp`, where only
//!   an entry's owner may rename or remove it). Their group may write: stock systems have such
//!   directories whose group is their administrators (macOS's `/Applications` is
//!   `root:admin 0775`), and refusing them would refuse standard installs.
//! - The path as given (what the scheduler runs) and the path with its links resolved are both
//!   checked; a link's own mode means nothing, only who may replace it in its directory.
//! - Owners: the binary and every directory to the root must be owned by you or root. Another
//!   user who owns any of them can change or replace it whatever its mode.
//!
//! Where users' umask is 002 (a private group per user, as on Debian or Fedora), a binary copied
//! by hand may be group-writable and is refused; the message gives the `chmod` that fixes it.

use std::fs;
use std::io;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

use super::super::{WatchError, shell_quote};

/// Where an entry sits relative to the binary; each place has its own rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// The binary itself.
    Binary,
    /// The directory that holds it.
    Directory,
    /// A directory further up, to the root.
    Above,
}

/// The sticky bit: in such a directory only an entry's owner may rename or remove it.
const STICKY: u32 = 0o1000;

/// Who besides the owner may write an entry with `mode` at `place` so as to replace the
/// binary; `None` when no one may.
fn writers(place: Place, mode: u32) -> Option<&'static str> {
    let others = mode & 0o002 != 0;
    let group = mode & 0o020 != 0;
    match place {
        Place::Binary | Place::Directory if others => Some("every user"),
        Place::Binary | Place::Directory if group => Some("its group"),
        Place::Above if others && mode & STICKY == 0 => Some("every user"),
        _ => None,
    }
}

/// Refuses `binary` when anyone but its owner may write it, its directory, or (without the
/// sticky bit) a directory above it, or when another user than this process's owns any of them.
pub(super) fn check(binary: &Path) -> Result<(), WatchError> {
    check_as(binary, rustix::process::geteuid().as_raw())
}

/// [`check`] for the user `me`.
fn check_as(binary: &Path, me: u32) -> Result<(), WatchError> {
    let resolved = fs::canonicalize(binary).map_err(|e| unreadable(binary, e))?;
    check_path(binary, binary, me)?;
    if resolved != binary {
        check_path(binary, &resolved, me)?;
    }
    Ok(())
}

/// Checks `path`, one spelling of `binary`: the file unless it is a link, then its directory
/// and every directory above.
fn check_path(binary: &Path, path: &Path, me: u32) -> Result<(), WatchError> {
    let own = fs::symlink_metadata(path).map_err(|e| unreadable(path, e))?;
    if !own.file_type().is_symlink() {
        refuse(binary, path, Place::Binary, own.permissions().mode())?;
        refuse_owner(binary, path, own.uid(), me)?;
    }
    for (depth, dir) in path.ancestors().skip(1).enumerate() {
        if dir.as_os_str().is_empty() {
            break;
        }
        let meta = fs::metadata(dir).map_err(|e| unreadable(dir, e))?;
        let place = if depth == 0 {
            Place::Directory
        } else {
            Place::Above
        };
        refuse(binary, dir, place, meta.permissions().mode())?;
        refuse_owner(binary, dir, meta.uid(), me)?;
    }
    Ok(())
}

/// The refusal for `entry` owned by `owner`, unless that is `me` or root.
fn refuse_owner(binary: &Path, entry: &Path, owner: u32, me: u32) -> Result<(), WatchError> {
    if owner == me || owner == 0 {
        return Ok(());
    }
    let what = if entry == binary {
        "it is owned by another user".to_owned()
    } else {
        format!("{} is owned by another user", entry.display())
    };
    Err(WatchError::ReplaceableBinary {
        binary: binary.to_owned(),
        problem: format!(
            "{what} (user ID {owner}), who could replace it and run their code as you at every check"
        ),
        fix: "install scim-token where only you or root own the folders (your own ~/.local/bin, or the system's package), and turn the watch on from there".to_owned(),
    })
}

/// The refusal for `entry` at `place`, when its `mode` lets others replace `binary`.
fn refuse(binary: &Path, entry: &Path, place: Place, mode: u32) -> Result<(), WatchError> {
    let Some(writers) = writers(place, mode) else {
        return Ok(());
    };
    let mode = format!("{:04o}", mode & 0o7777);
    let shown = entry.display();
    let (problem, chmod) = match place {
        Place::Binary => (
            format!("it is writable by {writers} (mode {mode}), who could change it"),
            "go-w",
        ),
        Place::Directory => (
            format!("its directory {shown} is writable by {writers} (mode {mode}), who could replace it"),
            "go-w",
        ),
        Place::Above => (
            format!(
                "{shown}, a directory above it, is writable by {writers} (mode {mode}) and not sticky, so anyone could replace what is in it"
            ),
            "o-w",
        ),
    };
    Err(WatchError::ReplaceableBinary {
        binary: binary.to_owned(),
        problem: format!("{problem} and run their code as you at every check"),
        fix: format!(
            "run `chmod {chmod} {}`, or install scim-token where only you or root can write",
            shell_quote(&entry.to_string_lossy())
        ),
    })
}

/// Reading `path`'s metadata failed.
fn unreadable(path: &Path, source: io::Error) -> WatchError {
    WatchError::File {
        action: "inspect",
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;

    #[test]
    fn who_may_replace_by_place_and_mode() {
        let cases = [
            (Place::Binary, 0o755, None),
            (Place::Binary, 0o700, None),
            (Place::Binary, 0o775, Some("its group")),
            (Place::Binary, 0o757, Some("every user")),
            (Place::Binary, 0o777, Some("every user")),
            (Place::Directory, 0o755, None),
            (Place::Directory, 0o1755, None),
            (Place::Directory, 0o770, Some("its group")),
            // Sticky does not help the binary's own directory: a cleaner may remove the file,
            // and then anyone may put another there.
            (Place::Directory, 0o1777, Some("every user")),
            (Place::Above, 0o755, None),
            (Place::Above, 0o775, None),
            (Place::Above, 0o1777, None),
            (Place::Above, 0o777, Some("every user")),
            (Place::Above, 0o757, Some("every user")),
        ];
        for (place, mode, expected) in cases {
            assert_eq!(writers(place, mode), expected, "{place:?} {mode:o}");
        }
    }

    fn chmod(path: &Path, mode: u32) {
        fs::set_permissions(path, fs::Permissions::from_mode(mode)).unwrap();
    }

    /// `<temp>/<dirs…>/scim-token`, every directory 0755 and the file 0755.
    fn installed(root: &Path, dirs: &[&str]) -> PathBuf {
        let mut dir = root.to_owned();
        for name in dirs {
            dir.push(name);
            fs::create_dir(&dir).unwrap();
            chmod(&dir, 0o755);
        }
        let binary = dir.join("scim-token");
        fs::write(&binary, "#!/bin/sh\n").unwrap();
        chmod(&binary, 0o755);
        binary
    }

    fn refusal(binary: &Path) -> String {
        check(binary).unwrap_err().to_string()
    }

    #[test]
    fn group_or_world_write_on_the_binary_or_its_directory_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let binary = installed(root.path(), &["bin"]);
        let dir = binary.parent().unwrap().to_owned();
        check(&binary).unwrap();
        for (entry, mode, says) in [
            (&binary, 0o775, "it is writable by its group (mode 0775)"),
            (&binary, 0o757, "it is writable by every user (mode 0757)"),
            (&dir, 0o775, "is writable by its group (mode 0775)"),
            (&dir, 0o1777, "is writable by every user (mode 1777)"),
        ] {
            chmod(entry, mode);
            let err = check(&binary).unwrap_err();
            assert!(matches!(err, WatchError::ReplaceableBinary { .. }), "{err}");
            let text = err.to_string();
            assert!(
                text.starts_with(&format!("refusing to schedule {}: ", binary.display())),
                "{text}"
            );
            assert!(text.contains(says), "{text}");
            assert!(
                text.contains(&format!("run `chmod go-w {}`", entry.display())),
                "{text}"
            );
            chmod(entry, 0o755);
        }
        check(&binary).unwrap();
    }

    #[test]
    fn a_world_writable_directory_above_is_refused_unless_sticky() {
        let root = tempfile::tempdir().unwrap();
        let binary = installed(root.path(), &["shared", "tools", "bin"]);
        let shared = root.path().join("shared");
        chmod(&shared, 0o777);
        let text = refusal(&binary);
        assert!(
            text.contains(&format!(
                "{}, a directory above it, is writable by every user (mode 0777) and not sticky",
                shared.display()
            )),
            "{text}"
        );
        assert!(
            text.contains(&format!("run `chmod o-w {}`", shared.display())),
            "{text}"
        );
        chmod(&shared, 0o1777);
        check(&binary).unwrap();
        chmod(&shared, 0o775);
        check(&binary).unwrap();
    }

    #[test]
    fn a_link_is_checked_where_it_sits_and_where_it_leads() {
        let root = tempfile::tempdir().unwrap();
        let real = installed(root.path(), &["opt", "bin"]);
        let links = root.path().join("links");
        fs::create_dir(&links).unwrap();
        chmod(&links, 0o755);
        let link = links.join("scim-token");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        check(&link).unwrap();

        // Where it sits: whoever may write that directory may point the link elsewhere.
        chmod(&links, 0o777);
        let text = refusal(&link);
        assert!(
            text.contains(&format!(
                "its directory {} is writable by every user",
                links.display()
            )),
            "{text}"
        );
        chmod(&links, 0o755);

        // Where it leads: the file the scheduler really runs.
        chmod(&real, 0o775);
        let text = refusal(&link);
        assert!(
            text.starts_with(&format!("refusing to schedule {}: ", link.display())),
            "{text}"
        );
        assert!(
            text.contains(&format!("run `chmod go-w {}`", real.display())),
            "{text}"
        );
    }

    #[test]
    fn a_binary_or_folder_owned_by_another_user_is_refused() {
        let root = tempfile::tempdir().unwrap();
        let binary = installed(root.path(), &["bin"]);
        let owner = fs::metadata(&binary).unwrap().uid();
        assert!(check_as(&binary, owner).is_ok(), "{:?}", check_as(&binary, owner));
        // Seen as another user: the files the test made belong to someone else. (Unless the
        // test runs as root, whose files everyone trusts: then the folder is handed to uid 4242.)
        if owner == 0 {
            std::os::unix::fs::chown(binary.parent().unwrap(), Some(4242), None).unwrap();
            let err = check_as(&binary, 0).unwrap_err().to_string();
            assert!(
                err.contains("is owned by another user (user ID 4242)") && err.contains("/bin"),
                "{err}"
            );
        } else {
            let err = check_as(&binary, owner + 1).unwrap_err().to_string();
            assert!(err.contains("it is owned by another user"), "{err}");
        }
    }

    #[test]
    fn a_binary_that_is_not_there_is_named() {
        let root = tempfile::tempdir().unwrap();
        let missing = root.path().join("scim-token");
        let err = check(&missing).unwrap_err();
        assert!(
            matches!(&err, WatchError::File { action: "inspect", path, .. } if *path == missing),
            "{err}"
        );
    }
}
