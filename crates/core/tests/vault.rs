//! The vault against the real OS keyring (in CI: gnome-keyring in a private D-Bus session, started
//! by `scripts/test`).

use std::fs;

use scim_token_core::vault::{Vault, VaultError};
use scim_token_core::{AccessToken, BrokerId, OrgId, TokenRecord};
use time::OffsetDateTime;

fn token(n: u32, org: &str) -> AccessToken {
    AccessToken::new(format!("dmF1bHR0ZXN0{n}_PF84_{org}"))
}

fn record(token: &AccessToken) -> TokenRecord {
    let org = token.org_id_hint().unwrap();
    TokenRecord::new(token, org, BrokerId::Webex, OffsetDateTime::now_utc(), None)
}

/// A vault with a keyring service name of its own, so tests never meet each other or real entries.
fn vault(name: &str, dir: &std::path::Path) -> Vault {
    Vault::new(format!("scim-token-test-{name}-{}", std::process::id()), dir)
}

fn keyring_or_explain<T>(result: Result<T, VaultError>) -> T {
    result.unwrap_or_else(|e| {
        panic!("this test needs a Secret Service keyring; run it through scripts/test, which starts one: {e}")
    })
}

#[test]
fn store_read_list_forget() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("roundtrip", dir.path());
    let a = token(1, "1eb65fdf-9643-417f-9974-ad72cae0e10f");
    let b = token(2, "2eb65fdf-9643-417f-9974-ad72cae0e10f");
    keyring_or_explain(vault.store(&a, &record(&a)));
    vault.store(&b, &record(&b)).unwrap();

    let org_a = a.org_id_hint().unwrap();
    assert_eq!(vault.token(org_a).unwrap(), a);
    assert_eq!(vault.records().unwrap().len(), 2);
    let on_disk = fs::read_to_string(vault.records_path()).unwrap();
    assert!(on_disk.contains(&org_a.to_string()));
    assert!(
        !on_disk.contains(a.expose_secret()),
        "the records file must not hold the token"
    );

    // Replacing keeps one record per org.
    let a2 = token(3, "1eb65fdf-9643-417f-9974-ad72cae0e10f");
    vault.store(&a2, &record(&a2)).unwrap();
    assert_eq!(vault.token(org_a).unwrap(), a2);
    assert_eq!(vault.record(org_a).unwrap().fingerprint, a2.fingerprint());
    assert_eq!(vault.records().unwrap().len(), 2);

    vault.forget(org_a).unwrap();
    assert!(matches!(vault.token(org_a), Err(VaultError::NotFound(_))));
    assert!(matches!(vault.record(org_a), Err(VaultError::NotFound(_))));
    vault.forget(org_a).unwrap();
    vault.forget(b.org_id_hint().unwrap()).unwrap();
    assert!(vault.records().unwrap().is_empty());
}

#[test]
fn failed_record_write_keeps_the_previous_token() {
    let dir = tempfile::tempdir().unwrap();
    let good = vault("rollback", dir.path());
    let old = token(1, "3eb65fdf-9643-417f-9974-ad72cae0e10f");
    keyring_or_explain(good.store(&old, &record(&old)));

    // Same keyring service, but a records directory that cannot be created (its parent is a file).
    let blocker = dir.path().join("not-a-dir");
    fs::write(&blocker, b"").unwrap();
    let broken = Vault::new(
        format!("scim-token-test-rollback-{}", std::process::id()),
        &blocker.join("sub"),
    );
    let new = token(2, "3eb65fdf-9643-417f-9974-ad72cae0e10f");
    let err = broken.store(&new, &record(&new)).unwrap_err();
    assert!(matches!(err, VaultError::Records { .. }), "{err:?}");
    assert!(err.to_string().contains("not-a-dir"), "{err}");

    let org = old.org_id_hint().unwrap();
    assert_eq!(good.token(org).unwrap(), old, "the keyring must be rolled back");
    assert_eq!(good.record(org).unwrap().fingerprint, old.fingerprint());
    good.forget(org).unwrap();

    // With no earlier token, a failed write leaves nothing behind.
    let fresh = token(4, "4eb65fdf-9643-417f-9974-ad72cae0e10f");
    broken.store(&fresh, &record(&fresh)).unwrap_err();
    assert!(matches!(
        good.token(fresh.org_id_hint().unwrap()),
        Err(VaultError::NotFound(_))
    ));
}

#[test]
fn corrupt_records_are_kept_aside_not_overwritten() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("corrupt", dir.path());
    fs::write(vault.records_path(), b"{ not json").unwrap();

    let err = vault.records().unwrap_err();
    let VaultError::CorruptRecords { kept_at, .. } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(fs::read(kept_at).unwrap(), b"{ not json");
    assert!(err.to_string().contains("kept aside"), "{err}");
    assert!(vault.records().unwrap().is_empty());

    let t = token(1, "5eb65fdf-9643-417f-9974-ad72cae0e10f");
    keyring_or_explain(vault.store(&t, &record(&t)));
    assert_eq!(vault.records().unwrap().len(), 1);
    assert_eq!(
        fs::read(kept_at).unwrap(),
        b"{ not json",
        "the corrupt file is never overwritten"
    );
    vault.forget(t.org_id_hint().unwrap()).unwrap();
}

#[test]
fn unknown_org_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let vault = vault("missing", dir.path());
    let org: OrgId = "6eb65fdf-9643-417f-9974-ad72cae0e10f".parse().unwrap();
    let err = vault.token(org).unwrap_err();
    assert!(matches!(err, VaultError::NotFound(_)), "{err:?}");
    // Core names no shell's command; each shell adds its own next step.
    assert!(
        err.to_string().contains("no token is stored for org 6eb65fdf"),
        "{err}"
    );
    assert!(!err.to_string().contains("scim-token login"), "{err}");
}
