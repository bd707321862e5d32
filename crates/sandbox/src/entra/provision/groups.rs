//! Groups: match by displayName or create (with no members), then PATCH membership changes.

use std::collections::BTreeSet;
use std::collections::btree_map::Entry;

use serde_json::{Value, json};

use super::http::{Answer, Created, ScimTarget, create, detail, send};
use super::users::{Patched, op_name, patch};
use super::{CycleError, CycleReport, Exported, ExportedGroup, filter, list_total, protocol};
use crate::entra::directory::DirectoryGroup;
use crate::webex::scim::GROUP;

/// Member changes per PATCH request.
const CHANGES_PER_PATCH: usize = 50;

/// SCIM ids of the group's members that have been exported (members whose export failed wait).
pub(super) fn wanted_members(group: &DirectoryGroup, exported: &Exported) -> BTreeSet<String> {
    group
        .members
        .iter()
        .filter_map(|id| exported.scim_user_id(*id))
        .map(str::to_owned)
        .collect()
}

/// One member added or removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change<'a> {
    Add(&'a str),
    Remove(&'a str),
}

/// The ops for some member changes: one add op listing the added; removals as one remove op
/// listing them (gallery default) or one `members[value eq "…"]` op each (optscim).
fn member_ops(changes: &[Change<'_>], optscim: bool) -> Vec<Value> {
    let entries = |remove: bool| -> Vec<Value> {
        changes
            .iter()
            .filter_map(|c| match (c, remove) {
                (Change::Add(id), false) | (Change::Remove(id), true) => Some(json!({"value": id})),
                _ => None,
            })
            .collect()
    };
    let mut ops = Vec::new();
    let added = entries(false);
    if !added.is_empty() {
        ops.push(json!({"op": op_name("Add", optscim), "path": "members", "value": added}));
    }
    let removed = entries(true);
    if removed.is_empty() {
        return ops;
    }
    if optscim {
        ops.extend(changes.iter().filter_map(|c| match c {
            Change::Remove(id) => Some(json!({
                "op": "remove",
                "path": format!("members[{}]", filter("value", id)),
            })),
            Change::Add(_) => None,
        }));
    } else {
        ops.push(json!({"op": "Remove", "path": "members", "value": removed}));
    }
    ops
}

/// Brings one directory group in line: renamed, matched or created, then its members.
/// A group deleted on the other side is forgotten and created again, once per cycle.
pub(super) async fn sync(
    client: &reqwest::Client,
    target: &ScimTarget,
    group: &DirectoryGroup,
    exported: &mut Exported,
    report: &mut CycleReport,
) -> Result<(), CycleError> {
    for _attempt in 0..2 {
        match attempt(client, target, group, exported, report).await? {
            Some(Gone) => {
                exported.groups.remove(&group.id);
            }
            None => return Ok(()),
        }
    }
    report.entry_errors.push(format!(
        "group {}: deleted on the other side again while being re-created",
        group.display_name
    ));
    Ok(())
}

/// The group was deleted on the other side.
struct Gone;

async fn attempt(
    client: &reqwest::Client,
    target: &ScimTarget,
    group: &DirectoryGroup,
    exported: &mut Exported,
    report: &mut CycleReport,
) -> Result<Option<Gone>, CycleError> {
    let label = &group.display_name;
    let optscim = target.optscim();
    if let Entry::Vacant(vacant) = exported.groups.entry(group.id) {
        let Some(linked) = link(client, target, group, report).await? else {
            return Ok(None);
        };
        vacant.insert(linked);
    }
    let Some(known) = exported.groups.get(&group.id) else {
        return Ok(None);
    };
    let scim_id = known.scim_id.clone();
    if known.display_name != group.display_name {
        let ops = vec![json!({"op": op_name("Replace", optscim), "path": "displayName", "value": label})];
        match patch(client, target, "Groups", &scim_id, ops).await? {
            Patched::Done => {
                if let Some(known) = exported.groups.get_mut(&group.id) {
                    known.display_name.clone_from(label);
                }
                report.updated += 1;
            }
            Patched::Gone => return Ok(Some(Gone)),
            Patched::Refused(why) => {
                report
                    .entry_errors
                    .push(format!("group {label}: rename refused: {why}"));
                return Ok(None);
            }
        }
    }

    let wanted = wanted_members(group, exported);
    let Some(known) = exported.groups.get(&group.id) else {
        return Ok(None);
    };
    let changes: Vec<Change<'_>> = wanted
        .difference(&known.members)
        .map(|id| Change::Add(id))
        .chain(known.members.difference(&wanted).map(|id| Change::Remove(id)))
        .collect();
    let mut applied: Vec<(bool, String)> = Vec::new();
    let mut outcome = None;
    for chunk in changes.chunks(CHANGES_PER_PATCH) {
        match patch(client, target, "Groups", &scim_id, member_ops(chunk, optscim)).await? {
            Patched::Done => applied.extend(chunk.iter().map(|c| match c {
                Change::Add(id) => (true, (*id).to_owned()),
                Change::Remove(id) => (false, (*id).to_owned()),
            })),
            Patched::Gone => {
                outcome = Some(Gone);
                break;
            }
            Patched::Refused(why) => {
                report
                    .entry_errors
                    .push(format!("group {label}: membership update refused: {why}"));
                break;
            }
        }
    }
    if !applied.is_empty() {
        report.updated += 1;
    }
    if let Some(known) = exported.groups.get_mut(&group.id) {
        for (added, id) in applied {
            if added {
                known.members.insert(id);
            } else {
                known.members.remove(&id);
            }
        }
    }
    Ok(outcome)
}

/// Matches the group by displayName (without its members), else creates it with none.
async fn link(
    client: &reqwest::Client,
    target: &ScimTarget,
    group: &DirectoryGroup,
    report: &mut CycleReport,
) -> Result<Option<ExportedGroup>, CycleError> {
    let label = &group.display_name;
    let query = [
        ("excludedAttributes", "members".to_owned()),
        ("filter", filter("displayName", label)),
    ];
    let url = target.url(&["Groups"]);
    let found = match send(target, client.get(url).query(&query), None).await? {
        Answer { status: 200, body } => match list_total(&body) {
            Some(0) => None,
            Some(1) => Some(
                body.as_ref()
                    .and_then(|b| b.get("Resources")?.get(0)?.get("id")?.as_str())
                    .map(str::to_owned)
                    .ok_or_else(|| protocol(200, "a matched group has no id"))?,
            ),
            Some(n) => {
                report
                    .entry_errors
                    .push(format!("group {label}: {n} groups match its name"));
                return Ok(None);
            }
            None => return Err(protocol(200, "the answer is not a SCIM ListResponse")),
        },
        Answer { status, body } => {
            report.entry_errors.push(format!(
                "group {label}: matching refused: HTTP {status} ({})",
                detail(&body)
            ));
            return Ok(None);
        }
    };
    if let Some(scim_id) = found {
        report.matched += 1;
        // Its members are unknown (not read): adding them all is harmless, adds are idempotent.
        return Ok(Some(ExportedGroup {
            scim_id,
            display_name: label.clone(),
            members: BTreeSet::new(),
        }));
    }
    let body = json!({
        "schemas": [GROUP],
        "externalId": group.id.to_string(),
        "displayName": label,
        "members": [],
    });
    match create(client, target, "Groups", &body).await? {
        Created::Id(scim_id) => {
            report.created += 1;
            Ok(Some(ExportedGroup {
                scim_id,
                display_name: label.clone(),
                members: BTreeSet::new(),
            }))
        }
        Created::Refused(why) => {
            report
                .entry_errors
                .push(format!("group {label}: create refused: {why}"));
            Ok(None)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_ops_in_both_forms() {
        let changes = [Change::Add("a"), Change::Add("b"), Change::Remove("c\"d")];
        assert_eq!(
            member_ops(&changes, false),
            [
                json!({"op": "Add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}),
                json!({"op": "Remove", "path": "members", "value": [{"value": "c\"d"}]}),
            ]
        );
        assert_eq!(
            member_ops(&changes, true),
            [
                json!({"op": "add", "path": "members", "value": [{"value": "a"}, {"value": "b"}]}),
                json!({"op": "remove", "path": "members[value eq \"c\\\"d\"]"}),
            ]
        );
        assert!(member_ops(&[], true).is_empty());
    }
}
