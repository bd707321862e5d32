//! The provisioning engine: what Entra's provisioning service sends to a SCIM Tenant URL in one
//! sync cycle. A cycle checks the token, then matches or creates every assigned user, patches
//! the attributes that changed since the last export, and does the same for groups and their
//! members. A user no longer assigned is disabled (kept, `active` false), as Entra does by
//! default. What was exported is remembered in [`Exported`], so a cycle with nothing changed
//! writes nothing.
//!
//! Every cycle is bounded: one pass over the directory, at most a few requests per user and
//! group, no retries, and each request times out after 10 seconds.

mod groups;
mod http;
mod users;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::directory::Directory;
use super::loopback::NotLoopback;
use http::Answer;
use users::UserSnapshot;

pub(crate) use http::{ScimTarget, http_client};

/// Why a cycle (or Test Connection) failed as a whole.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CycleError {
    /// The Tenant URL is not a loopback address.
    #[error(transparent)]
    NotLoopback(#[from] NotLoopback),
    /// The SCIM endpoint refused the secret token (401) or its rights (403): the job is
    /// quarantined until the token is renewed.
    #[error("the SCIM endpoint refused the secret token (HTTP {status})")]
    Unauthorized {
        /// 401 or 403.
        status: u16,
    },
    /// No answer: connection refused, reset or timed out.
    #[error("cannot reach the SCIM endpoint: {0}")]
    Unreachable(String),
    /// An answer no SCIM endpoint should give (5xx, a redirect, a malformed body, …).
    #[error("the SCIM endpoint answered HTTP {status}: {detail}")]
    Protocol {
        /// The HTTP status.
        status: u16,
        /// What was wrong.
        detail: String,
    },
}

/// What was exported to the SCIM endpoint, by directory object id: the state a cycle compares
/// the directory with. Serialisable so the job can keep it across restarts.
#[derive(Serialize, Deserialize, Default, Clone, Debug, PartialEq)]
pub(crate) struct Exported {
    /// Exported users.
    pub(crate) users: BTreeMap<Uuid, ExportedUser>,
    /// Exported groups.
    pub(crate) groups: BTreeMap<Uuid, ExportedGroup>,
}

/// A user as last exported.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct ExportedUser {
    /// The SCIM `id` it has on the other side.
    pub(crate) scim_id: String,
    /// The attributes as last sent (or found, when matched).
    pub(crate) snapshot: UserSnapshot,
}

/// A group as last exported.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub(crate) struct ExportedGroup {
    /// The SCIM `id` it has on the other side.
    pub(crate) scim_id: String,
    /// Its display name as last sent.
    pub(crate) display_name: String,
    /// SCIM ids of the members it was last given.
    pub(crate) members: BTreeSet<String>,
}

impl Exported {
    /// The SCIM id a directory user was exported as.
    pub(crate) fn scim_user_id(&self, object_id: Uuid) -> Option<&str> {
        self.users.get(&object_id).map(|u| u.scim_id.as_str())
    }

    /// Forgets a user deleted on the other side (which also took it out of every group there).
    fn forget_user(&mut self, object_id: Uuid) {
        if let Some(user) = self.users.remove(&object_id) {
            for group in self.groups.values_mut() {
                group.members.remove(&user.scim_id);
            }
        }
    }
}

/// What one cycle did.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CycleReport {
    /// Directory users in sync after the cycle.
    pub(crate) users: usize,
    /// Directory groups in sync (name and members) after the cycle.
    pub(crate) groups: usize,
    /// Users and groups created.
    pub(crate) created: usize,
    /// Users and groups patched.
    pub(crate) updated: usize,
    /// Users and groups found on the other side and linked instead of created.
    pub(crate) matched: usize,
    /// Entries that failed on their own (e.g. a 409), one line each; the cycle went on.
    pub(crate) entry_errors: Vec<String>,
}

impl CycleReport {
    fn new() -> Self {
        Self {
            users: 0,
            groups: 0,
            created: 0,
            updated: 0,
            matched: 0,
            entry_errors: Vec::new(),
        }
    }
}

/// Entra's Test Connection: `GET /Users?filter=userName eq "<random>"` must answer 200 with
/// no resources.
pub(crate) async fn test_connection(client: &reqwest::Client, target: &ScimTarget) -> Result<(), CycleError> {
    let probe = format!("{}@test-connection.invalid", Uuid::new_v4().simple());
    let url = target.url(&["Users"]);
    let answer = http::send(
        target,
        client.get(url).query(&[("filter", filter("userName", &probe))]),
        None,
    )
    .await?;
    match answer {
        Answer { status: 200, body } => match list_total(&body) {
            Some(0) => Ok(()),
            Some(n) => Err(protocol(200, format!("a made-up userName matched {n} users"))),
            None => Err(protocol(200, "the answer is not a SCIM ListResponse")),
        },
        Answer { status, body } => Err(protocol(status, http::detail(&body))),
    }
}

/// One sync cycle of `directory` into the SCIM endpoint, updating `exported` as it goes (so
/// what was done before a failure is remembered). Fails as a whole on 401/403, an unreachable
/// endpoint or a server error; an entry the endpoint refuses (e.g. 409) is reported and skipped.
pub(crate) async fn run_cycle(
    client: &reqwest::Client,
    target: &ScimTarget,
    directory: &Directory,
    exported: &mut Exported,
) -> Result<CycleReport, CycleError> {
    test_connection(client, target).await?;
    let mut report = CycleReport::new();
    for user in &directory.users {
        users::sync(client, target, user, exported, &mut report).await?;
    }
    users::disable_unassigned(client, target, directory, exported, &mut report).await?;
    for group in &directory.groups {
        groups::sync(client, target, group, exported, &mut report).await?;
    }
    report.users = directory
        .users
        .iter()
        .filter(|u| {
            exported
                .users
                .get(&u.id)
                .is_some_and(|e| e.snapshot == UserSnapshot::of(u))
        })
        .count();
    report.groups = directory
        .groups
        .iter()
        .filter(|g| {
            exported.groups.get(&g.id).is_some_and(|e| {
                e.display_name == g.display_name && e.members == groups::wanted_members(g, exported)
            })
        })
        .count();
    Ok(report)
}

/// A filter on one attribute, with `"` and `\` in the value escaped.
fn filter(attribute: &str, value: &str) -> String {
    let mut out = format!("{attribute} eq \"");
    for c in value.chars() {
        if matches!(c, '"' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// `totalResults` of a ListResponse.
fn list_total(body: &Option<serde_json::Value>) -> Option<u64> {
    body.as_ref()?.get("totalResults")?.as_u64()
}

fn protocol(status: u16, detail: impl Into<String>) -> CycleError {
    CycleError::Protocol {
        status,
        detail: detail.into(),
    }
}
