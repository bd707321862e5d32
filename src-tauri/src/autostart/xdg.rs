//! The XDG autostart entry (freedesktop.org Desktop Application Autostart Specification):
//! `$XDG_CONFIG_HOME/autostart/scim-token.desktop`, or `~/.config/autostart/…` when
//! `XDG_CONFIG_HOME` is unset or not absolute.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::CommandError;
use scim_token_core::ErrorKind;

const FILE_NAME: &str = "scim-token.desktop";

/// Where the entry lives for this user.
pub(super) fn entry_path() -> Result<PathBuf, CommandError> {
    let config = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))
        .ok_or_else(|| {
            CommandError::new(
                ErrorKind::Autostart,
                "cannot find your config directory: neither XDG_CONFIG_HOME nor HOME is set",
            )
        })?;
    Ok(config.join("autostart").join(FILE_NAME))
}

/// The program the entry starts: the AppImage when running from one, else this executable.
pub(super) fn launcher() -> Result<PathBuf, CommandError> {
    if let Some(appimage) = std::env::var_os("APPIMAGE") {
        return Ok(appimage.into());
    }
    std::env::current_exe().map_err(|e| {
        CommandError::new(
            ErrorKind::Autostart,
            format!("cannot tell where the app is installed: {e}"),
        )
    })
}

/// Writes the entry (replacing any earlier one whole: temp file, then rename).
pub(super) fn write_entry(path: &Path, program: &Path, arg: &str) -> Result<(), CommandError> {
    let dir = path.parent().expect("the entry path has a directory");
    let failed = |e: std::io::Error| {
        CommandError::new(
            ErrorKind::Autostart,
            format!("cannot write {}: {e}", path.display()),
        )
    };
    std::fs::create_dir_all(dir).map_err(failed)?;
    let temp = dir.join(format!(".{FILE_NAME}.tmp"));
    let mut file = std::fs::File::create(&temp).map_err(failed)?;
    file.write_all(desktop_entry(program, arg).as_bytes())
        .and_then(|()| file.sync_all())
        .and_then(|()| std::fs::rename(&temp, path))
        .map_err(|e| {
            let _ = std::fs::remove_file(&temp);
            failed(e)
        })
}

/// Removes the entry; already gone is fine.
pub(super) fn remove_entry(path: &Path) -> Result<(), CommandError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(CommandError::new(
            ErrorKind::Autostart,
            format!("cannot remove {}: {e}", path.display()),
        )),
        _ => Ok(()),
    }
}

fn desktop_entry(program: &Path, arg: &str) -> String {
    let exec = format!(
        "{} {}",
        exec_argument(&program.to_string_lossy()),
        exec_argument(arg)
    );
    format!(
        "[Desktop Entry]\n\
         Type=Application\n\
         Version=1.0\n\
         Name=scim-token\n\
         Comment=Reminds you before the Webex SCIM token for Azure provisioning expires\n\
         Exec={}\n\
         Icon=scim-token-desktop\n\
         Terminal=false\n\
         X-GNOME-Autostart-enabled=true\n",
        string_value(&exec)
    )
}

/// One argument of an `Exec` key: `%` doubled (field codes), quoted when it holds a reserved
/// character, with `"`, `` ` ``, `$` and `\` escaped inside the quotes.
fn exec_argument(arg: &str) -> String {
    let arg = arg.replace('%', "%%");
    const RESERVED: &[char] = &[
        ' ', '\t', '\n', '"', '\'', '\\', '>', '<', '~', '|', '&', ';', '$', '*', '?', '#', '(', ')', '`',
    ];
    if arg.is_empty() || arg.contains(RESERVED) {
        let mut quoted = String::from("\"");
        for c in arg.chars() {
            if matches!(c, '"' | '`' | '$' | '\\') {
                quoted.push('\\');
            }
            quoted.push(c);
        }
        quoted.push('"');
        quoted
    } else {
        arg
    }
}

/// A desktop-entry string value: backslashes and control characters escaped.
fn string_value(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('\n', "\\n")
        .replace('\t', "\\t")
        .replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exec_line(program: &str) -> String {
        desktop_entry(Path::new(program), "--tray")
            .lines()
            .find_map(|l| l.strip_prefix("Exec=").map(str::to_owned))
            .unwrap()
    }

    #[test]
    fn a_plain_path_is_written_as_is() {
        assert_eq!(
            exec_line("/usr/bin/scim-token-desktop"),
            "/usr/bin/scim-token-desktop --tray"
        );
    }

    #[test]
    fn reserved_characters_are_quoted_and_escaped_twice() {
        // Exec quoting turns `\` into `\\`; the string value escaping doubles that again.
        assert_eq!(
            exec_line("/opt/My Apps/a$b\\c/100%/scim"),
            r#""/opt/My Apps/a\\$b\\\\c/100%%/scim" --tray"#
        );
    }

    #[test]
    fn the_entry_is_written_whole_and_removed() {
        let dir = std::env::temp_dir().join(format!("scim-token-xdg-{}", std::process::id()));
        let path = dir.join("autostart").join(FILE_NAME);
        write_entry(&path, Path::new("/usr/bin/scim-token-desktop"), "--tray").unwrap();
        let entry = std::fs::read_to_string(&path).unwrap();
        assert!(entry.starts_with("[Desktop Entry]\n"));
        assert!(entry.contains("\nType=Application\n"));
        assert!(entry.contains("\nExec=/usr/bin/scim-token-desktop --tray\n"));
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, [FILE_NAME], "no temp file left beside the entry");
        remove_entry(&path).unwrap();
        assert!(!path.exists());
        remove_entry(&path).expect("removing twice is fine");
        std::fs::remove_dir_all(dir).unwrap();
    }
}
