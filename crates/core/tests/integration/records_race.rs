//! Two processes (say the CLI's `login` and the desktop app's sign-in), each with two threads,
//! storing into one records file at once: with the lock and unique temp files no change is lost
//! and no half-written file is left (without the lock, records are lost). `forget` takes the same
//! lock-load-change-write path. Needs the real keyring of `scripts/world`.

use std::process::Command;
use std::sync::Arc;

use scim_token_core::vault::Vault;
use scim_token_core::{AccessToken, BrokerId, TokenRecord};
use time::OffsetDateTime;

/// Set in a child: "<records dir>|<keyring service>|<writer letter>".
const WRITER: &str = "SCIM_TOKEN_RACE_WRITER";
const THREADS: u32 = 2;
const PER_THREAD: u32 = 25;

fn org(writer: char, thread: u32, n: u32) -> String {
    format!("{writer}{thread}{n:06x}-9643-417f-9974-ad72cae0e10f")
}

fn store(vault: &Vault, org: &str) {
    let token = AccessToken::new(format!("cmFjZQ_PF84_{org}"));
    let record = TokenRecord::new(
        &token,
        org.parse().unwrap(),
        BrokerId::Webex,
        OffsetDateTime::now_utc(),
        None,
    );
    vault
        .store(&token, &record)
        .expect("store (needs the keyring of scripts/world)");
}

/// The child's side: store from several threads at once.
fn write_as_child(spec: &str) {
    let mut parts = spec.split('|');
    let (dir, service, writer) = (
        parts.next().unwrap(),
        parts.next().unwrap(),
        parts.next().unwrap(),
    );
    let writer = writer.chars().next().unwrap();
    let vault = Arc::new(Vault::new(service, std::path::Path::new(dir)));
    let threads: Vec<_> = (0..THREADS)
        .map(|thread| {
            let vault = vault.clone();
            std::thread::spawn(move || {
                for n in 0..PER_THREAD {
                    store(&vault, &org(writer, thread, n));
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
}

#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn two_processes_storing_at_once_lose_nothing() {
    if let Ok(spec) = std::env::var(WRITER) {
        write_as_child(&spec);
        return;
    }
    // On disk, not tmpfs: a real fsync makes each write take as long as it does for users.
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let service = format!("scim-token-test-race-{}", std::process::id());
    let children: Vec<_> = ['a', 'b']
        .iter()
        .map(|writer| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "records_race::two_processes_storing_at_once_lose_nothing",
                    "--exact",
                    "--include-ignored",
                    "--nocapture",
                ])
                .env(WRITER, format!("{}|{service}|{writer}", dir.path().display()))
                .spawn()
                .unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success(), "a writer failed");
    }
    let vault = Vault::new(service, dir.path());
    let mut stored: Vec<String> = vault
        .records()
        .unwrap()
        .iter()
        .map(|r| r.org_id.to_string())
        .collect();
    stored.sort();
    let mut expected: Vec<String> = ['a', 'b']
        .iter()
        .flat_map(|w| (0..THREADS).flat_map(move |t| (0..PER_THREAD).map(move |n| org(*w, t, n))))
        .collect();
    expected.sort();
    let lost: Vec<&String> = expected.iter().filter(|o| !stored.contains(o)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} records lost: {lost:?}",
        lost.len(),
        expected.len()
    );
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    for record in vault.records().unwrap() {
        vault.forget(&record.key()).unwrap();
    }
}
