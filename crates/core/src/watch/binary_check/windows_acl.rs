//! Windows: who may change the binary or its folder, from their ACLs. PowerShell's `Get-Acl`
//! reads them (the Win32 security API would need `unsafe` FFI, which the workspace keeps to one
//! file), printing first `user|SID` (who runs it), then each allowing entry that applies to the
//! object itself as `path|SID|rights`, with the account as its SID and the rights as a number,
//! so nothing depends on the system's language. Only the user, SYSTEM, Administrators and
//! TrustedInstaller may write: an entry that lets any other account write is a refusal.

use std::path::Path;

use super::super::runner::Runner;
use super::super::{WatchError, schtasks};

/// Accounts that may write, besides the user: SYSTEM, Administrators, TrustedInstaller (who can
/// do anything on the computer anyway).
const TRUSTED_SIDS: [&str; 3] = [
    "S-1-5-18",
    "S-1-5-32-544",
    "S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464",
];

/// Names for the accounts most often found writing where they should not.
const KNOWN_SIDS: [(&str, &str); 4] = [
    ("S-1-1-0", "Everyone"),
    ("S-1-5-11", "Authenticated Users"),
    ("S-1-5-32-545", "Users"),
    ("S-1-5-4", "Interactive"),
];

/// Access bits that let an account replace the binary or put another in the folder: write or
/// add a file, append or add a folder, delete a child, delete, change the ACL or owner, and the
/// generic all and write rights.
const WRITING: i64 = 0x2 | 0x4 | 0x40 | 0x1_0000 | 0x4_0000 | 0x8_0000 | 0x1000_0000 | 0x4000_0000;

/// Windows PowerShell by its full path (by its bare name Windows would first look beside
/// scim-token).
pub(super) fn powershell(system_root: &str) -> String {
    format!(r"{system_root}\System32\WindowsPowerShell\v1.0\powershell.exe")
}

/// `text` as a PowerShell single-quoted string.
fn quoted(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The arguments that print the ACL entries of `paths` (see the module's comment).
pub(super) fn script_args(paths: &[&Path]) -> Vec<String> {
    let list = paths
        .iter()
        .map(|p| quoted(&p.to_string_lossy()))
        .collect::<Vec<_>>()
        .join(",");
    let script = format!(
        "$ErrorActionPreference='Stop'; 'user|' + [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value; foreach ($p in @({list})) {{ (Get-Acl -LiteralPath $p).Access | \
         Where-Object {{ $_.AccessControlType -eq 'Allow' -and -not ($_.PropagationFlags -band 2) }} | \
         ForEach-Object {{ '{{0}}|{{1}}|{{2}}' -f $p, $_.IdentityReference.Translate([System.Security.Principal.SecurityIdentifier]).Value, [int64]$_.FileSystemRights }} }}"
    );
    ["-NoProfile", "-NonInteractive", "-Command", &script]
        .iter()
        .map(|a| (*a).to_owned())
        .collect()
}

/// The `(path, account)` pairs in `output` where an account other than the user (its `user|`
/// line), SYSTEM, Administrators or TrustedInstaller may write. Without a `user|` line every
/// account but those three counts as another.
pub(super) fn other_writers(output: &str) -> Vec<(String, String)> {
    let me = output
        .lines()
        .find_map(|line| line.trim().strip_prefix("user|"))
        .map(str::trim);
    output
        .lines()
        .filter(|line| !line.trim().starts_with("user|"))
        .filter_map(|line| {
            let mut parts = line.trim().rsplitn(3, '|');
            let rights: i64 = parts.next()?.trim().parse().ok()?;
            let sid = parts.next()?.trim();
            let path = parts.next()?.trim();
            let trusted = TRUSTED_SIDS.iter().any(|t| t.eq_ignore_ascii_case(sid))
                || me.is_some_and(|me| me.eq_ignore_ascii_case(sid));
            if trusted || rights & WRITING == 0 {
                return None;
            }
            let name = KNOWN_SIDS
                .iter()
                .find(|(s, _)| s.eq_ignore_ascii_case(sid))
                .map_or_else(|| format!("the account {sid}"), |(_, name)| (*name).to_owned());
            Some((path.to_owned(), name))
        })
        .collect()
}

/// The folder of a Windows path (split at its last `\` or `/`, whatever system reads it).
fn folder_of(path: &str) -> &str {
    path.rfind(['\\', '/']).map_or(path, |i| &path[..i])
}

/// Refuses `binary` when an everyone-like account may change it or its folder; also when the
/// ACLs cannot be read (then nobody can say the binary is safe).
pub(super) fn check(binary: &Path, runner: &impl Runner) -> Result<(), WatchError> {
    let text = binary.to_string_lossy();
    let folder = folder_of(&text);
    let program = powershell(&schtasks::system_root(std::env::var_os("SystemRoot")));
    let refuse = |problem: String| {
        WatchError::ReplaceableBinary {
        binary: binary.to_owned(),
        problem,
        fix: r"install scim-token with its installer (into your AppData\Local\Programs folder), or move it into a folder only you and administrators can change, and turn the watch on from there".to_owned(),
    }
    };
    let ran = runner
        .run(&program, &script_args(&[Path::new(folder), binary]))
        .map_err(|e| {
            refuse(format!(
                "scim-token could not read who may change it ({program}: {e})"
            ))
        })?;
    if !ran.success {
        return Err(refuse(format!(
            "scim-token could not read who may change it (Get-Acl: {})",
            ran.describe()
        )));
    }
    match other_writers(&ran.stdout).first() {
        Some((path, account)) => Err(refuse(format!(
            "{account} may change {path}, so someone other than you and the administrators could replace it and run their code as you at every check"
        ))),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::watch::runner::Ran;

    struct Answer(Ran, std::cell::RefCell<Vec<(String, Vec<String>)>>);

    impl Runner for Answer {
        fn run(&self, program: &str, args: &[String]) -> std::io::Result<Ran> {
            self.1.borrow_mut().push((program.to_owned(), args.to_vec()));
            Ok(self.0.clone())
        }
    }

    fn answer(success: bool, stdout: &str) -> Answer {
        Answer(
            Ran {
                success,
                code: Some(i32::from(!success)),
                stdout: stdout.to_owned(),
                stderr: String::new(),
            },
            std::cell::RefCell::new(Vec::new()),
        )
    }

    const EXE: &str = r"C:\Tools\scim-token\scim-token.exe";

    #[test]
    fn a_folder_everyone_may_write_is_refused() {
        // A folder made directly under C:\: Authenticated Users get Modify (1245631).
        let out = "C:\\Tools\\scim-token|S-1-5-18|2032127\nC:\\Tools\\scim-token|S-1-5-32-544|2032127\nC:\\Tools\\scim-token|S-1-5-11|1245631\nC:\\Tools\\scim-token|S-1-5-32-545|1179817\n";
        let runner = answer(true, out);
        let err = check(Path::new(EXE), &runner).unwrap_err();
        assert!(
            err.to_string()
                .contains(r"Authenticated Users may change C:\Tools\scim-token"),
            "{err}"
        );
        let calls = runner.1.borrow();
        assert!(
            calls[0]
                .0
                .ends_with(r"\System32\WindowsPowerShell\v1.0\powershell.exe"),
            "{calls:?}"
        );
        assert!(
            calls[0].1[3].contains(r"@('C:\Tools\scim-token','C:\Tools\scim-token\scim-token.exe')"),
            "{calls:?}"
        );
    }

    #[test]
    fn a_per_user_or_program_files_install_passes() {
        // Program Files: Users read and execute (1179817); SYSTEM, Administrators full control.
        let out = "C:\\Program Files\\scim-token|S-1-5-18|2032127\nC:\\Program Files\\scim-token|S-1-5-32-544|2032127\nC:\\Program Files\\scim-token|S-1-5-32-545|-1610612736\nC:\\Program Files\\scim-token|S-1-5-32-545|1179817\nC:\\Program Files\\scim-token|S-1-15-2-1|1179817\n";
        assert!(
            check(
                Path::new(r"C:\Program Files\scim-token\scim-token.exe"),
                &answer(true, out)
            )
            .is_ok()
        );
        // GENERIC_READ|GENERIC_EXECUTE as a negative number reads no write bit; the user's own
        // SID with full control is fine.
        let own = "user|S-1-5-21-1-2-3-1001\nC:\\Users\\me\\AppData\\Local\\Programs\\scim-token|S-1-5-21-1-2-3-1001|2032127\nC:\\Users\\me\\AppData\\Local\\Programs\\scim-token|S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464|2032127\n";
        assert!(
            check(
                Path::new(r"C:\Users\me\AppData\Local\Programs\scim-token\scim-token.exe"),
                &answer(true, own)
            )
            .is_ok()
        );
    }

    #[test]
    fn another_users_write_access_is_refused_and_named_by_sid() {
        let out = "user|S-1-5-21-1-2-3-1001\nD:\\Shared\\scim-token|S-1-5-21-1-2-3-1001|2032127\nD:\\Shared\\scim-token|S-1-5-21-1-2-3-1002|1245631\n";
        let err = check(
            Path::new(r"D:\Shared\scim-token\scim-token.exe"),
            &answer(true, out),
        )
        .unwrap_err();
        assert!(
            err.to_string()
                .contains(r"the account S-1-5-21-1-2-3-1002 may change D:\Shared\scim-token"),
            "{err}"
        );
        // Without the user's own line, even its own entry counts as another's: nothing is assumed.
        let unknown_me = "D:\\Mine|S-1-5-21-1-2-3-1001|2032127\n";
        assert_eq!(other_writers(unknown_me).len(), 1);
        // Reading (1179817) is no write, whoever has it.
        assert!(other_writers("user|S-1-5-21-9\nD:\\x|S-1-5-21-1-2-3-1002|1179817\n").is_empty());
    }

    #[test]
    fn the_script_names_who_runs_it_first() {
        let args = script_args(&[Path::new(r"C:\a"), Path::new(r"C:\a\b.exe")]);
        assert!(
            args[3]
                .contains("'user|' + [System.Security.Principal.WindowsIdentity]::GetCurrent().User.Value"),
            "{args:?}"
        );
    }

    #[test]
    fn unreadable_acls_are_a_refusal_that_says_why() {
        let err = check(Path::new(EXE), &answer(false, "")).unwrap_err();
        assert!(
            err.to_string().contains("could not read who may change it"),
            "{err}"
        );
    }

    #[test]
    fn generic_write_and_odd_lines() {
        assert_eq!(
            other_writers("C:\\x|S-1-1-0|1073741824"),
            vec![("C:\\x".to_owned(), "Everyone".to_owned())]
        );
        assert!(other_writers("garbage\n|||\nC:\\x|S-1-1-0|not-a-number").is_empty());
        // A path with | in it still parses: the SID and rights are the last two fields.
        assert_eq!(
            other_writers("C:\\a|b|S-1-5-4|2"),
            vec![("C:\\a|b".to_owned(), "Interactive".to_owned())]
        );
        assert_eq!(quoted("o'brien"), "'o''brien'");
        assert_eq!(folder_of(r"C:\a\b.exe"), r"C:\a");
        assert_eq!(folder_of("C:/a/b.exe"), "C:/a");
    }
}
