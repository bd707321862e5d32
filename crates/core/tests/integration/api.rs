//! The use cases of `api::Tokens` against the real keyring of `scripts/world`: what both shells
//! rely on when a sign-in finishes.

use scim_token_core::api::Kept;
use scim_token_core::callback;
use scim_token_core::vault::Vault;
use scim_token_core::{Api, ApiError, AuthorizeRequest, Broker, BrokerId, ErrorKind, OrgId};
use time::OffsetDateTime;
use url::Url;

/// A custom broker on a closed loopback port: the People API lookup fails at once and nothing
/// leaves the machine.
fn offline_broker() -> Broker {
    Broker::resolve(&BrokerId::Custom {
        base: Url::parse("http://127.0.0.1:1/").unwrap(),
    })
}

fn tokens(dir: &std::path::Path, name: &str) -> Api {
    Api::new(Vault::new(
        format!("scim-token-test-api-{name}-{}", std::process::id()),
        dir,
    ))
}

#[tokio::test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
async fn a_token_without_an_org_is_held_until_the_org_is_given() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = tokens(dir.path(), "needs-org");
    let pending = AuthorizeRequest::new(offline_broker())
        .with_state_for_tests("api-test-state")
        .start(OffsetDateTime::now_utc());
    let captured = callback::parse(
        "#access_token=bm9vcmdpbnRoaXN0b2tlbg&token_type=Bearer&expires_in=3600&state=api-test-state",
        &pending,
    )
    .unwrap();

    let needs = tokens
        .complete_sign_in(pending, captured, None)
        .await
        .unwrap_err();
    assert!(needs.reason.to_string().contains("org ID"), "{}", needs.reason);
    assert!(tokens.records().unwrap().is_empty(), "nothing stored yet");

    let org: OrgId = "0eb65fdf-9643-417f-9974-ad72cae0e10f".parse().unwrap();
    let signed_in = tokens
        .complete_sign_in(needs.pending, needs.captured, Some(org))
        .await
        .expect("the held token is filed under the given org");
    assert!(matches!(signed_in.kept, Kept::InKeyring), "{:?}", signed_in.kept);
    assert_eq!(signed_in.record.org_id, org);
    assert_eq!(
        signed_in.record.account, None,
        "the People API did not answer: no guess"
    );
    let record = tokens.pick(Some(org), None).unwrap();
    assert_eq!(
        tokens.token(&record).await.unwrap().expose_secret(),
        "bm9vcmdpbnRoaXN0b2tlbg"
    );
    tokens.forget(&record).await.unwrap();
    let gone = tokens.pick(Some(org), None).unwrap_err();
    assert_eq!(gone.kind(), ErrorKind::NotFound);
}

#[tokio::test]
#[ignore = "full tier: needs the real keyring of scripts/world; scripts/test runs it"]
async fn picking_needs_the_broker_when_one_org_has_two_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let tokens = tokens(dir.path(), "pick");
    assert!(matches!(tokens.pick(None, None), Err(ApiError::NoTokens)));
    let org = "0fb65fdf-9643-417f-9974-ad72cae0e10f";
    for (n, broker) in [BrokerId::Webex, BrokerId::sandbox_default()]
        .into_iter()
        .enumerate()
    {
        let pending = AuthorizeRequest::new(Broker::resolve(&broker))
            .with_state_for_tests("pick-state")
            .start(OffsetDateTime::now_utc());
        let captured = callback::parse(
            &format!("#access_token=cGljaw{n}_PF84_{org}&token_type=Bearer&state=pick-state"),
            &pending,
        )
        .unwrap();
        // The People API of Webex is never asked: the account lookup is bounded and best
        // effort, but a test must not leave the machine, so file these directly.
        let record = captured
            .record(&pending, OffsetDateTime::now_utc(), None)
            .unwrap();
        tokens.vault().store(&captured.token, &record).unwrap();
    }
    let org: OrgId = org.parse().unwrap();
    let several = tokens.pick(Some(org), None).unwrap_err();
    assert_eq!(several.kind(), ErrorKind::SeveralOrgs);
    assert!(several.to_string().contains("sandbox"), "{several}");
    let sandbox = tokens
        .pick(Some(org), Some(&BrokerId::sandbox_default()))
        .unwrap();
    assert_eq!(sandbox.broker, BrokerId::sandbox_default());
    for record in tokens.records().unwrap() {
        tokens.forget(&record).await.unwrap();
    }
}
