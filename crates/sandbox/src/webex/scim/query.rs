//! List parameters (RFC 7644 §3.4.2): filter, paging, sorting, and attribute selection.

use std::collections::HashMap;
use std::sync::Arc;

use scim_v2::filter::{AttrPath, Filter};
use serde_json::{Map, Value};

use super::error::ScimError;
use super::filter::resolve;
use super::render::{LIST_RESPONSE, ListResponse, Rendered, Resource, write_list};
use super::resource::{Kind, get_ci};

/// Default and largest page size.
pub(super) const DEFAULT_COUNT: usize = 100;
/// The most resources one page returns.
pub(super) const MAX_COUNT: usize = 1000;

/// Parsed list parameters.
#[derive(Debug, Default)]
pub(super) struct ListQuery {
    /// `filter`
    pub filter: Option<Filter>,
    /// 1-based `startIndex`.
    pub start_index: usize,
    /// `count`, capped at [`MAX_COUNT`].
    pub count: usize,
    /// `sortBy`
    pub sort_by: Option<AttrPath>,
    /// `sortOrder=descending`
    pub descending: bool,
    /// `attributes`
    pub attributes: Vec<String>,
    /// `excludedAttributes`
    pub excluded: Vec<String>,
}

fn split_list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

impl ListQuery {
    /// From query-string pairs or a `/.search` body's fields (names case-insensitive).
    pub(super) fn parse(params: &HashMap<String, String>) -> Result<Self, ScimError> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let filter = match get("filter").map(str::trim).filter(|f| !f.is_empty()) {
            Some(text) => Some(super::filter_text::parse(text).map_err(|e| {
                ScimError::bad_request("invalidFilter", format!("cannot parse filter '{text}': {e}"))
            })?),
            None => None,
        };
        let number = |name: &str, default: i64| -> Result<i64, ScimError> {
            get(name).map_or(Ok(default), |v| {
                v.trim().parse::<i64>().map_err(|_| {
                    ScimError::bad_request("invalidValue", format!("'{name}' must be an integer"))
                })
            })
        };
        let sort_by = match get("sortBy") {
            Some(text) => Some(
                format!("{text} pr")
                    .parse::<Filter>()
                    .ok()
                    .and_then(|f| match f {
                        Filter::Attr(scim_v2::filter::AttrExp::Present(path)) => Some(path),
                        _ => None,
                    })
                    .ok_or_else(|| {
                        ScimError::bad_request("invalidValue", format!("cannot sort by '{text}'"))
                    })?,
            ),
            None => None,
        };
        let descending = match get("sortOrder") {
            None => false,
            Some(o) if o.eq_ignore_ascii_case("ascending") => false,
            Some(o) if o.eq_ignore_ascii_case("descending") => true,
            Some(_) => {
                return Err(ScimError::bad_request(
                    "invalidValue",
                    "sortOrder must be ascending or descending",
                ));
            }
        };
        Ok(Self {
            filter,
            // RFC 7644 §3.4.2.4: values below 1 are treated as 1, negative counts as 0.
            start_index: number("startIndex", 1)?.max(1) as usize,
            count: (number("count", DEFAULT_COUNT as i64)?.max(0) as usize).min(MAX_COUNT),
            sort_by,
            descending,
            attributes: get("attributes").map(split_list).unwrap_or_default(),
            excluded: get("excludedAttributes").map(split_list).unwrap_or_default(),
        })
    }

    /// Sorts, pages and serialises resources as a `ListResponse`; `base` is the API base URL.
    pub(super) fn respond(&self, kind: Kind, base: &str, mut resources: Vec<Arc<Resource>>) -> Vec<u8> {
        if let Some(path) = &self.sort_by {
            let key = |doc: &Map<String, Value>| {
                resolve(kind, path, doc).0.first().map(|v| match v {
                    Value::String(s) => s.to_lowercase(),
                    other => other.to_string(),
                })
            };
            // Missing values sort last either way.
            resources.sort_by(|a, b| match (key(a), key(b)) {
                (Some(x), Some(y)) if self.descending => y.cmp(&x),
                (Some(x), Some(y)) => x.cmp(&y),
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (None, None) => std::cmp::Ordering::Equal,
            });
        }
        let total = resources.len();
        let page: Vec<&Arc<Resource>> = resources
            .iter()
            .skip(self.start_index - 1)
            .take(self.count)
            .collect();
        if self.attributes.is_empty() && self.excluded.is_empty() {
            return write_list(kind, base, total, self.start_index, &page);
        }
        let selected: Vec<Map<String, Value>> =
            page.iter().map(|doc| self.project((***doc).clone())).collect();
        let list = ListResponse {
            schemas: [LIST_RESPONSE],
            total_results: total,
            start_index: self.start_index,
            items_per_page: selected.len(),
            resources: selected
                .iter()
                .map(|doc| Rendered::new(kind, base, doc))
                .collect(),
        };
        serde_json::to_vec(&list).expect("resources always serialise")
    }

    /// Applies `attributes` / `excludedAttributes`; `id` and `schemas` are always returned.
    pub(super) fn project(&self, doc: Map<String, Value>) -> Map<String, Value> {
        project(doc, &self.attributes, &self.excluded)
    }
}

/// Attribute selection for a single resource.
pub(super) fn project(
    mut doc: Map<String, Value>,
    attributes: &[String],
    excluded: &[String],
) -> Map<String, Value> {
    doc.remove("password");
    if !attributes.is_empty() {
        let mut kept = Map::new();
        for key in ["id", "schemas", "meta"] {
            if let Some(v) = doc.get(key) {
                kept.insert(key.to_owned(), v.clone());
            }
        }
        for wanted in attributes {
            let (container, rest) = split_urn(wanted);
            let (name, sub) = rest.split_once('.').map_or((rest, None), |(n, s)| (n, Some(s)));
            let source = match container {
                Some(urn) => get_ci(&doc, urn).and_then(|(_, v)| v.as_object()).cloned(),
                None => Some(doc.clone()),
            };
            let Some(source) = source else { continue };
            let Some((key, value)) = get_ci(&source, name) else {
                continue;
            };
            let value = match (sub, value) {
                (Some(sub), Value::Object(object)) => match get_ci(object, sub) {
                    Some((k, v)) => Value::Object(Map::from_iter([(k.clone(), v.clone())])),
                    None => continue,
                },
                (_, v) => v.clone(),
            };
            let target = match container {
                Some(urn) => kept
                    .entry(urn.to_owned())
                    .or_insert_with(|| Value::Object(Map::new()))
                    .as_object_mut(),
                None => Some(&mut kept),
            };
            if let Some(target) = target {
                match (target.get_mut(key.as_str()), value) {
                    (Some(Value::Object(existing)), Value::Object(more)) => existing.extend(more),
                    (_, value) => {
                        target.insert(key.clone(), value);
                    }
                }
            }
        }
        doc = kept;
    }
    for unwanted in excluded {
        let (container, rest) = split_urn(unwanted);
        let target = match container {
            Some(urn) => doc
                .iter_mut()
                .find(|(k, _)| k.eq_ignore_ascii_case(urn))
                .and_then(|(_, v)| v.as_object_mut()),
            None => Some(&mut doc),
        };
        if let Some(target) = target
            && let Some(key) = target
                .keys()
                .find(|k| k.eq_ignore_ascii_case(rest) && *k != "id" && *k != "schemas")
                .cloned()
        {
            target.remove(&key);
        }
    }
    doc
}

/// `urn:…:User:name.givenName` → (`Some("urn:…:User")`, `"name.givenName"`).
fn split_urn(text: &str) -> (Option<&str>, &str) {
    if text.to_ascii_lowercase().starts_with("urn:")
        && let Some((urn, rest)) = text.rsplit_once(':')
    {
        return (Some(urn), rest);
    }
    (None, text)
}
