//! Every PATCH form Microsoft Entra ID sends (see the module docs), as a table of
//! (name, before, operations, after), and a table of malformed patches and the `scimType` each
//! must be refused with.

use serde_json::{Value, json};

use super::{PATCH_OP, apply};
use crate::webex::scim::resource::Kind;
use crate::webex::scim::schema::{ENTERPRISE, GROUP, USER};

const MANAGER_PATH: &str = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager";

/// One accepted PATCH: the resource before, the `Operations` array, the resource after.
struct Case {
    name: &'static str,
    kind: Kind,
    before: Value,
    operations: Value,
    after: Value,
}

fn body(operations: Value) -> Value {
    json!({"schemas": [PATCH_OP], "Operations": operations})
}

fn object(value: Value) -> serde_json::Map<String, Value> {
    match value {
        Value::Object(map) => map,
        other => panic!("not an object: {other}"),
    }
}

fn ada() -> Value {
    json!({"schemas": [USER], "userName": "ada@contoso.com", "active": true})
}

fn ada_with(extra: Value) -> Value {
    let mut user = ada();
    user.as_object_mut().expect("an object").extend(object(extra));
    user
}

fn sales(members: &[&str]) -> Value {
    let members: Vec<Value> = members.iter().map(|id| json!({"value": id})).collect();
    json!({"schemas": [GROUP], "displayName": "Sales", "members": members})
}

fn user(name: &'static str, before: Value, operations: Value, after: Value) -> Case {
    Case {
        name,
        kind: Kind::User,
        before,
        operations,
        after,
    }
}

fn group(name: &'static str, before: Value, operations: Value, after: Value) -> Case {
    Case {
        name,
        kind: Kind::Group,
        before,
        operations,
        after,
    }
}

fn accepted() -> Vec<Case> {
    vec![
        user(
            "Replace with a path, capitalised op",
            ada(),
            json!([{"op": "Replace", "path": "userName", "value": "ada.l@contoso.com"}]),
            json!({"schemas": [USER], "userName": "ada.l@contoso.com", "active": true}),
        ),
        user(
            "op in capitals, attribute name in any case",
            ada(),
            json!([{"op": "REPLACE", "path": "DisplayName", "value": "Ada"}]),
            ada_with(json!({"displayName": "Ada"})),
        ),
        user(
            "disable with the string \"False\"",
            ada(),
            json!([{"op": "Replace", "path": "active", "value": "False"}]),
            json!({"schemas": [USER], "userName": "ada@contoso.com", "active": false}),
        ),
        user(
            "enable with the string \"True\" and a lowercase op",
            ada_with(json!({"active": false})),
            json!([{"op": "add", "path": "active", "value": "True"}]),
            ada(),
        ),
        user(
            "enable with a JSON boolean",
            ada_with(json!({"active": false})),
            json!([{"op": "replace", "path": "active", "value": true}]),
            ada(),
        ),
        user(
            "Replace without a path: an object of attributes",
            ada(),
            json!([{"op": "Replace", "value": {"displayName": "Ada L", "active": "False", "title": "Countess"}}]),
            ada_with(json!({"displayName": "Ada L", "active": false, "title": "Countess"})),
        ),
        user(
            "replace without a path, dotted keys (aadOptscim062020)",
            ada_with(json!({"name": {"formatted": "Ada"}})),
            json!([{"op": "replace", "value": {"name.givenName": "Ada", "name.familyName": "Lovelace"}}]),
            ada_with(json!({"name": {"formatted": "Ada", "givenName": "Ada", "familyName": "Lovelace"}})),
        ),
        user(
            "Replace name.givenName keeps the other name parts",
            ada_with(json!({"name": {"givenName": "A", "familyName": "Lovelace"}})),
            json!([{"op": "Replace", "path": "name.givenName", "value": "Ada"}]),
            ada_with(json!({"name": {"givenName": "Ada", "familyName": "Lovelace"}})),
        ),
        user(
            "Add name.familyName creates name",
            ada(),
            json!([{"op": "Add", "path": "name.familyName", "value": "Lovelace"}]),
            ada_with(json!({"name": {"familyName": "Lovelace"}})),
        ),
        user(
            "Replace a complex attribute merges its sub-attributes (RFC 7644 §3.5.2.3)",
            ada_with(json!({"name": {"givenName": "A", "familyName": "Lovelace"}})),
            json!([{"op": "Replace", "path": "name", "value": {"givenName": "Ada"}}]),
            ada_with(json!({"name": {"givenName": "Ada", "familyName": "Lovelace"}})),
        ),
        user(
            "Remove name.givenName; an emptied name disappears",
            ada_with(json!({"name": {"givenName": "Ada"}})),
            json!([{"op": "Remove", "path": "name.givenName"}]),
            ada(),
        ),
        user(
            "Remove a simple attribute",
            ada_with(json!({"title": "Countess"})),
            json!([{"op": "Remove", "path": "title"}]),
            ada(),
        ),
        user(
            "Add emails[type eq \"work\"].value creates the missing element",
            ada(),
            json!([{"op": "Add", "path": "emails[type eq \"work\"].value", "value": "ada@contoso.com"}]),
            ada_with(json!({"emails": [{"type": "work", "value": "ada@contoso.com"}]})),
        ),
        user(
            "Replace emails[type eq \"work\"].value changes only the work email",
            ada_with(json!({"emails": [
                {"type": "home", "value": "ada@home.example"},
                {"type": "work", "value": "old@contoso.com", "primary": true}
            ]})),
            json!([{"op": "Replace", "path": "emails[type eq \"work\"].value", "value": "ada@contoso.com"}]),
            ada_with(json!({"emails": [
                {"type": "home", "value": "ada@home.example"},
                {"type": "work", "value": "ada@contoso.com", "primary": true}
            ]})),
        ),
        user(
            "Replace emails[type eq \"work\" and primary eq true].value creates type and primary",
            ada(),
            json!([{"op": "Replace", "path": "emails[type eq \"work\" and primary eq true].value", "value": "ada@contoso.com"}]),
            ada_with(json!({"emails": [{"type": "work", "primary": true, "value": "ada@contoso.com"}]})),
        ),
        user(
            "Add phoneNumbers[type eq \"mobile\"].value",
            ada(),
            json!([{"op": "Add", "path": "phoneNumbers[type eq \"mobile\"].value", "value": "+1 555 0100"}]),
            ada_with(json!({"phoneNumbers": [{"type": "mobile", "value": "+1 555 0100"}]})),
        ),
        user(
            "Replace addresses[type eq \"work\"].locality",
            ada(),
            json!([{"op": "Replace", "path": "addresses[type eq \"work\"].locality", "value": "London"}]),
            ada_with(json!({"addresses": [{"type": "work", "locality": "London"}]})),
        ),
        user(
            "a filtered path without a sub-attribute takes a bare string as the value",
            ada_with(json!({"emails": [{"type": "work", "value": "old@contoso.com"}]})),
            json!([{"op": "Replace", "path": "emails[type eq \"work\"]", "value": "ada@contoso.com"}]),
            ada_with(json!({"emails": [{"type": "work", "value": "ada@contoso.com"}]})),
        ),
        user(
            "Add to a multi-valued attribute appends, without duplicates",
            ada_with(json!({"emails": [{"type": "work", "value": "ada@contoso.com"}]})),
            json!([{"op": "Add", "path": "emails", "value": [
                {"type": "work", "value": "ada@contoso.com"},
                {"type": "home", "value": "ada@home.example"}
            ]}]),
            ada_with(json!({"emails": [
                {"type": "work", "value": "ada@contoso.com"},
                {"type": "home", "value": "ada@home.example"}
            ]})),
        ),
        user(
            "Remove emails[type eq \"home\"] drops the element",
            ada_with(json!({"emails": [
                {"type": "work", "value": "ada@contoso.com"},
                {"type": "home", "value": "ada@home.example"}
            ]})),
            json!([{"op": "Remove", "path": "emails[type eq \"home\"]"}]),
            ada_with(json!({"emails": [{"type": "work", "value": "ada@contoso.com"}]})),
        ),
        user(
            "Remove emails[type eq \"work\"].value keeps the element's other parts",
            ada_with(json!({"emails": [{"type": "work", "value": "ada@contoso.com"}]})),
            json!([{"op": "Remove", "path": "emails[type eq \"work\"].value"}]),
            ada_with(json!({"emails": [{"type": "work"}]})),
        ),
        user(
            "manager by the enterprise URN path, as a bare id",
            ada(),
            json!([{"op": "Replace", "path": MANAGER_PATH, "value": "mgr-1"}]),
            json!({
                "schemas": [USER, ENTERPRISE],
                "userName": "ada@contoso.com", "active": true,
                ENTERPRISE: {"manager": {"value": "mgr-1"}}
            }),
        ),
        user(
            "manager as Microsoft's guide sends it: path manager, a one-element array",
            ada(),
            json!([{"op": "Add", "path": "manager", "value": [
                {"$ref": "https://example.invalid/Users/mgr-1", "value": "mgr-1"}
            ]}]),
            json!({
                "schemas": [USER, ENTERPRISE],
                "userName": "ada@contoso.com", "active": true,
                ENTERPRISE: {"manager": {"$ref": "https://example.invalid/Users/mgr-1", "value": "mgr-1"}}
            }),
        ),
        user(
            "Remove the manager; an emptied extension leaves schemas",
            ada_with(json!({"schemas": [USER, ENTERPRISE], ENTERPRISE: {"manager": {"value": "mgr-1"}}})),
            json!([{"op": "Remove", "path": MANAGER_PATH}]),
            ada(),
        ),
        user(
            "an enterprise attribute by its full path",
            ada(),
            json!([{"op": "Add", "path": format!("{ENTERPRISE}:department"), "value": "Analytics"}]),
            json!({
                "schemas": [USER, ENTERPRISE],
                "userName": "ada@contoso.com", "active": true,
                ENTERPRISE: {"department": "Analytics"}
            }),
        ),
        user(
            "the enterprise extension inside a path-less value",
            ada_with(json!({"schemas": [USER, ENTERPRISE], ENTERPRISE: {"costCenter": "42"}})),
            json!([{"op": "Replace", "value": {ENTERPRISE: {"department": "Analytics"}, "title": "Countess"}}]),
            json!({
                "schemas": [USER, ENTERPRISE],
                "userName": "ada@contoso.com", "active": true, "title": "Countess",
                ENTERPRISE: {"costCenter": "42", "department": "Analytics"}
            }),
        ),
        user(
            "a null value removes the attribute",
            ada_with(json!({"title": "Countess"})),
            json!([{"op": "Replace", "path": "title", "value": null}]),
            ada(),
        ),
        user(
            "several operations apply in order",
            ada(),
            json!([
                {"op": "Add", "path": "title", "value": "Countess"},
                {"op": "Replace", "path": "title", "value": "Analyst"},
                {"op": "Replace", "path": "active", "value": "False"}
            ]),
            ada_with(json!({"title": "Analyst", "active": false})),
        ),
        group(
            "Add members",
            sales(&["u1"]),
            json!([{"op": "Add", "path": "members", "value": [{"value": "u2"}, {"value": "u3"}]}]),
            sales(&["u1", "u2", "u3"]),
        ),
        group(
            "Add a member already there changes nothing",
            sales(&["u1", "u2"]),
            json!([{"op": "Add", "path": "members", "value": [{"value": "u1"}]}]),
            sales(&["u1", "u2"]),
        ),
        group(
            "Remove members by value",
            sales(&["u1", "u2", "u3"]),
            json!([{"op": "Remove", "path": "members", "value": [{"value": "u1"}, {"value": "u3"}]}]),
            sales(&["u2"]),
        ),
        group(
            "remove members[value eq \"…\"] without a value (aadOptscim062020)",
            sales(&["u1", "u2"]),
            json!([{"op": "remove", "path": "members[value eq \"u2\"]"}]),
            sales(&["u1"]),
        ),
        group(
            "Remove members without a value empties the group",
            sales(&["u1", "u2"]),
            json!([{"op": "Remove", "path": "members"}]),
            json!({"schemas": [GROUP], "displayName": "Sales"}),
        ),
        group(
            "Replace members",
            sales(&["u1", "u2"]),
            json!([{"op": "Replace", "path": "members", "value": [{"value": "u3"}]}]),
            sales(&["u3"]),
        ),
        group(
            "Replace displayName without a path",
            sales(&["u1"]),
            json!([{"op": "Replace", "value": {"displayName": "Sales EMEA"}}]),
            json!({"schemas": [GROUP], "displayName": "Sales EMEA", "members": [{"value": "u1"}]}),
        ),
    ]
}

#[test]
fn entra_patch_forms_apply() {
    let mut failures = Vec::new();
    for case in accepted() {
        let before = object(case.before);
        match apply(case.kind, &before, &body(case.operations)) {
            Ok(after) if Value::Object(after.clone()) == case.after => {}
            Ok(after) => failures.push(format!(
                "{}:\n  expected {}\n  got      {}",
                case.name,
                case.after,
                Value::Object(after)
            )),
            Err(e) => failures.push(format!("{}: refused: {e:?}", case.name)),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Malformed patches: (name, kind, whole body, expected `scimType`). All are 400s.
fn refused() -> Vec<(&'static str, Kind, Value, &'static str)> {
    let ops = |operations: Value| body(operations);
    vec![
        ("body not an object", Kind::User, json!([]), "invalidSyntax"),
        (
            "no PatchOp schema",
            Kind::User,
            json!({"Operations": [{"op": "add", "path": "title", "value": "x"}]}),
            "invalidSyntax",
        ),
        (
            "Operations missing",
            Kind::User,
            json!({"schemas": [PATCH_OP]}),
            "invalidSyntax",
        ),
        ("Operations empty", Kind::User, ops(json!([])), "invalidSyntax"),
        (
            "Operations not an array",
            Kind::User,
            ops(json!({"op": "add"})),
            "invalidSyntax",
        ),
        (
            "an operation that is not an object",
            Kind::User,
            ops(json!(["add title"])),
            "invalidSyntax",
        ),
        (
            "unknown op",
            Kind::User,
            ops(json!([{"op": "merge", "path": "title", "value": "x"}])),
            "invalidValue",
        ),
        (
            "op missing",
            Kind::User,
            ops(json!([{"path": "title", "value": "x"}])),
            "invalidValue",
        ),
        (
            "path that does not parse",
            Kind::User,
            ops(json!([{"op": "add", "path": "emails[type eq", "value": "x"}])),
            "invalidPath",
        ),
        (
            "path not a string",
            Kind::User,
            ops(json!([{"op": "add", "path": 7, "value": "x"}])),
            "invalidPath",
        ),
        (
            "unknown attribute",
            Kind::User,
            ops(json!([{"op": "add", "path": "shoeSize", "value": "42"}])),
            "invalidPath",
        ),
        (
            "unknown sub-attribute",
            Kind::User,
            ops(json!([{"op": "add", "path": "name.nickname", "value": "x"}])),
            "invalidPath",
        ),
        (
            "unknown attribute in a path-less value",
            Kind::User,
            ops(json!([{"op": "replace", "value": {"shoeSize": "42"}}])),
            "invalidPath",
        ),
        (
            "a group attribute on a user",
            Kind::User,
            ops(json!([{"op": "add", "path": "members", "value": [{"value": "u1"}]}])),
            "invalidPath",
        ),
        (
            "a sub-attribute of a multi-valued attribute without a filter",
            Kind::User,
            ops(json!([{"op": "replace", "path": "emails.value", "value": "x"}])),
            "invalidPath",
        ),
        (
            "a filter on a single-valued attribute",
            Kind::User,
            ops(json!([{"op": "replace", "path": "name[givenName eq \"A\"].familyName", "value": "x"}])),
            "invalidPath",
        ),
        (
            "an extension the type does not have",
            Kind::Group,
            ops(json!([{"op": "add", "path": MANAGER_PATH, "value": "mgr-1"}])),
            "invalidPath",
        ),
        (
            "read-only id",
            Kind::User,
            ops(json!([{"op": "replace", "path": "id", "value": "mine"}])),
            "mutability",
        ),
        (
            "read-only meta in a path-less value",
            Kind::User,
            ops(json!([{"op": "replace", "value": {"meta": {"version": "W/\"1\""}}}])),
            "mutability",
        ),
        (
            "read-only groups",
            Kind::User,
            ops(json!([{"op": "add", "path": "groups", "value": [{"value": "g1"}]}])),
            "mutability",
        ),
        (
            "remove without a path",
            Kind::User,
            ops(json!([{"op": "Remove", "value": {"title": "x"}}])),
            "noTarget",
        ),
        (
            "remove with a filter that matches nothing",
            Kind::Group,
            ops(json!([{"op": "remove", "path": "members[value eq \"nobody\"]"}])),
            "noTarget",
        ),
        (
            "a path-less value that is not an object",
            Kind::User,
            ops(json!([{"op": "replace", "value": "Ada"}])),
            "invalidValue",
        ),
        (
            "an extension in a path-less value that is not an object",
            Kind::User,
            ops(json!([{"op": "replace", "value": {ENTERPRISE: "Analytics"}}])),
            "invalidValue",
        ),
        (
            "a boolean that is not one",
            Kind::User,
            ops(json!([{"op": "replace", "path": "active", "value": "yes"}])),
            "invalidValue",
        ),
        (
            "a number for a string",
            Kind::User,
            ops(json!([{"op": "replace", "path": "title", "value": 7}])),
            "invalidValue",
        ),
        (
            "a filtered path without a sub-attribute and two objects",
            Kind::User,
            ops(
                json!([{"op": "add", "path": "emails[type eq \"work\"]", "value": [
                    {"value": "a@contoso.com"},
                    {"value": "b@contoso.com"}
                ]}]),
            ),
            "invalidValue",
        ),
    ]
}

#[test]
fn malformed_patches_are_refused_with_a_scim_type() {
    let mut failures = Vec::new();
    for (name, kind, patch, scim_type) in refused() {
        let before = object(match kind {
            Kind::User => ada_with(json!({"emails": [{"type": "work", "value": "ada@contoso.com"}]})),
            Kind::Group => sales(&["u1"]),
        });
        match apply(kind, &before, &patch) {
            Ok(after) => failures.push(format!("{name}: accepted, giving {}", Value::Object(after))),
            Err(e) if e.status.as_u16() == 400 && e.scim_type == Some(scim_type) => {
                assert!(!e.detail.is_empty(), "{name}: no detail");
            }
            Err(e) => failures.push(format!(
                "{name}: expected 400 {scim_type}, got {} {:?} ({})",
                e.status, e.scim_type, e.detail
            )),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
