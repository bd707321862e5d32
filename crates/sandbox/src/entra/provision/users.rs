//! Users: match by userName or create, then PATCH what changed, one op per attribute.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::http::{Answer, Created, ScimTarget, create, detail, send};
use super::{CycleError, CycleReport, Exported, ExportedUser, filter, list_total, protocol};
use crate::entra::directory::{Directory, DirectoryUser};
use crate::webex::scim::{ENTERPRISE, USER};

/// The PatchOp message schema.
pub(super) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

/// The attributes Entra's default Webex mapping exports, as last sent or found.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub(crate) struct UserSnapshot {
    /// `userName` ← userPrincipalName.
    pub(crate) user_name: String,
    /// `displayName`.
    pub(crate) display_name: String,
    /// `name.givenName`.
    pub(crate) given_name: String,
    /// `name.familyName` ← surname.
    pub(crate) family_name: String,
    /// `name.formatted` ← "givenName surname".
    pub(crate) formatted: String,
    /// `emails[type eq "work"].value` ← mail.
    pub(crate) email: String,
    /// `title` ← jobTitle.
    pub(crate) title: Option<String>,
    /// The enterprise extension's `department`.
    pub(crate) department: Option<String>,
    /// `active` ← accountEnabled.
    pub(crate) active: bool,
}

impl UserSnapshot {
    /// What the mapping makes of a directory user.
    pub(crate) fn of(user: &DirectoryUser) -> Self {
        Self {
            user_name: user.user_principal_name.clone(),
            display_name: user.display_name.clone(),
            given_name: user.given_name.clone(),
            family_name: user.surname.clone(),
            formatted: format!("{} {}", user.given_name, user.surname),
            email: user.mail.clone(),
            title: user.job_title.clone(),
            department: user.department.clone(),
            active: user.account_enabled,
        }
    }

    /// What a SCIM user resource found by matching holds of the mapped attributes.
    fn found(resource: &Value) -> Self {
        let text = |v: Option<&Value>| v.and_then(Value::as_str).map(str::to_owned);
        let name = resource.get("name");
        let emails = resource.get("emails").and_then(Value::as_array);
        let work = emails.and_then(|emails| {
            emails
                .iter()
                .find(|e| e.get("type").and_then(Value::as_str) == Some("work"))
        });
        Self {
            user_name: text(resource.get("userName")).unwrap_or_default(),
            display_name: text(resource.get("displayName")).unwrap_or_default(),
            given_name: text(name.and_then(|n| n.get("givenName"))).unwrap_or_default(),
            family_name: text(name.and_then(|n| n.get("familyName"))).unwrap_or_default(),
            formatted: text(name.and_then(|n| n.get("formatted"))).unwrap_or_default(),
            email: text(work.and_then(|e| e.get("value"))).unwrap_or_default(),
            title: text(resource.get("title")),
            department: text(resource.get(ENTERPRISE).and_then(|e| e.get("department"))),
            active: resource.get("active").and_then(Value::as_bool).unwrap_or(true),
        }
    }

    /// Each mapped attribute as a PATCH path and its value (`None`: absent).
    fn fields(&self) -> [(String, Option<Value>); 9] {
        let text = |s: &str| Some(Value::from(s));
        [
            ("userName".into(), text(&self.user_name)),
            ("displayName".into(), text(&self.display_name)),
            ("name.givenName".into(), text(&self.given_name)),
            ("name.familyName".into(), text(&self.family_name)),
            ("name.formatted".into(), text(&self.formatted)),
            ("emails[type eq \"work\"].value".into(), text(&self.email)),
            ("title".into(), self.title.as_deref().and_then(text)),
            (
                format!("{ENTERPRISE}:department"),
                self.department.as_deref().and_then(text),
            ),
            ("active".into(), Some(Value::Bool(self.active))),
        ]
    }

    /// The `POST /Users` body, shaped as Entra sends it.
    fn create_body(&self, external_id: &str) -> Value {
        let mut body = json!({
            "schemas": [USER, ENTERPRISE],
            "externalId": external_id,
            "userName": self.user_name,
            "active": self.active,
            "displayName": self.display_name,
            "emails": [{"primary": true, "type": "work", "value": self.email}],
            "meta": {"resourceType": "User"},
            "name": {
                "formatted": self.formatted,
                "familyName": self.family_name,
                "givenName": self.given_name,
            },
            "roles": [],
        });
        if let Some(title) = &self.title {
            body["title"] = title.as_str().into();
        }
        if let Some(department) = &self.department {
            body[ENTERPRISE] = json!({ "department": department });
        }
        body
    }
}

/// `Replace`/`Add`/`Remove` in the gallery default, lowercase with the optscim flag.
pub(super) fn op_name(name: &str, optscim: bool) -> String {
    if optscim {
        name.to_ascii_lowercase()
    } else {
        name.to_owned()
    }
}

/// One op per attribute that differs between `old` and `new`: a replace with the new value, or
/// a remove when it is gone. Booleans are `"True"`/`"False"` unless `optscim`.
pub(super) fn patch_ops(old: &UserSnapshot, new: &UserSnapshot, optscim: bool) -> Vec<Value> {
    old.fields()
        .into_iter()
        .zip(new.fields())
        .filter(|((_, before), (_, after))| before != after)
        .map(|(_, (path, after))| match after {
            None => json!({"op": op_name("Remove", optscim), "path": path}),
            Some(Value::Bool(b)) if !optscim => {
                json!({"op": "Replace", "path": path, "value": if b { "True" } else { "False" }})
            }
            Some(value) => json!({"op": op_name("Replace", optscim), "path": path, "value": value}),
        })
        .collect()
}

/// What became of a PATCH.
pub(super) enum Patched {
    Done,
    /// 404: deleted on the other side.
    Gone,
    /// Refused for this entry only.
    Refused(String),
}

/// `PATCH {base}/{endpoint}/{id}` with `ops`.
pub(super) async fn patch(
    client: &reqwest::Client,
    target: &ScimTarget,
    endpoint: &str,
    id: &str,
    ops: Vec<Value>,
) -> Result<Patched, CycleError> {
    let body = json!({"schemas": [PATCH_OP], "Operations": ops});
    let url = target.url(&[endpoint, id]);
    Ok(match send(target, client.patch(url), Some(&body)).await? {
        Answer {
            status: 200..=299, ..
        } => Patched::Done,
        Answer { status: 404, .. } => Patched::Gone,
        Answer { status, body } => Patched::Refused(format!("HTTP {status} ({})", detail(&body))),
    })
}

/// Brings one directory user in line: PATCH what changed since the last export; or, for a user
/// not exported yet (or deleted on the other side), match by userName and link, else create.
pub(super) async fn sync(
    client: &reqwest::Client,
    target: &ScimTarget,
    user: &DirectoryUser,
    exported: &mut Exported,
    report: &mut CycleReport,
) -> Result<(), CycleError> {
    let mut sync = UserSync {
        client,
        target,
        user,
        wanted: UserSnapshot::of(user),
        exported,
        report,
    };
    if sync.update_exported().await? {
        return Ok(());
    }
    match sync.find_by_user_name().await? {
        Lookup::Found(resource) => sync.link(&resource).await,
        Lookup::Missing => sync.create().await,
        Lookup::Skipped => Ok(()),
    }
}

/// One directory user being brought in line: the endpoint, the user and what the mapping makes
/// of it, and the cycle's record of what was exported and what happened.
struct UserSync<'a> {
    client: &'a reqwest::Client,
    target: &'a ScimTarget,
    user: &'a DirectoryUser,
    wanted: UserSnapshot,
    exported: &'a mut Exported,
    report: &'a mut CycleReport,
}

/// What matching by userName found.
enum Lookup {
    /// No user has it.
    Missing,
    /// The one user that has it.
    Found(Value),
    /// No answer to act on (several users have it, or the lookup was refused): reported.
    Skipped,
}

impl UserSync<'_> {
    /// Reports an error of this user only; the cycle goes on.
    fn entry_error(&mut self, what: &str) {
        let label = &self.user.user_principal_name;
        self.report.entry_errors.push(format!("user {label}: {what}"));
    }

    /// Remembers the user as exported under `scim_id`, with `snapshot` as last sent or found.
    fn keep(&mut self, scim_id: String, snapshot: UserSnapshot) {
        self.exported
            .users
            .insert(self.user.id, ExportedUser { scim_id, snapshot });
    }

    /// For a user exported before: PATCH what changed since. `false` when it was not exported,
    /// or was deleted on the other side (and is forgotten now): then it is matched or created.
    async fn update_exported(&mut self) -> Result<bool, CycleError> {
        let Some(known) = self.exported.users.get(&self.user.id) else {
            return Ok(false);
        };
        if known.snapshot == self.wanted {
            return Ok(true);
        }
        let scim_id = known.scim_id.clone();
        let ops = patch_ops(&known.snapshot, &self.wanted, self.target.optscim());
        match patch(self.client, self.target, "Users", &scim_id, ops).await? {
            Patched::Done => {
                self.keep(scim_id, self.wanted.clone());
                self.report.updated += 1;
            }
            Patched::Refused(why) => self.entry_error(&format!("update refused: {why}")),
            Patched::Gone => {
                self.exported.forget_user(self.user.id);
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// Entra's matching: a `userName eq` filter, which must find one user or none.
    async fn find_by_user_name(&mut self) -> Result<Lookup, CycleError> {
        let url = self.target.url(&["Users"]);
        let query = [("filter", filter("userName", &self.wanted.user_name))];
        let body = match send(self.target, self.client.get(url).query(&query), None).await? {
            Answer { status: 200, body } => body,
            Answer { status, body } => {
                self.entry_error(&format!("matching refused: HTTP {status} ({})", detail(&body)));
                return Ok(Lookup::Skipped);
            }
        };
        match list_total(&body) {
            Some(0) => Ok(Lookup::Missing),
            Some(1) => body
                .as_ref()
                .and_then(|b| b.get("Resources")?.get(0))
                .cloned()
                .map(Lookup::Found)
                .ok_or_else(|| protocol(200, "a ListResponse with totalResults 1 but no resource")),
            Some(n) => {
                self.entry_error(&format!("{n} users match its userName"));
                Ok(Lookup::Skipped)
            }
            None => Err(protocol(200, "the answer is not a SCIM ListResponse")),
        }
    }

    /// Links the user matched on the other side, after a PATCH of what differs from the directory.
    async fn link(&mut self, resource: &Value) -> Result<(), CycleError> {
        let Some(scim_id) = resource.get("id").and_then(Value::as_str).map(str::to_owned) else {
            return Err(protocol(200, "a matched user has no id"));
        };
        self.report.matched += 1;
        let found = UserSnapshot::found(resource);
        if found == self.wanted {
            self.keep(scim_id, found);
            return Ok(());
        }
        let ops = patch_ops(&found, &self.wanted, self.target.optscim());
        match patch(self.client, self.target, "Users", &scim_id, ops).await? {
            Patched::Done => {
                self.keep(scim_id, self.wanted.clone());
                self.report.updated += 1;
            }
            Patched::Gone => self.entry_error("deleted on the other side while being matched"),
            // Linked as found: the next cycle tries the update again.
            Patched::Refused(why) => {
                self.entry_error(&format!("update refused: {why}"));
                self.keep(scim_id, found);
            }
        }
        Ok(())
    }

    /// Creates the user on the other side, as Entra shapes a `POST /Users`.
    async fn create(&mut self) -> Result<(), CycleError> {
        let body = self.wanted.create_body(&self.user.id.to_string());
        match create(self.client, self.target, "Users", &body).await? {
            Created::Id(scim_id) => {
                self.keep(scim_id, self.wanted.clone());
                self.report.created += 1;
            }
            Created::Refused(why) => self.entry_error(&format!("create refused: {why}")),
        }
        Ok(())
    }
}

/// Disables exported users that are no longer in the directory (out of scope): one
/// `active` → false PATCH each, once; they stay exported so a re-assignment re-enables them.
pub(super) async fn disable_unassigned(
    client: &reqwest::Client,
    target: &ScimTarget,
    directory: &Directory,
    exported: &mut Exported,
    report: &mut CycleReport,
) -> Result<(), CycleError> {
    let gone: Vec<uuid::Uuid> = exported
        .users
        .iter()
        .filter(|(id, user)| user.snapshot.active && directory.user(**id).is_none())
        .map(|(id, _)| *id)
        .collect();
    for id in gone {
        let Some(known) = exported.users.get_mut(&id) else {
            continue;
        };
        let mut disabled = known.snapshot.clone();
        disabled.active = false;
        let ops = patch_ops(&known.snapshot, &disabled, target.optscim());
        match patch(client, target, "Users", &known.scim_id, ops).await? {
            Patched::Done => {
                known.snapshot = disabled;
                report.updated += 1;
            }
            Patched::Gone => exported.forget_user(id),
            Patched::Refused(why) => report.entry_errors.push(format!(
                "user {}: disabling (no longer assigned) refused: {why}",
                known.snapshot.user_name
            )),
        }
    }
    Ok(())
}
