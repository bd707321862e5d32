//! Generated demo data (`--seed N`): users that look like a small company, spread over five
//! department groups, so a fresh sandbox has something to list, filter and page through.

use serde_json::{Value, json};

use super::resource::{Kind, normalize};
use super::schema::{ENTERPRISE, GROUP, USER};
use super::store::Store;

/// The departments users are spread over, one group each.
const DEPARTMENTS: [&str; 5] = ["Sales", "Engineering", "Support", "Finance", "Operations"];

/// Adds `users` generated users (`user000000@sandbox.example`, …) and one group per department
/// holding its users. Does nothing when `users` is 0 or the store already has users, so a
/// persisted sandbox is never seeded twice.
pub fn seed_demo(store: &Store, users: usize) {
    if users == 0 || store.count(Kind::User) > 0 {
        return;
    }
    let mut group_members: Vec<Vec<Value>> = vec![Vec::new(); DEPARTMENTS.len()];
    for i in 0..users {
        let department = i % DEPARTMENTS.len();
        let doc =
            normalize(Kind::User, demo_user(i, DEPARTMENTS[department])).expect("generated users are valid");
        if let Ok(created) = store.create(Kind::User, doc) {
            group_members[department].push(json!({"value": created["id"]}));
        }
    }
    for (name, members) in DEPARTMENTS.iter().zip(group_members) {
        let doc = json!({"schemas": [GROUP], "displayName": name, "members": members});
        let doc = normalize(Kind::Group, doc).expect("generated groups are valid");
        let _ = store.create(Kind::Group, doc);
    }
}

/// The `i`-th generated user, as a client would POST it.
fn demo_user(i: usize, department: &str) -> Value {
    json!({
        "schemas": [USER, ENTERPRISE],
        "userName": format!("user{i:06}@sandbox.example"),
        "externalId": format!("ext-{i:06}"),
        "displayName": format!("Seeded User {i}"),
        "name": {"givenName": "Seeded", "familyName": format!("User {i}")},
        "emails": [{"value": format!("user{i:06}@sandbox.example"), "type": "work", "primary": true}],
        "active": true,
        ENTERPRISE: {"department": department},
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::DEFAULT_ORG;

    fn store() -> Store {
        Store::new(DEFAULT_ORG.parse().expect("a valid org"))
    }

    #[test]
    fn seeds_users_into_department_groups() {
        let store = store();
        seed_demo(&store, 12);
        assert_eq!(store.count(Kind::User), 12);
        let groups = store.list(Kind::Group, None);
        let names: Vec<&str> = groups
            .iter()
            .filter_map(|g| g.get("displayName").and_then(Value::as_str))
            .collect();
        assert_eq!(names, DEPARTMENTS);
        let members: usize = groups
            .iter()
            .map(|g| g.get("members").and_then(Value::as_array).map_or(0, Vec::len))
            .sum();
        assert_eq!(members, 12, "every user is in exactly one department");
        let first = &store.list(Kind::User, None)[0];
        assert_eq!(first.get("userName"), Some(&json!("user000000@sandbox.example")));
        assert_eq!(first.get(ENTERPRISE), Some(&json!({"department": "Sales"})));
    }

    #[test]
    fn never_seeds_a_store_that_has_users() {
        let store = store();
        seed_demo(&store, 3);
        seed_demo(&store, 7);
        assert_eq!(store.count(Kind::User), 3);
        assert_eq!(store.count(Kind::Group), DEPARTMENTS.len());

        let empty = self::store();
        seed_demo(&empty, 0);
        assert_eq!(empty.count(Kind::Group), 0, "seeding nothing makes no groups");
    }
}
