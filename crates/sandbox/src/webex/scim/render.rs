//! Writing resources out: serialised straight from the stored document, adding `meta.location`
//! and leaving out `password`, without copying the document.

use std::sync::Arc;

use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::{Map, Value};

use super::resource::Kind;

/// The SCIM list response message (RFC 7644 §3.4.2).
pub(super) const LIST_RESPONSE: &str = "urn:ietf:params:scim:api:messages:2.0:ListResponse";

/// A stored document with its JSON (all but `meta` and `password`) written once, when it is
/// stored, so that listing does not serialise it again for every request.
#[derive(Debug)]
pub struct Resource {
    doc: Map<String, Value>,
    body: String,
}

impl Resource {
    pub(super) fn shared(doc: Map<String, Value>) -> Arc<Self> {
        let body = serde_json::to_string(&Without { doc: &doc }).expect("documents always serialise");
        Arc::new(Self { doc, body })
    }

    /// Appends the resource as the client sees it, with `meta.location`.
    pub(super) fn write_json(&self, kind: Kind, base: &str, out: &mut Vec<u8>) {
        let Some(Value::Object(meta)) = self.doc.get("meta") else {
            out.extend_from_slice(self.body.as_bytes());
            return;
        };
        let location = Rendered::new(kind, base, &self.doc).location;
        out.extend_from_slice(&self.body.as_bytes()[..self.body.len() - 1]);
        if self.body.len() > 2 {
            out.push(b',');
        }
        out.extend_from_slice(b"\"meta\":");
        serde_json::to_writer(
            &mut *out,
            &WithLocation {
                meta,
                location: &location,
            },
        )
        .expect("meta serialises");
        out.push(b'}');
    }
}

impl std::ops::Deref for Resource {
    type Target = Map<String, Value>;
    fn deref(&self) -> &Map<String, Value> {
        &self.doc
    }
}

/// A document without `meta` and `password`.
struct Without<'a> {
    doc: &'a Map<String, Value>,
}

impl Serialize for Without<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in self.doc.iter().filter(|(k, _)| *k != "meta" && *k != "password") {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// A list response written from stored resources.
pub(super) fn write_list(
    kind: Kind,
    base: &str,
    total: usize,
    start_index: usize,
    page: &[&Arc<Resource>],
) -> Vec<u8> {
    let mut out = Vec::with_capacity(128 + page.iter().map(|r| r.body.len() + 256).sum::<usize>());
    out.extend_from_slice(
        format!(
            "{{\"schemas\":[\"{LIST_RESPONSE}\"],\"totalResults\":{total},\"startIndex\":{start_index},\"itemsPerPage\":{},\"Resources\":[",
            page.len()
        )
        .as_bytes(),
    );
    for (i, resource) in page.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        resource.write_json(kind, base, &mut out);
    }
    out.extend_from_slice(b"]}");
    out
}

/// A stored resource as the client sees it.
pub(super) struct Rendered<'a> {
    doc: &'a Map<String, Value>,
    /// `meta.location`: the resource's absolute URL.
    pub(super) location: String,
}

impl<'a> Rendered<'a> {
    /// `base` is the API base URL ending in `/v2/`.
    pub(super) fn new(kind: Kind, base: &str, doc: &'a Map<String, Value>) -> Self {
        let id = doc.get("id").and_then(Value::as_str).unwrap_or_default();
        Self {
            doc,
            location: format!("{base}{}/{id}", kind.endpoint()),
        }
    }
}

impl Serialize for Rendered<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in self.doc {
            match (key.as_str(), value) {
                ("password", _) => {}
                ("meta", Value::Object(meta)) => {
                    map.serialize_entry(
                        key,
                        &WithLocation {
                            meta,
                            location: &self.location,
                        },
                    )?;
                }
                _ => map.serialize_entry(key, value)?,
            }
        }
        map.end()
    }
}

struct WithLocation<'a> {
    meta: &'a Map<String, Value>,
    location: &'a str,
}

impl Serialize for WithLocation<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for (key, value) in self.meta.iter().filter(|(k, _)| *k != "location") {
            map.serialize_entry(key, value)?;
        }
        map.serialize_entry("location", self.location)?;
        map.end()
    }
}

/// A `ListResponse` around one page of resources.
#[derive(serde::Serialize)]
pub(super) struct ListResponse<T> {
    pub(super) schemas: [&'static str; 1],
    #[serde(rename = "totalResults")]
    pub(super) total_results: usize,
    #[serde(rename = "startIndex")]
    pub(super) start_index: usize,
    #[serde(rename = "itemsPerPage")]
    pub(super) items_per_page: usize,
    #[serde(rename = "Resources")]
    pub(super) resources: Vec<T>,
}
