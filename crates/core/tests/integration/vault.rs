//! The vault against the real OS keyring (in CI: gnome-keyring in a private D-Bus session, started
//! by `scripts/test`).

use std::fs;

use scim_token_core::vault::{Vault, VaultError, keyring_account};
use scim_token_core::{AccessToken, BrokerId, TokenRecord};
use time::OffsetDateTime;

fn token(n: u32, org: &str) -> AccessToken {
    AccessToken::new(format!("dmF1bHR0ZXN0{n}_PF84_{org}"))
}

fn record_at(token: &AccessToken, broker: BrokerId) -> TokenRecord {
    let org = token.org_id_hint().unwrap();
    TokenRecord::new(token, org, broker, OffsetDateTime::now_utc(), None)
}

fn record(token: &AccessToken) -> TokenRecord {
    record_at(token, BrokerId::Webex)
}

/// A keyring service name of its own, so tests never meet each other or real entries.
fn service(name: &str) -> String {
    format!("scim-token-test-{name}-{}", std::process::id())
}

fn vault(name: &str, dir: &std::path::Path) -> Vault {
    Vault::new(service(name), dir)
}

fn keyring_or_explain<T>(result: Result<T, VaultError>) -> T {
    result.unwrap_or_else(|e| {
        panic!("this test needs a Secret Service keyring; run it through scripts/test, which starts one: {e}")
    })
}

#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn store_read_list_forget() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("roundtrip", dir.path());
    let a = token(1, "1eb65fdf-9643-417f-9974-ad72cae0e10f");
    let b = token(2, "2eb65fdf-9643-417f-9974-ad72cae0e10f");
    keyring_or_explain(vault.store(&a, &record(&a)));
    vault.store(&b, &record(&b)).unwrap();

    assert_eq!(vault.token(&record(&a)).unwrap(), a);
    assert_eq!(vault.records().unwrap().len(), 2);
    let on_disk = fs::read_to_string(vault.records_path()).unwrap();
    assert!(on_disk.contains(&a.org_id_hint().unwrap().to_string()));
    assert!(
        !on_disk.contains(a.expose_secret()),
        "the records file must not hold the token"
    );

    // Replacing keeps one record per broker and org.
    let a2 = token(3, "1eb65fdf-9643-417f-9974-ad72cae0e10f");
    vault.store(&a2, &record(&a2)).unwrap();
    assert_eq!(vault.token(&record(&a2)).unwrap(), a2);
    assert_eq!(vault.records().unwrap().len(), 2);

    vault.forget(&record(&a2).key()).unwrap();
    assert!(matches!(vault.token(&record(&a2)), Err(VaultError::NotFound(_))));
    vault.forget(&record(&a2).key()).unwrap();
    vault.forget(&record(&b).key()).unwrap();
    assert!(vault.records().unwrap().is_empty());
}

#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn a_sandbox_token_for_a_real_org_never_replaces_the_production_one() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("per-broker", dir.path());
    let org = "7eb65fdf-9643-417f-9974-ad72cae0e10f";
    let production = token(1, org);
    let sandbox = token(2, org);
    let production_record = record(&production);
    let sandbox_record = record_at(&sandbox, BrokerId::sandbox_default());
    keyring_or_explain(vault.store(&production, &production_record));
    vault.store(&sandbox, &sandbox_record).unwrap();

    assert_eq!(vault.records().unwrap().len(), 2, "two tokens, one per broker");
    assert_eq!(vault.token(&production_record).unwrap(), production);
    assert_eq!(vault.token(&sandbox_record).unwrap(), sandbox);

    vault.forget(&sandbox_record.key()).unwrap();
    assert_eq!(vault.token(&production_record).unwrap(), production);
    vault.forget(&production_record.key()).unwrap();
}

#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn a_token_stored_under_the_org_alone_moves_to_its_broker_entry() {
    let dir = tempfile::tempdir().unwrap();
    let name = service("legacy");
    let vault = Vault::new(name.clone(), dir.path());
    let org = "8eb65fdf-9643-417f-9974-ad72cae0e10f";
    let old = token(1, org);
    let old_record = record_at(&old, BrokerId::sandbox_default());
    // What an earlier version did: the sandbox token under the plain org ID.
    keyring_or_explain(vault.store(&old, &record(&old)));
    assert_eq!(keyring_account(&record(&old).key()), org);

    assert_eq!(
        vault.token(&old_record).unwrap(),
        old,
        "found through the old name"
    );
    let old_entry = keyring::Entry::new(&name, org).unwrap();
    assert!(
        matches!(old_entry.get_password(), Err(keyring::Error::NoEntry)),
        "the old entry is gone once moved"
    );
    assert_eq!(
        vault.token(&old_record).unwrap(),
        old,
        "and found under the new one"
    );

    // A plain-org entry holding another token is not taken for this record's.
    let other = token(2, org);
    old_entry.set_password(other.expose_secret()).unwrap();
    let wanted = record_at(&token(3, org), BrokerId::Government);
    assert!(matches!(vault.token(&wanted), Err(VaultError::NotFound(_))));
    assert_eq!(
        old_entry.get_password().unwrap(),
        other.expose_secret(),
        "left where it was"
    );
    let _ = old_entry.delete_credential();
    vault.forget(&old_record.key()).unwrap();
}

#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn a_keyring_entry_that_disagrees_with_its_record_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let name = service("mismatch");
    let vault = Vault::new(name.clone(), dir.path());
    let org = "9eb65fdf-9643-417f-9974-ad72cae0e10f";
    let stored = token(1, org);
    let stored_record = record(&stored);
    keyring_or_explain(vault.store(&stored, &stored_record));

    // A write that outlived its timeout lands late, or another program edits the entry.
    let late = token(2, org);
    keyring::Entry::new(&name, &keyring_account(&stored_record.key()))
        .unwrap()
        .set_password(late.expose_secret())
        .unwrap();
    let err = vault.token(&stored_record).unwrap_err();
    assert!(matches!(err, VaultError::Mismatch { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.contains(&stored.fingerprint()) && text.contains(&late.fingerprint()),
        "{text}"
    );
    assert!(
        !text.contains(late.expose_secret()),
        "the message names fingerprints, never tokens"
    );
    vault.forget(&stored_record.key()).unwrap();
}

#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn failed_record_write_keeps_the_previous_token() {
    let dir = tempfile::tempdir().unwrap();
    let good = vault("rollback", dir.path());
    let old = token(1, "3eb65fdf-9643-417f-9974-ad72cae0e10f");
    keyring_or_explain(good.store(&old, &record(&old)));

    // Same keyring service, but a records directory that cannot be created (its parent is a file).
    let blocker = dir.path().join("not-a-dir");
    fs::write(&blocker, b"").unwrap();
    let broken = Vault::new(service("rollback"), &blocker.join("sub"));
    let new = token(2, "3eb65fdf-9643-417f-9974-ad72cae0e10f");
    let err = broken.store(&new, &record(&new)).unwrap_err();
    assert!(matches!(err, VaultError::Records { .. }), "{err:?}");
    assert!(err.to_string().contains("not-a-dir"), "{err}");

    assert_eq!(
        good.token(&record(&old)).unwrap(),
        old,
        "the keyring must be rolled back"
    );
    good.forget(&record(&old).key()).unwrap();

    // With no earlier token, a failed write leaves nothing behind.
    let fresh = token(4, "4eb65fdf-9643-417f-9974-ad72cae0e10f");
    broken.store(&fresh, &record(&fresh)).unwrap_err();
    assert!(matches!(
        good.token(&record(&fresh)),
        Err(VaultError::NotFound(_))
    ));
}

#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn an_unreadable_records_file_is_reported_on_every_read_and_kept_aside_by_a_sign_in() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("corrupt", dir.path());
    fs::write(vault.records_path(), b"{ not json").unwrap();

    for _ in 0..2 {
        let err = vault.records().unwrap_err();
        assert!(matches!(err, VaultError::CorruptRecords { .. }), "{err:?}");
        assert_eq!(
            fs::read(vault.records_path()).unwrap(),
            b"{ not json",
            "a read moves nothing"
        );
    }

    let t = token(1, "5eb65fdf-9643-417f-9974-ad72cae0e10f");
    // Forgetting one org does not discard the file.
    assert!(vault.forget(&record(&t).key()).is_err());
    assert_eq!(fs::read(vault.records_path()).unwrap(), b"{ not json");

    let stored = keyring_or_explain(vault.store(&t, &record(&t)));
    let kept_at = stored
        .set_aside
        .expect("the sign-in kept the unreadable file aside");
    assert_eq!(fs::read(&kept_at).unwrap(), b"{ not json", "never overwritten");
    assert_eq!(vault.records().unwrap().len(), 1);
    vault.forget(&record(&t).key()).unwrap();
}

#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn unknown_org_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("missing", dir.path());
    let t = token(9, "6eb65fdf-9643-417f-9974-ad72cae0e10f");
    let err = vault.token(&record(&t)).unwrap_err();
    assert!(matches!(err, VaultError::NotFound(_)), "{err:?}");
    // Core names no shell's command; each shell adds its own next step.
    assert!(
        err.to_string().contains("no token is stored for org 6eb65fdf"),
        "{err}"
    );
    assert!(!err.to_string().contains("scim-token login"), "{err}");
}

/// An Entra refresh token longer than one keyring entry holds on Windows is split over several
/// entries, read back whole, shortened on rotation, and removed entirely on sign-out.
#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn long_entra_refresh_tokens_survive_the_keyring() {
    use oauth2::RefreshToken;
    use scim_token_core::entra::{Cloud, EntraTarget};
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("entra-long", dir.path());
    let target = EntraTarget::new(Cloud::Global);
    let long = RefreshToken::new(format!("0.A{}", "bC9-_".repeat(900)));
    keyring_or_explain(vault.store_entra_session(&target, &long, None, OffsetDateTime::now_utc()));
    let read = vault.entra_refresh_token(&target).unwrap().expect("kept");
    assert_eq!(read.secret(), long.secret());
    assert_eq!(vault.entra_sessions().unwrap()[0].chunks, 5);
    let first_generation = vault.entra_sessions().unwrap()[0].generation.clone();
    assert!(
        !first_generation.is_empty(),
        "each kept token has a generation of its own"
    );

    let short = RefreshToken::new("0.Ashort".into());
    vault.rotate_entra_refresh_token(&target, &long, &short).unwrap();
    assert_eq!(
        vault
            .entra_refresh_token(&target)
            .unwrap()
            .expect("kept")
            .secret(),
        "0.Ashort"
    );
    // The first generation's pieces are gone once the record moved to the second.
    let account = format!(
        "{}~{first_generation}",
        scim_token_core::vault::entra_keyring_account(&target)
    );
    let now = &vault.entra_sessions().unwrap()[0];
    assert_eq!(now.chunks, 1);
    assert_ne!(now.generation, first_generation);
    for piece in 0..5 {
        let name = if piece == 0 {
            account.clone()
        } else {
            format!("{account}#{piece}")
        };
        let stale = keyring::Entry::new(&service("entra-long"), &name).unwrap();
        assert!(
            matches!(stale.get_password(), Err(keyring::Error::NoEntry)),
            "no piece of an older generation is left ({name})"
        );
    }
    // A token that is not the kept one does not replace it (another program rotated first).
    let stray = RefreshToken::new("0.Astray".into());
    vault.rotate_entra_refresh_token(&target, &long, &stray).unwrap();
    assert_eq!(
        vault
            .entra_refresh_token(&target)
            .unwrap()
            .expect("kept")
            .secret(),
        "0.Ashort"
    );

    vault.forget_entra_session(&target).unwrap();
    assert!(vault.entra_refresh_token(&target).unwrap().is_none());
    assert!(vault.entra_sessions().unwrap().is_empty());
}

/// Every refresh token the keyring holds is named in the records before it is written, whether
/// a sign-in is kept for the first time, replaces another, or a refresh rotates it: at the point
/// where a crash would stop the program (just after the keyring write), the records already name
/// the new entry, so a sign-out finds and removes it.
#[test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
fn a_refresh_token_is_named_in_the_records_before_it_is_written() {
    use oauth2::RefreshToken;
    use scim_token_core::entra::{Cloud, EntraTarget};
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("entra-named", dir.path());
    let target = EntraTarget::new(Cloud::Global);
    let base = scim_token_core::vault::entra_keyring_account(&target);
    let entries_file = dir.path().join("entra.json");
    // The generations the records file names for `target`, read straight from the file (the
    // program holds the lock).
    let named = || -> Vec<String> {
        let text = std::fs::read_to_string(&entries_file).unwrap_or_default();
        let file: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
        let mut generations = Vec::new();
        for record in file["records"].as_array().into_iter().flatten() {
            generations.push(record["generation"].as_str().unwrap_or("").to_owned());
            for pending in record["pending"].as_array().into_iter().flatten() {
                generations.push(pending.as_str().unwrap().to_owned());
            }
        }
        generations
    };
    let written_is_named = |secret: &str| {
        let kept: Vec<String> = named()
            .into_iter()
            .filter(|g| {
                keyring::Entry::new(&service("entra-named"), &format!("{base}~{g}"))
                    .and_then(|e| e.get_password())
                    .is_ok_and(|p| p == secret)
            })
            .collect();
        assert_eq!(kept.len(), 1, "the entry just written is named: {:?}", named());
    };
    let first = RefreshToken::new("0.Afirst".into());
    keyring_or_explain(vault.store_entra_session_pausing(
        &target,
        &first,
        None,
        OffsetDateTime::now_utc(),
        || written_is_named("0.Afirst"),
    ));
    let second = RefreshToken::new("0.Asecond".into());
    vault
        .store_entra_session_pausing(&target, &second, None, OffsetDateTime::now_utc(), || {
            written_is_named("0.Asecond")
        })
        .unwrap();
    let third = RefreshToken::new("0.Athird".into());
    vault
        .rotate_entra_refresh_token_pausing(&target, &second, &third, || written_is_named("0.Athird"))
        .unwrap();
    let records = vault.entra_sessions().unwrap();
    assert_eq!(records.len(), 1);
    assert!(records[0].pending.is_empty(), "{:?}", records[0].pending);
    assert_eq!(
        vault
            .entra_refresh_token(&target)
            .unwrap()
            .expect("kept")
            .secret(),
        "0.Athird"
    );
    vault.forget_entra_session(&target).unwrap();
    assert!(named().is_empty());
}
