//! The sandbox's resources in memory, with indexes for the lookups Entra makes on every sync
//! (`userName eq`, `externalId eq`, `displayName eq`) so they never scan.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, RwLock};

use scim_token_core::OrgId;
use serde_json::{Map, Value, json};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::ScimError;
use super::filter;
use super::persist::{Change, Persistence};
use super::render::Resource;
use super::resource::{Kind, check_required};
use scim_v2::filter::Filter;

/// Attributes with an index, per kind.
fn indexed(kind: Kind) -> &'static [&'static str] {
    match kind {
        Kind::User => &["userName", "externalId"],
        Kind::Group => &["displayName", "externalId"],
    }
}

/// The attribute that must be unique (case-insensitively) per kind.
fn unique_attr(kind: Kind) -> &'static str {
    match kind {
        Kind::User => "userName",
        Kind::Group => "displayName",
    }
}

#[derive(Debug, Default)]
struct Collection {
    docs: HashMap<String, Stored>,
    /// Creation order: sequence number → id.
    order: BTreeMap<u64, String>,
    /// Lower-cased unique attribute → id.
    unique: HashMap<String, String>,
    /// externalId (case-exact) → ids.
    external: HashMap<String, Vec<String>>,
}

#[derive(Debug, Clone)]
struct Stored {
    seq: u64,
    doc: Arc<Resource>,
}

impl Collection {
    fn unique_key(kind: Kind, doc: &Map<String, Value>) -> String {
        doc.get(unique_attr(kind))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_lowercase()
    }

    fn external_id(doc: &Map<String, Value>) -> Option<&str> {
        doc.get("externalId").and_then(Value::as_str)
    }

    fn unindex(&mut self, kind: Kind, id: &str, doc: &Map<String, Value>) {
        self.unique.remove(&Self::unique_key(kind, doc));
        if let Some(ext) = Self::external_id(doc)
            && let Some(ids) = self.external.get_mut(ext)
        {
            ids.retain(|i| i != id);
            if ids.is_empty() {
                self.external.remove(ext);
            }
        }
    }

    fn index(&mut self, kind: Kind, id: &str, doc: &Map<String, Value>) {
        self.unique.insert(Self::unique_key(kind, doc), id.to_owned());
        if let Some(ext) = Self::external_id(doc) {
            self.external
                .entry(ext.to_owned())
                .or_default()
                .push(id.to_owned());
        }
    }

    /// Adds or replaces a resource: indexes, creation order (kept for a replacement) and document.
    fn put(&mut self, kind: Kind, id: String, seq: u64, doc: Map<String, Value>) {
        self.index(kind, &id, &doc);
        self.order.insert(seq, id.clone());
        self.docs.insert(
            id,
            Stored {
                seq,
                doc: Resource::shared(doc),
            },
        );
    }

    fn check_unique(&self, kind: Kind, id: Option<&str>, doc: &Map<String, Value>) -> Result<(), ScimError> {
        match self.unique.get(&Self::unique_key(kind, doc)) {
            Some(holder) if Some(holder.as_str()) != id => Err(ScimError::uniqueness(format!(
                "a {} with {} '{}' already exists",
                kind.resource_type(),
                unique_attr(kind),
                doc.get(unique_attr(kind))
                    .and_then(Value::as_str)
                    .unwrap_or_default()
            ))),
            _ => Ok(()),
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    users: Collection,
    groups: Collection,
    next_seq: u64,
}

impl Inner {
    fn collection(&mut self, kind: Kind) -> &mut Collection {
        match kind {
            Kind::User => &mut self.users,
            Kind::Group => &mut self.groups,
        }
    }

    fn collection_ref(&self, kind: Kind) -> &Collection {
        match kind {
            Kind::User => &self.users,
            Kind::Group => &self.groups,
        }
    }

    fn next(&mut self) -> u64 {
        self.next_seq += 1;
        self.next_seq
    }

    /// The stored resource, if it exists and `If-Match` (when given) names its version.
    fn current(&self, kind: Kind, id: &str, if_match: Option<&str>) -> Result<Stored, ScimError> {
        let current = self
            .collection_ref(kind)
            .docs
            .get(id)
            .cloned()
            .ok_or_else(|| not_found(kind, id))?;
        check_if_match(&current.doc, if_match)?;
        Ok(current)
    }

    /// Every member must be an existing user or group.
    fn check_members(&self, doc: &Map<String, Value>) -> Result<(), ScimError> {
        for member in doc.get("members").and_then(Value::as_array).into_iter().flatten() {
            let id = member.get("value").and_then(Value::as_str).unwrap_or_default();
            if !self.users.docs.contains_key(id) && !self.groups.docs.contains_key(id) {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    format!("member '{id}' does not exist"),
                ));
            }
        }
        Ok(())
    }
}

/// The version an `ETag` carries: `W/"<n>"`.
pub(super) fn etag(doc: &Map<String, Value>) -> String {
    doc.get("meta")
        .and_then(|m| m.get("version"))
        .and_then(Value::as_str)
        .unwrap_or("W/\"0\"")
        .to_owned()
}

fn check_if_match(doc: &Map<String, Value>, if_match: Option<&str>) -> Result<(), ScimError> {
    match if_match {
        Some(expected) if expected.trim() != "*" && expected.trim() != etag(doc) => {
            Err(ScimError::precondition_failed(format!(
                "the resource has changed: its version is {}, not {expected}",
                etag(doc)
            )))
        }
        _ => Ok(()),
    }
}

fn now_text() -> String {
    OffsetDateTime::now_utc().format(&Rfc3339).unwrap_or_default()
}

/// All Users and Groups of one org, in memory, optionally persisted to SQLite.
#[derive(Debug)]
pub struct Store {
    org: OrgId,
    inner: RwLock<Inner>,
    persistence: Option<Persistence>,
}

impl Store {
    /// An empty in-memory store.
    pub fn new(org: OrgId) -> Self {
        Self {
            org,
            inner: RwLock::new(Inner::default()),
            persistence: None,
        }
    }

    /// A store kept in the SQLite file at `path` (created if missing), loaded into memory.
    pub fn open(org: OrgId, path: &Path) -> Result<Self, String> {
        let describe = |e: rusqlite::Error| format!("cannot use {} as sandbox data: {e}", path.display());
        let persistence = Persistence::open(path, &org.to_string()).map_err(describe)?;
        let mut inner = Inner::default();
        for (kind, id, seq, doc) in persistence.load().map_err(describe)? {
            let version = version_number(&doc);
            inner.collection(kind).put(kind, id, seq, doc);
            inner.next_seq = inner.next_seq.max(seq).max(version);
        }
        Ok(Self {
            org,
            inner: RwLock::new(inner),
            persistence: Some(persistence),
        })
    }

    fn persist(&self, changes: &[Change<'_>]) -> Result<(), ScimError> {
        match &self.persistence {
            Some(p) => p.write(changes).map_err(ScimError::storage),
            None => Ok(()),
        }
    }

    /// The org served.
    pub fn org(&self) -> OrgId {
        self.org
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Inner> {
        self.inner.write().unwrap_or_else(|p| p.into_inner())
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Inner> {
        self.inner.read().unwrap_or_else(|p| p.into_inner())
    }

    /// Creates a resource from a normalised document.
    pub fn create(&self, kind: Kind, mut doc: Map<String, Value>) -> Result<Map<String, Value>, ScimError> {
        let mut inner = self.write();
        inner.collection(kind).check_unique(kind, None, &doc)?;
        inner.check_members(&doc)?;
        let seq = inner.next();
        let id = uuid::Uuid::new_v4().to_string();
        let now = now_text();
        doc.insert("id".into(), id.clone().into());
        doc.insert(
            "meta".into(),
            json!({
                "resourceType": kind.resource_type(),
                "created": now,
                "lastModified": now,
                "version": format!("W/\"{seq}\""),
                "organizationId": self.org.to_string(),
            }),
        );
        self.persist(&[(kind, &id, seq, Some(&doc))])?;
        inner.collection(kind).put(kind, id, seq, doc.clone());
        Ok(doc)
    }

    /// One resource.
    pub fn get(&self, kind: Kind, id: &str) -> Result<Map<String, Value>, ScimError> {
        self.read()
            .collection_ref(kind)
            .docs
            .get(id)
            .map(|s| (**s.doc).clone())
            .ok_or_else(|| not_found(kind, id))
    }

    /// Changes a resource with `change`, which sees the current document; keeps id and meta,
    /// re-checks required attributes, uniqueness and members, and bumps the version.
    pub fn modify(
        &self,
        kind: Kind,
        id: &str,
        if_match: Option<&str>,
        change: impl FnOnce(&Map<String, Value>) -> Result<Map<String, Value>, ScimError>,
    ) -> Result<Map<String, Value>, ScimError> {
        let mut inner = self.write();
        let current = inner.current(kind, id, if_match)?;
        let mut doc = change(&current.doc)?;
        check_required(kind, &mut doc)?;
        inner.collection_ref(kind).check_unique(kind, Some(id), &doc)?;
        inner.check_members(&doc)?;
        let version = inner.next();
        let mut meta = current.doc.get("meta").cloned().unwrap_or_else(|| json!({}));
        meta["lastModified"] = now_text().into();
        meta["version"] = format!("W/\"{version}\"").into();
        doc.insert("id".into(), id.into());
        doc.insert("meta".into(), meta);
        self.persist(&[(kind, id, current.seq, Some(&doc))])?;
        let collection = inner.collection(kind);
        collection.unindex(kind, id, &current.doc);
        collection.put(kind, id.to_owned(), current.seq, doc.clone());
        Ok(doc)
    }

    /// Deletes a resource; a deleted user also leaves every group.
    pub fn delete(&self, kind: Kind, id: &str, if_match: Option<&str>) -> Result<(), ScimError> {
        let mut inner = self.write();
        let current = inner.current(kind, id, if_match)?;
        // Groups that lose the deleted resource as a member.
        let mut changed_groups: Vec<(String, u64, Map<String, Value>)> = Vec::new();
        for (group_id, stored) in &inner.groups.docs {
            let holds = |members: &Vec<Value>| {
                members
                    .iter()
                    .any(|m| m.get("value").and_then(Value::as_str) == Some(id))
            };
            if let Some(Value::Array(members)) = stored.doc.get("members")
                && holds(members)
            {
                let mut doc = (**stored.doc).clone();
                if let Some(Value::Array(members)) = doc.get_mut("members") {
                    members.retain(|m| m.get("value").and_then(Value::as_str) != Some(id));
                }
                changed_groups.push((group_id.clone(), stored.seq, doc));
            }
        }
        let mut changes: Vec<Change<'_>> = vec![(kind, id, current.seq, None)];
        changes.extend(
            changed_groups
                .iter()
                .map(|(gid, seq, doc)| (Kind::Group, gid.as_str(), *seq, Some(doc))),
        );
        self.persist(&changes)?;
        let collection = inner.collection(kind);
        collection.unindex(kind, id, &current.doc);
        collection.order.remove(&current.seq);
        collection.docs.remove(id);
        for (group_id, _, doc) in changed_groups {
            if let Some(stored) = inner.groups.docs.get_mut(&group_id) {
                stored.doc = Resource::shared(doc);
            }
        }
        Ok(())
    }

    /// Resources matching `filter`, in creation order. Equality on an indexed attribute is a
    /// lookup, not a scan.
    pub fn list(&self, kind: Kind, filter: Option<&Filter>) -> Vec<Arc<Resource>> {
        let inner = self.read();
        let collection = inner.collection_ref(kind);
        let candidates: Vec<&Stored> =
            match filter.and_then(|f| filter::indexed_equality(kind, f, indexed(kind))) {
                Some((attr, value)) if attr == unique_attr(kind) => collection
                    .unique
                    .get(&value.to_lowercase())
                    .and_then(|id| collection.docs.get(id))
                    .into_iter()
                    .collect(),
                Some((_, value)) => collection
                    .external
                    .get(value)
                    .into_iter()
                    .flatten()
                    .filter_map(|id| collection.docs.get(id))
                    .collect(),
                None => collection
                    .order
                    .values()
                    .filter_map(|id| collection.docs.get(id))
                    .collect(),
            };
        let mut hits: Vec<&Stored> = candidates
            .into_iter()
            .filter(|s| filter.is_none_or(|f| filter::matches(kind, f, &s.doc)))
            .collect();
        hits.sort_by_key(|s| s.seq);
        hits.into_iter().map(|s| s.doc.clone()).collect()
    }

    /// How many resources of a kind exist.
    pub fn count(&self, kind: Kind) -> usize {
        self.read().collection_ref(kind).docs.len()
    }
}

/// The number in a document's `W/"<n>"` version.
fn version_number(doc: &Map<String, Value>) -> u64 {
    etag(doc)
        .trim_start_matches("W/\"")
        .trim_end_matches('"')
        .parse()
        .unwrap_or(0)
}

fn not_found(kind: Kind, id: &str) -> ScimError {
    ScimError::not_found(format!("{} '{id}' not found", kind.resource_type()))
}
