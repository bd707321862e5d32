//! The whole sequence Microsoft Entra ID's provisioning client runs, over a real socket.

use reqwest::Method;
use scim_token_sandbox::SandboxConfig;
use serde_json::{Value, json};

use crate::common::{Running, assert_scim_error};

const ENTERPRISE: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";
const PATCH: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

fn patch(ops: Value) -> Option<Value> {
    Some(json!({"schemas": [PATCH], "Operations": ops}))
}

fn entra_user(user_name: &str, external_id: &str) -> Value {
    // Microsoft's sample create body, nulls included.
    json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", ENTERPRISE],
        "externalId": external_id,
        "userName": user_name,
        "active": true,
        "addresses": null,
        "displayName": "Test User",
        "emails": [{"primary": true, "type": "work", "value": user_name}],
        "meta": {"resourceType": "User"},
        "name": {"formatted": "givenName familyName", "familyName": "familyName", "givenName": "givenName"},
        "roles": [],
        ENTERPRISE: {"manager": null}
    })
}

#[tokio::test]
async fn test_connection_match_create_update_disable_delete() {
    let s = Running::start(SandboxConfig::default()).await;

    // Test Connection: a random userName that does not exist.
    let (status, list) = s
        .call(Method::GET, "/Users?filter=userName+eq+%22ab12cd34-ef56%22", None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        list,
        json!({
            "schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"],
            "totalResults": 0, "startIndex": 1, "itemsPerPage": 0, "Resources": []
        })
    );

    // Create, then match case-insensitively by userName and by externalId.
    let (status, user) = s
        .call(
            Method::POST,
            "/Users",
            Some(entra_user("Test.User@Contoso.com", "0a21f0f2-8d2a")),
        )
        .await;
    assert_eq!(status, 201, "{user}");
    let id = user["id"].as_str().unwrap().to_owned();
    assert_eq!(user["userType"], "user");
    assert_eq!(user["meta"]["resourceType"], "User");
    assert!(
        user["meta"]["location"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/Users/{id}"))
    );
    for key in ["created", "lastModified", "version"] {
        assert!(user["meta"][key].is_string(), "{key}: {user}");
    }
    assert!(user.get("addresses").is_none());
    let (_, found) = s
        .call(
            Method::GET,
            "/Users?filter=userName%20eq%20%22test.user%40contoso.com%22",
            None,
        )
        .await;
    assert_eq!(found["totalResults"], 1);
    assert_eq!(found["Resources"][0]["id"], id.as_str());
    let (_, found) = s
        .call(
            Method::GET,
            "/Users?filter=externalId%20eq%20%220a21f0f2-8d2a%22",
            None,
        )
        .await;
    assert_eq!(found["totalResults"], 1);

    // Duplicate userName, any case.
    let (status, body) = s
        .call(
            Method::POST,
            "/Users",
            Some(entra_user("TEST.USER@contoso.com", "other")),
        )
        .await;
    assert_scim_error(status, &body, 409, Some("uniqueness"));

    // A manager to point at.
    let (_, manager) = s
        .call(
            Method::POST,
            "/Users",
            Some(entra_user("boss@contoso.com", "boss")),
        )
        .await;
    let manager_id = manager["id"].as_str().unwrap().to_owned();

    // Every update path Entra sends, in its capitalised form with string booleans.
    let ops = json!([
        {"op": "Replace", "path": "userName", "value": "renamed@contoso.com"},
        {"op": "Replace", "path": "name.familyName", "value": "Jensen"},
        {"op": "Add", "path": "emails[type eq \"work\"].value", "value": "renamed@contoso.com"},
        {"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0100"},
        {"op": "Replace", "path": "addresses[type eq \"work\"].locality", "value": "Oslo"},
        {"op": "Add", "path": "title", "value": "Engineer"},
        {"op": "Replace", "path": format!("{ENTERPRISE}:manager"), "value": manager_id},
        {"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "R&D"},
        {"op": "Replace", "path": "active", "value": "False"}
    ]);
    let (status, updated) = s.call(Method::PATCH, &format!("/Users/{id}"), patch(ops)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(updated["userName"], "renamed@contoso.com");
    assert_eq!(updated["name"]["familyName"], "Jensen");
    assert_eq!(updated["name"]["givenName"], "givenName");
    assert_eq!(updated["emails"].as_array().unwrap().len(), 1);
    assert_eq!(updated["emails"][0]["value"], "renamed@contoso.com");
    assert_eq!(
        updated["phoneNumbers"],
        json!([{"type": "mobile", "value": "+1 555 0100"}])
    );
    assert_eq!(
        updated["addresses"],
        json!([{"type": "work", "locality": "Oslo"}])
    );
    assert_eq!(updated[ENTERPRISE]["manager"]["value"], manager_id.as_str());
    assert_eq!(updated[ENTERPRISE]["department"], "R&D");
    assert_eq!(updated["active"], false);
    assert_ne!(updated["meta"]["version"], user["meta"]["version"]);

    // The aadOptscim062020 form: lowercase ops, JSON booleans, merged replaces with dotted keys.
    let ops = json!([
        {"op": "replace", "value": {"name.givenName": "Barbara", "name.familyName": "Jensen", "active": true, "displayName": "Babs"}},
        {"op": "add", "path": "manager", "value": [{"$ref": format!("../Users/{manager_id}"), "value": manager_id}]}
    ]);
    let (status, updated) = s.call(Method::PATCH, &format!("/Users/{id}"), patch(ops)).await;
    assert_eq!(status, 200, "{updated}");
    assert_eq!(
        (updated["name"]["givenName"].as_str(), updated["active"].as_bool()),
        (Some("Barbara"), Some(true))
    );
    assert_eq!(updated["displayName"], "Babs");

    // Old userName no longer matches; the new one does (index kept current).
    let (_, old) = s
        .call(
            Method::GET,
            "/Users?filter=userName%20eq%20%22test.user%40contoso.com%22",
            None,
        )
        .await;
    assert_eq!(old["totalResults"], 0);
    let (_, new) = s
        .call(
            Method::GET,
            "/Users?filter=userName%20eq%20%22RENAMED%40contoso.com%22",
            None,
        )
        .await;
    assert_eq!(new["totalResults"], 1);

    // Disable (soft delete), then delete.
    let (_, disabled) = s
        .call(
            Method::PATCH,
            &format!("/Users/{id}"),
            patch(json!([{"op": "Replace", "path": "active", "value": false}])),
        )
        .await;
    assert_eq!(disabled["active"], false);
    let (status, _) = s.call(Method::DELETE, &format!("/Users/{id}"), None).await;
    assert_eq!(status, 204);
    let (status, body) = s.call(Method::GET, &format!("/Users/{id}"), None).await;
    assert_scim_error(status, &body, 404, None);
}

#[tokio::test]
async fn groups_and_membership() {
    let s = Running::start(SandboxConfig::default()).await;
    let (_, a) = s
        .call(Method::POST, "/Users", Some(entra_user("a@contoso.com", "a")))
        .await;
    let (_, b) = s
        .call(Method::POST, "/Users", Some(entra_user("b@contoso.com", "b")))
        .await;
    let (a, b) = (
        a["id"].as_str().unwrap().to_owned(),
        b["id"].as_str().unwrap().to_owned(),
    );

    let (_, none) = s
        .call(
            Method::GET,
            "/Groups?excludedAttributes=members&filter=displayName+eq+%22Sales%22",
            None,
        )
        .await;
    assert_eq!(none["totalResults"], 0);
    let create = json!({
        "schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group", "http://schemas.microsoft.com/2006/11/ResourceManagement/ADSCIM/2.0/Group"],
        "displayName": "Sales", "externalId": "grp-1", "members": []
    });
    let (status, group) = s.call(Method::POST, "/Groups", Some(create.clone())).await;
    assert_eq!(status, 201, "{group}");
    let gid = group["id"].as_str().unwrap().to_owned();
    let (status, body) = s.call(Method::POST, "/Groups", Some(create)).await;
    assert_scim_error(status, &body, 409, Some("uniqueness"));

    let add = patch(json!([{"op": "Add", "path": "members", "value": [{"value": a}, {"value": b}]}]));
    let (status, _) = s.call(Method::PATCH, &format!("/Groups/{gid}"), add).await;
    assert_eq!(status, 204);
    let (_, g) = s.call(Method::GET, &format!("/Groups/{gid}"), None).await;
    assert_eq!(g["members"].as_array().unwrap().len(), 2);
    let (_, slim) = s
        .call(
            Method::GET,
            &format!("/Groups/{gid}?excludedAttributes=members"),
            None,
        )
        .await;
    assert!(
        slim.get("members").is_none() && slim["displayName"] == "Sales",
        "{slim}"
    );

    let remove = patch(json!([{"op": "Remove", "path": "members", "value": [{"value": a}]}]));
    assert_eq!(
        s.call(Method::PATCH, &format!("/Groups/{gid}"), remove).await.0,
        204
    );
    let remove = patch(json!([{"op": "remove", "path": format!("members[value eq \"{b}\"]")}]));
    assert_eq!(
        s.call(Method::PATCH, &format!("/Groups/{gid}"), remove.clone())
            .await
            .0,
        204
    );
    let (_, g) = s.call(Method::GET, &format!("/Groups/{gid}"), None).await;
    assert_eq!(g["members"], json!([]));
    // Removing what is not there through a filter: noTarget.
    let (status, body) = s.call(Method::PATCH, &format!("/Groups/{gid}"), remove).await;
    assert_scim_error(status, &body, 400, Some("noTarget"));
    // A member that does not exist.
    let ghost = patch(json!([{"op": "Add", "path": "members", "value": [{"value": "ghost"}]}]));
    let (status, body) = s.call(Method::PATCH, &format!("/Groups/{gid}"), ghost).await;
    assert_scim_error(status, &body, 400, Some("invalidValue"));

    assert_eq!(
        s.call(Method::DELETE, &format!("/Groups/{gid}"), None).await.0,
        204
    );
    assert_eq!(s.call(Method::GET, &format!("/Groups/{gid}"), None).await.0, 404);
}

#[tokio::test]
async fn error_statuses() {
    let s = Running::start(SandboxConfig::default()).await;
    let users = format!("{}/Users", s.scim_base());

    let none = s.client.get(&users).send().await.unwrap();
    assert_eq!(none.status(), 401);
    assert!(
        none.headers()["www-authenticate"]
            .to_str()
            .unwrap()
            .starts_with("Bearer")
    );
    assert_eq!(none.headers()["content-type"], "application/scim+json");
    let bad = s.client.get(&users).bearer_auth("nope").send().await.unwrap();
    assert_eq!(bad.status(), 401);

    let other_org = s
        .client
        .get(format!(
            "{}/identity/scim/1eb65fdf-9643-417f-9974-ad72cae0e10f/v2/Users",
            s.base()
        ))
        .bearer_auth(&s.token)
        .send()
        .await
        .unwrap();
    assert_eq!(other_org.status(), 404);

    type Case<'a> = (Method, &'a str, Option<Value>, u16, Option<&'a str>);
    let cases: Vec<Case> = vec![
        (
            Method::GET,
            "/Users?filter=userName%20eq",
            None,
            400,
            Some("invalidFilter"),
        ),
        (
            Method::GET,
            "/Users?filter=userName%20zz%20%22x%22",
            None,
            400,
            Some("invalidFilter"),
        ),
        (Method::GET, "/Users?count=lots", None, 400, Some("invalidValue")),
        (
            Method::POST,
            "/Users",
            Some(json!({"userName": "x@y"})),
            400,
            Some("invalidValue"),
        ),
        (
            Method::POST,
            "/Users",
            Some(json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"]})),
            400,
            Some("invalidValue"),
        ),
        (
            Method::POST,
            "/Users",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x@y", "shoeSize": 44}),
            ),
            400,
            Some("invalidValue"),
        ),
        (
            Method::POST,
            "/Users",
            Some(
                json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "x@y", "userType": "robot"}),
            ),
            400,
            Some("invalidValue"),
        ),
        (
            Method::POST,
            "/Users",
            Some(json!([1, 2])),
            400,
            Some("invalidSyntax"),
        ),
        (Method::GET, "/Users/does-not-exist", None, 404, None),
        (
            Method::PATCH,
            "/Users/does-not-exist",
            patch(json!([{"op": "add", "path": "title", "value": "x"}])),
            404,
            None,
        ),
        (Method::GET, "/Nothing", None, 404, None),
        (Method::PUT, "/Users", None, 405, None),
    ];
    for (method, path, body, status, scim_type) in cases {
        let (got, response) = s.call(method.clone(), path, body).await;
        assert_scim_error(got, &response, status, scim_type);
    }

    // Malformed JSON.
    let raw = s
        .scim(Method::POST, "/Users")
        .header("content-type", "application/scim+json")
        .body("{\"schemas\":")
        .send()
        .await
        .unwrap();
    assert_eq!(raw.status(), 400);
    let body: Value = raw.json().await.unwrap();
    assert_eq!(body["scimType"], "invalidSyntax");
    // Oversized.
    let huge = s
        .scim(Method::POST, "/Users")
        .header("content-type", "application/json")
        .body(vec![b' '; 2 << 20])
        .send()
        .await
        .unwrap();
    assert_eq!(huge.status(), 413);

    // PATCH paths: unknown attribute, read-only, bad syntax.
    let (_, user) = s
        .call(Method::POST, "/Users", Some(entra_user("p@contoso.com", "p")))
        .await;
    let id = user["id"].as_str().unwrap();
    let cases = [
        (
            json!([{"op": "add", "path": "shoeSize", "value": 1}]),
            "invalidPath",
        ),
        (
            json!([{"op": "replace", "path": "id", "value": "x"}]),
            "mutability",
        ),
        (
            json!([{"op": "replace", "path": "emails[type eq", "value": "x"}]),
            "invalidPath",
        ),
        (
            json!([{"op": "merge", "path": "title", "value": "x"}]),
            "invalidValue",
        ),
        (json!([{"op": "remove"}]), "noTarget"),
        (
            json!([{"op": "replace", "path": "active", "value": "maybe"}]),
            "invalidValue",
        ),
    ];
    for (ops, scim_type) in cases {
        let (status, body) = s
            .call(Method::PATCH, &format!("/Users/{id}"), patch(ops.clone()))
            .await;
        assert_scim_error(status, &body, 400, Some(scim_type));
    }

    // ETags: If-Match with a stale version is refused.
    let etag = s
        .scim(Method::GET, &format!("/Users/{id}"))
        .send()
        .await
        .unwrap()
        .headers()["etag"]
        .to_str()
        .unwrap()
        .to_owned();
    let stale = s
        .scim(Method::PATCH, &format!("/Users/{id}"))
        .header("if-match", "W/\"0\"")
        .header("content-type", "application/scim+json")
        .body(
            patch(json!([{"op": "add", "path": "title", "value": "x"}]))
                .unwrap()
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 412);
    let fresh = s
        .scim(Method::PATCH, &format!("/Users/{id}"))
        .header("if-match", &etag)
        .header("content-type", "application/scim+json")
        .body(
            patch(json!([{"op": "add", "path": "title", "value": "x"}]))
                .unwrap()
                .to_string(),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(fresh.status(), 200);
}

#[tokio::test]
async fn concurrent_creates_keep_user_names_unique() {
    let s = Running::start(SandboxConfig::default()).await;
    let mut tasks = Vec::new();
    for i in 0..40 {
        let client = s.client.clone();
        let url = format!("{}/Users", s.scim_base());
        let token = s.token.clone();
        let name = if i % 2 == 0 {
            "Same@Contoso.com"
        } else {
            "same@contoso.COM"
        };
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .json(&entra_user(name, &format!("e{i}")))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for task in tasks {
        statuses.push(task.await.unwrap());
    }
    assert_eq!(statuses.iter().filter(|s| **s == 201).count(), 1, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == 409).count(), 39, "{statuses:?}");
}

#[tokio::test]
async fn listing_paging_sorting_and_discovery() {
    let s = Running::start(SandboxConfig {
        seed_users: 25,
        ..SandboxConfig::default()
    })
    .await;
    let (_, page) = s
        .call(
            Method::GET,
            "/Users?startIndex=11&count=5&sortBy=userName&sortOrder=descending",
            None,
        )
        .await;
    assert_eq!(
        (
            page["totalResults"].as_u64(),
            page["itemsPerPage"].as_u64(),
            page["startIndex"].as_u64()
        ),
        (Some(25), Some(5), Some(11))
    );
    assert_eq!(page["Resources"][0]["userName"], "user000014@sandbox.example");
    let (_, slim) = s
        .call(
            Method::GET,
            "/Users?attributes=userName,name.givenName&count=1",
            None,
        )
        .await;
    let first = slim["Resources"][0].as_object().unwrap();
    let mut keys: Vec<&str> = first.keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(keys, ["id", "meta", "name", "schemas", "userName"]);
    assert_eq!(first["name"], json!({"givenName": "Seeded"}));
    let (_, sales) = s.call(Method::GET, "/Users?filter=urn%3Aietf%3Aparams%3Ascim%3Aschemas%3Aextension%3Aenterprise%3A2.0%3AUser%3Adepartment%20eq%20%22sales%22", None).await;
    assert_eq!(sales["totalResults"], 5);
    let search = json!({"schemas": ["urn:ietf:params:scim:api:messages:2.0:SearchRequest"], "filter": "userName sw \"user00002\"", "attributes": ["userName"]});
    let (status, found) = s.call(Method::POST, "/Users/.search", Some(search)).await;
    assert_eq!(
        (status, found["totalResults"].as_u64()),
        (200, Some(5)),
        "{found}"
    );
    let (_, groups) = s.call(Method::GET, "/Groups", None).await;
    assert_eq!(groups["totalResults"], 5);

    let (_, config) = s.call(Method::GET, "/ServiceProviderConfig", None).await;
    assert_eq!(
        (
            config["patch"]["supported"].as_bool(),
            config["bulk"]["supported"].as_bool()
        ),
        (Some(true), Some(false))
    );
    let (_, types) = s.call(Method::GET, "/ResourceTypes", None).await;
    assert_eq!(types["totalResults"], 2);
    let (_, user_schema) = s
        .call(
            Method::GET,
            "/Schemas/urn:ietf:params:scim:schemas:core:2.0:User",
            None,
        )
        .await;
    let user_name = user_schema["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["name"] == "userName")
        .unwrap();
    assert_eq!(
        (user_name["required"].as_bool(), user_name["uniqueness"].as_str()),
        (Some(true), Some("server"))
    );
}

#[tokio::test]
async fn request_log_redacts_tokens() {
    let s = Running::start(SandboxConfig::default()).await;
    let body = json!({"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"], "userName": "log@contoso.com", "title": s.token});
    s.call(Method::POST, "/Users", Some(body)).await;
    let log: Value = s
        .client
        .get(format!("{}/_sandbox/log", s.base()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let text = log.to_string();
    assert!(!text.contains(&s.token), "{text}");
    let entry = log
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["method"] == "POST")
        .unwrap();
    assert_eq!(entry["status"], 201);
    assert!(entry["body"].as_str().unwrap().contains("log@contoso.com"));
    assert!(entry["latency_ms"].as_f64().is_some());
}
