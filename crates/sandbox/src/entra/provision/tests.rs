//! The engine against a real sandbox on loopback, checked through its store and request log.

use serde_json::{Value, json};

use super::users::{UserSnapshot, patch_ops};
use super::*;
use crate::entra::directory::Directory;
use crate::webex::scim::{ENTERPRISE, Kind, Store};
use crate::{RunningSandbox, Sandbox, SandboxConfig, SandboxRequest};

/// A sandbox on a free port, its Tenant URL and an admin token.
struct Env {
    running: RunningSandbox,
    client: reqwest::Client,
    tenant: String,
    token: String,
}

impl Env {
    async fn start() -> Self {
        let running = Sandbox::start(SandboxConfig::default(), 0).await.unwrap();
        let tenant = format!(
            "{}identity/scim/{}/v2",
            running.base(),
            running.sandbox().config().org_id
        );
        let token = running.sandbox().issue_token("admin@sandbox.example").unwrap();
        Self {
            running,
            client: http_client(),
            tenant,
            token,
        }
    }

    fn target(&self) -> ScimTarget {
        ScimTarget::new(&self.tenant, &self.token).unwrap()
    }

    fn store(&self) -> &Store {
        &self.running.sandbox().state.scim
    }

    fn log_len(&self) -> usize {
        self.running.sandbox().log().len()
    }

    /// Requests other than GET since `mark`.
    fn writes_since(&self, mark: usize) -> Vec<SandboxRequest> {
        self.running.sandbox().log()[mark..]
            .iter()
            .filter(|e| e.method != "GET")
            .cloned()
            .collect()
    }

    async fn cycle(&self, directory: &Directory, exported: &mut Exported) -> CycleReport {
        run_cycle(&self.client, &self.target(), directory, exported)
            .await
            .unwrap()
    }

    fn user_named(&self, user_name: &str) -> Map {
        let hits = self.store().list(Kind::User, None);
        let found = hits
            .iter()
            .find(|u| u.get("userName").and_then(Value::as_str) == Some(user_name))
            .unwrap_or_else(|| panic!("no user {user_name}"));
        (***found).clone()
    }

    fn group_members(&self, name: &str) -> BTreeSet<String> {
        let groups = self.store().list(Kind::Group, None);
        let group = groups
            .iter()
            .find(|g| g.get("displayName").and_then(Value::as_str) == Some(name))
            .unwrap_or_else(|| panic!("no group {name}"));
        group
            .get("members")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|m| m.get("value")?.as_str().map(str::to_owned))
            .collect()
    }
}

type Map = serde_json::Map<String, Value>;

fn body(entry: &SandboxRequest) -> Value {
    serde_json::from_str(&entry.body).unwrap()
}

fn method_and_path(entries: &[SandboxRequest]) -> Vec<(String, String)> {
    entries
        .iter()
        .map(|e| (e.method.clone(), e.path.clone()))
        .collect()
}

#[tokio::test]
async fn first_cycle_provisions_users_groups_and_members() {
    let env = Env::start().await;
    let directory = Directory::seeded(12);
    let mut exported = Exported::default();
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!(
        report,
        CycleReport {
            users: 12,
            groups: 2,
            created: 14,
            updated: 2,
            matched: 0,
            entry_errors: Vec::new()
        }
    );
    assert_eq!(env.store().count(Kind::User), 12);
    assert_eq!(env.store().count(Kind::Group), 2);

    let adele = env.user_named("adele.vance@sandbox.example");
    let first = &directory.users[0];
    assert_eq!(adele["externalId"], first.id.to_string());
    assert_eq!(adele["displayName"], "Adele Vance");
    assert_eq!(
        adele["name"],
        json!({"givenName": "Adele", "familyName": "Vance", "formatted": "Adele Vance"})
    );
    assert_eq!(
        adele["emails"],
        json!([{"primary": true, "type": "work", "value": "adele.vance@sandbox.example"}])
    );
    assert_eq!(adele["title"], "Retail Manager");
    assert_eq!(adele[ENTERPRISE], json!({"department": "Retail"}));
    assert_eq!(adele["active"], true);
    assert_eq!(exported.scim_user_id(first.id), adele["id"].as_str());

    let ids = |members: &[uuid::Uuid]| -> BTreeSet<String> {
        members
            .iter()
            .map(|m| exported.scim_user_id(*m).unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        env.group_members("Webex Users"),
        ids(&directory.groups[0].members)
    );
    assert_eq!(
        env.group_members("Webex Admins"),
        ids(&directory.groups[1].members)
    );
    assert_eq!(env.group_members("Webex Admins").len(), 3);

    // The request shapes: a Test Connection probe, match-then-create per user, then groups.
    let log = env.running.sandbox().log();
    assert!(
        log[0].path.contains("/Users?filter=userName+eq+%22"),
        "{:?}",
        log[0].path
    );
    assert!(log.iter().all(|e| e.status < 300), "{:?}", method_and_path(&log));
    let creates: Vec<&SandboxRequest> = log.iter().filter(|e| e.method == "POST").collect();
    assert_eq!(creates.len(), 14);
    let create = body(creates[0]);
    assert_eq!(
        create["schemas"],
        json!(["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE])
    );
    assert_eq!(create["meta"], json!({"resourceType": "User"}));
    let group_create = body(creates[12]);
    assert_eq!(group_create["members"], json!([]));
    assert!(log.iter().any(|e| {
        e.method == "GET"
            && e.path
                .contains("/Groups?excludedAttributes=members&filter=displayName+eq+%22Webex+Users%22")
    }));
    let member_patch = log.iter().find(|e| e.method == "PATCH").unwrap();
    let ops = &body(member_patch)["Operations"];
    assert_eq!(ops.as_array().unwrap().len(), 1);
    assert_eq!(ops[0]["op"], "Add");
    assert_eq!(ops[0]["path"], "members");
    assert_eq!(ops[0]["value"].as_array().unwrap().len(), 12);
}

#[tokio::test]
async fn a_second_cycle_with_nothing_changed_writes_nothing() {
    let env = Env::start().await;
    let directory = Directory::seeded(8);
    let mut exported = Exported::default();
    env.cycle(&directory, &mut exported).await;
    let before = exported.clone();
    let mark = env.log_len();
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!(
        (
            report.users,
            report.groups,
            report.created,
            report.updated,
            report.matched
        ),
        (8, 2, 0, 0, 0)
    );
    assert_eq!(exported, before);
    let log = env.running.sandbox().log();
    assert_eq!(
        log.len() - mark,
        1,
        "only the token check: {:?}",
        method_and_path(&log[mark..])
    );
    assert!(env.writes_since(mark).is_empty());

    // What the job keeps between runs survives JSON.
    let kept: Exported = serde_json::from_str(&serde_json::to_string(&exported).unwrap()).unwrap();
    assert_eq!(kept, exported);
}

#[tokio::test]
async fn a_changed_attribute_is_exactly_one_patch() {
    let env = Env::start().await;
    let mut directory = Directory::seeded(5);
    let mut exported = Exported::default();
    env.cycle(&directory, &mut exported).await;
    let alex = &mut directory.users[1];
    alex.department = Some("Finance".into());
    alex.job_title = None;
    alex.account_enabled = false;
    let scim_id = exported.scim_user_id(alex.id).unwrap().to_owned();

    let mark = env.log_len();
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!((report.users, report.updated, report.created), (5, 1, 0));
    let writes = env.writes_since(mark);
    assert_eq!(
        method_and_path(&writes),
        [(
            "PATCH".to_owned(),
            format!(
                "/identity/scim/{}/v2/Users/{scim_id}",
                env.running.sandbox().config().org_id
            )
        )]
    );
    assert_eq!(
        body(&writes[0]),
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
            "Operations": [
                {"op": "Remove", "path": "title"},
                {"op": "Replace", "path": format!("{ENTERPRISE}:department"), "value": "Finance"},
                {"op": "Replace", "path": "active", "value": "False"},
            ]
        })
    );
    let stored = env.user_named("alex.wilber@sandbox.example");
    assert_eq!(stored["active"], false);
    assert!(stored.get("title").is_none(), "{stored:?}");
    assert_eq!(stored[ENTERPRISE]["department"], "Finance");

    // Membership changes: one member leaves "Webex Admins", in the gallery form.
    directory.groups[1]
        .members
        .retain(|m| *m != directory.users[0].id);
    let adele = exported.scim_user_id(directory.users[0].id).unwrap().to_owned();
    let mark = env.log_len();
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!((report.groups, report.updated), (2, 1));
    let writes = env.writes_since(mark);
    assert_eq!(writes.len(), 1);
    assert_eq!(
        body(&writes[0])["Operations"],
        json!([{"op": "Remove", "path": "members", "value": [{"value": adele}]}])
    );
    assert!(!env.group_members("Webex Admins").contains(&adele));
    assert_eq!(env.group_members("Webex Admins").len(), 2);
}

#[tokio::test]
async fn a_user_deleted_on_the_webex_side_is_created_again() {
    let env = Env::start().await;
    let mut directory = Directory::seeded(4);
    let mut exported = Exported::default();
    env.cycle(&directory, &mut exported).await;
    let diego = directory.users[2].id;
    let old_id = exported.scim_user_id(diego).unwrap().to_owned();
    env.store().delete(Kind::User, &old_id, None).unwrap();
    directory.users[2].display_name = "Diego S.".into();

    let mark = env.log_len();
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!(
        (report.users, report.groups, report.created, report.updated),
        (4, 2, 1, 2),
        "{report:?}"
    );
    assert!(report.entry_errors.is_empty(), "{report:?}");
    let statuses: Vec<(String, u16)> = env.running.sandbox().log()[mark..]
        .iter()
        .filter(|e| e.method != "GET")
        .map(|e| (e.method.clone(), e.status))
        .collect();
    assert_eq!(
        statuses,
        [
            ("PATCH".to_owned(), 404),
            ("POST".to_owned(), 201),
            ("PATCH".to_owned(), 204),
            ("PATCH".to_owned(), 204)
        ]
    );
    let new_id = exported.scim_user_id(diego).unwrap().to_owned();
    assert_ne!(new_id, old_id);
    assert_eq!(
        env.user_named("diego.siciliani@sandbox.example")["displayName"],
        "Diego S."
    );
    assert!(env.group_members("Webex Users").contains(&new_id));
    assert!(env.group_members("Webex Admins").contains(&new_id));
}

#[tokio::test]
async fn an_existing_user_is_matched_and_updated_not_duplicated() {
    let env = Env::start().await;
    let existing = env
        .client
        .post(format!("{}/Users", env.tenant))
        .bearer_auth(&env.token)
        .header("content-type", "application/scim+json")
        .body(
            json!({
                "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
                "userName": "Adele.Vance@Sandbox.Example",
                "displayName": "Old Name",
                "emails": [{"type": "work", "value": "adele.vance@sandbox.example"}],
            })
            .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(existing.status(), 201);
    let existing: Value = existing.json().await.unwrap();

    let directory = Directory::seeded(3);
    let mut exported = Exported::default();
    let mark = env.log_len();
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!(
        (report.users, report.created, report.matched, report.updated),
        (3, 4, 1, 3),
        "{report:?}"
    );
    assert_eq!(env.store().count(Kind::User), 3);
    assert_eq!(
        exported.scim_user_id(directory.users[0].id),
        existing["id"].as_str()
    );
    let adele = env.user_named("adele.vance@sandbox.example");
    assert_eq!(adele["displayName"], "Adele Vance");
    assert_eq!(adele["name"]["givenName"], "Adele");
    let writes = env.writes_since(mark);
    let ops = &body(&writes[0])["Operations"];
    assert_eq!(writes[0].method, "PATCH");
    assert_eq!(
        ops[0],
        json!({"op": "Replace", "path": "userName", "value": "adele.vance@sandbox.example"})
    );
    assert_eq!(
        ops.as_array().unwrap().len(),
        7,
        "all but email and active differ: {ops}"
    );
}

#[tokio::test]
async fn a_refused_entry_is_reported_and_the_cycle_goes_on() {
    let env = Env::start().await;
    let mut directory = Directory::seeded(3);
    let mut exported = Exported::default();
    env.cycle(&directory, &mut exported).await;
    // Alex takes Adele's userName: 409 uniqueness for Alex only.
    directory.users[1].user_principal_name = directory.users[0].user_principal_name.clone();
    directory.users[2].given_name = "Diego Jr.".into();
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!((report.users, report.updated), (2, 1), "{report:?}");
    assert_eq!(report.entry_errors.len(), 1, "{report:?}");
    assert!(
        report.entry_errors[0]
            .starts_with("user adele.vance@sandbox.example: update refused: HTTP 409 (uniqueness"),
        "{report:?}"
    );
}

#[tokio::test]
async fn an_unassigned_user_is_disabled_once_and_re_enabled_when_assigned_again() {
    let env = Env::start().await;
    let mut directory = Directory::seeded(3);
    let mut exported = Exported::default();
    env.cycle(&directory, &mut exported).await;
    let alex = directory.users.remove(1);
    for group in &mut directory.groups {
        group.members.retain(|m| *m != alex.id);
    }
    let mark = env.log_len();
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!(
        (report.users, report.groups, report.updated),
        (2, 2, 3),
        "{report:?}"
    );
    let writes = env.writes_since(mark);
    assert_eq!(
        body(&writes[0])["Operations"],
        json!([{"op": "Replace", "path": "active", "value": "False"}])
    );
    assert_eq!(env.user_named("alex.wilber@sandbox.example")["active"], false);
    assert_eq!(writes.len(), 3, "the disable and both groups losing Alex");

    let mark = env.log_len();
    env.cycle(&directory, &mut exported).await;
    assert!(env.writes_since(mark).is_empty(), "disabled once");

    directory.users.push(alex);
    let report = env.cycle(&directory, &mut exported).await;
    assert_eq!(
        (report.users, report.updated, report.created),
        (3, 1, 0),
        "{report:?}"
    );
    assert_eq!(env.user_named("alex.wilber@sandbox.example")["active"], true);
}

#[tokio::test]
async fn bad_tokens_are_unauthorized_before_any_write() {
    let env = Env::start().await;
    let directory = Directory::seeded(2);
    let mut exported = Exported::default();
    let wrong = ScimTarget::new(&env.tenant, "not-a-token").unwrap();
    let error = run_cycle(&env.client, &wrong, &directory, &mut exported)
        .await
        .unwrap_err();
    assert_eq!(error, CycleError::Unauthorized { status: 401 });
    assert!(!error.to_string().contains("not-a-token"));

    let user_token = env.running.sandbox().issue_token("user@sandbox.example").unwrap();
    let no_scope = ScimTarget::new(&env.tenant, &user_token).unwrap();
    let error = run_cycle(&env.client, &no_scope, &directory, &mut exported)
        .await
        .unwrap_err();
    assert_eq!(error, CycleError::Unauthorized { status: 403 });
    assert!(!error.to_string().contains(&user_token));

    assert_eq!(exported, Exported::default());
    assert_eq!(env.store().count(Kind::User), 0);
    assert!(env.writes_since(0).is_empty());
}

#[tokio::test]
async fn optscim_sends_lowercase_ops_and_json_booleans() {
    let env = Env::start().await;
    let target = ScimTarget::new(&format!("{}?aadOptscim062020", env.tenant), &env.token).unwrap();
    assert!(target.optscim());
    assert_eq!(target.base().as_str(), env.tenant);
    let mut directory = Directory::seeded(4);
    let mut exported = Exported::default();
    run_cycle(&env.client, &target, &directory, &mut exported)
        .await
        .unwrap();

    directory.users[3].account_enabled = false;
    let leaving = directory.users[0].id;
    directory.groups[1].members.retain(|m| *m != leaving);
    let leaving = exported.scim_user_id(leaving).unwrap().to_owned();
    let mark = env.log_len();
    let report = run_cycle(&env.client, &target, &directory, &mut exported)
        .await
        .unwrap();
    assert_eq!(
        (report.users, report.groups, report.updated),
        (4, 2, 2),
        "{report:?}"
    );
    let writes = env.writes_since(mark);
    assert!(
        writes
            .iter()
            .all(|w| w.status < 300 && !w.path.contains("aadOptscim"))
    );
    assert_eq!(
        body(&writes[0])["Operations"],
        json!([{"op": "replace", "path": "active", "value": false}])
    );
    assert_eq!(
        body(&writes[1])["Operations"],
        json!([{"op": "remove", "path": format!("members[value eq \"{leaving}\"]")}])
    );
    assert_eq!(env.user_named("grady.archie@sandbox.example")["active"], false);
    assert!(!env.group_members("Webex Admins").contains(&leaving));
    assert!(env.group_members("Webex Users").contains(&leaving));
}

#[tokio::test]
async fn test_connection_answers_like_entra() {
    let env = Env::start().await;
    test_connection(&env.client, &env.target()).await.unwrap();
    let wrong = ScimTarget::new(&env.tenant, "nope").unwrap();
    assert_eq!(
        test_connection(&env.client, &wrong).await,
        Err(CycleError::Unauthorized { status: 401 })
    );
    let other_org = env.tenant.replace(
        &env.running.sandbox().config().org_id.to_string(),
        "1eb65fdf-9643-417f-9974-ad72cae0e10f",
    );
    let error = test_connection(&env.client, &ScimTarget::new(&other_org, &env.token).unwrap()).await;
    assert!(
        matches!(error, Err(CycleError::Protocol { status: 404, .. })),
        "{error:?}"
    );

    // Nothing listening: unreachable, and a cycle fails the same way.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let gone = ScimTarget::new(&format!("http://localhost:{closed}/scim/v2"), "secret-token").unwrap();
    assert_eq!(gone.base().host_str(), Some("127.0.0.1"));
    let error = run_cycle(
        &env.client,
        &gone,
        &Directory::seeded(1),
        &mut Exported::default(),
    )
    .await
    .unwrap_err();
    assert!(matches!(error, CycleError::Unreachable(_)), "{error:?}");
    assert!(!error.to_string().contains("secret-token"));
}

#[test]
fn non_loopback_targets_are_refused_without_io() {
    for base in [
        "https://api.ciscospark.com/v1/scim/x/v2",
        "http://127.0.0.1@evil.example/scim",
        "http://localhost.example/scim",
        "",
    ] {
        let error = ScimTarget::new(base, "secret").unwrap_err();
        assert!(
            error.to_string().contains("only calls loopback addresses"),
            "{base}: {error}"
        );
        assert!(matches!(CycleError::from(error), CycleError::NotLoopback(_)));
    }
    let target = ScimTarget::new("http://127.0.0.1:9/v2?aadOptscim062020=1", "secret-token").unwrap();
    let shown = format!("{target:?}");
    assert!(
        !shown.contains("secret-token") && shown.contains("[redacted]"),
        "{shown}"
    );
    assert_eq!(target.base().as_str(), "http://127.0.0.1:9/v2");
    assert_eq!(
        target.url(&["Users", "a/b c"]).as_str(),
        "http://127.0.0.1:9/v2/Users/a%2Fb%20c"
    );
    let plain = ScimTarget::new("http://127.0.0.1:9/v2/", "t").unwrap();
    assert!(!plain.optscim());
    assert_eq!(plain.url(&["Users"]).as_str(), "http://127.0.0.1:9/v2/Users");
}

#[test]
fn filter_values_are_escaped() {
    assert_eq!(filter("userName", "a@b.c"), r#"userName eq "a@b.c""#);
    assert_eq!(
        filter("displayName", r#"Sales "EU" \ Ops"#),
        r#"displayName eq "Sales \"EU\" \\ Ops""#
    );
    let parsed = crate::webex::scim::parse_filter(&filter("displayName", r#"a"b\c"#)).unwrap();
    assert_eq!(parsed, r#"displayName eq "a\"b\\c""#.parse().unwrap());
}

#[test]
fn patch_ops_per_changed_attribute() {
    let directory = Directory::seeded(1);
    let old = UserSnapshot::of(&directory.users[0]);
    assert!(patch_ops(&old, &old, false).is_empty());
    let mut new = old.clone();
    new.family_name = "Vance-Smith".into();
    new.active = false;
    new.department = None;
    assert_eq!(
        patch_ops(&old, &new, false),
        [
            json!({"op": "Replace", "path": "name.familyName", "value": "Vance-Smith"}),
            json!({"op": "Remove", "path": format!("{ENTERPRISE}:department")}),
            json!({"op": "Replace", "path": "active", "value": "False"}),
        ]
    );
    assert_eq!(
        patch_ops(&old, &new, true),
        [
            json!({"op": "replace", "path": "name.familyName", "value": "Vance-Smith"}),
            json!({"op": "remove", "path": format!("{ENTERPRISE}:department")}),
            json!({"op": "replace", "path": "active", "value": false}),
        ]
    );
}
