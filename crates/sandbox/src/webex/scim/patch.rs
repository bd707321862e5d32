//! PATCH (RFC 7644 §3.5.2) as Microsoft Entra ID sends it: case-insensitive `op`, paths with value
//! filters that create missing elements, path-less values (also with dotted keys), booleans as
//! strings, the manager as a bare id, and group member add/remove.

use std::str::FromStr;

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, PatchPath, ValFilter};
use serde_json::{Map, Value};

use super::error::ScimError;
use super::filter::element_matches;
use super::resource::{Kind, get_ci, key_ci, normalize_value};
use super::schema::{self, Attr};

/// The PatchOp message schema.
pub(super) const PATCH_OP: &str = "urn:ietf:params:scim:api:messages:2.0:PatchOp";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Add,
    Replace,
    Remove,
}

fn invalid_path(detail: impl Into<String>) -> ScimError {
    ScimError::bad_request("invalidPath", detail)
}

fn invalid_value(detail: impl Into<String>) -> ScimError {
    ScimError::bad_request("invalidValue", detail)
}

/// Applies a PatchOp body to a copy of `doc`.
pub(super) fn apply(
    kind: Kind,
    doc: &Map<String, Value>,
    body: &Value,
) -> Result<Map<String, Value>, ScimError> {
    let body = body
        .as_object()
        .ok_or_else(|| ScimError::bad_request("invalidSyntax", "the body must be an object"))?;
    let declares_patch = get_ci(body, "schemas")
        .and_then(|(_, v)| v.as_array())
        .is_some_and(|s| {
            s.iter()
                .any(|u| u.as_str().is_some_and(|u| u.eq_ignore_ascii_case(PATCH_OP)))
        });
    if !declares_patch {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            format!("'schemas' must be [\"{PATCH_OP}\"]"),
        ));
    }
    let operations = get_ci(body, "Operations")
        .and_then(|(_, v)| v.as_array())
        .filter(|ops| !ops.is_empty())
        .ok_or_else(|| ScimError::bad_request("invalidSyntax", "'Operations' must be a non-empty array"))?;
    let mut doc = doc.clone();
    for operation in operations {
        let operation = operation
            .as_object()
            .ok_or_else(|| ScimError::bad_request("invalidSyntax", "each operation must be an object"))?;
        let op = match get_ci(operation, "op")
            .and_then(|(_, v)| v.as_str())
            .map(str::to_ascii_lowercase)
        {
            Some(op) if op == "add" => Op::Add,
            Some(op) if op == "replace" => Op::Replace,
            Some(op) if op == "remove" => Op::Remove,
            other => {
                return Err(invalid_value(format!(
                    "unknown op {other:?}: use add, replace or remove"
                )));
            }
        };
        let value = get_ci(operation, "value").map(|(_, v)| v.clone());
        match get_ci(operation, "path").map(|(_, v)| v) {
            Some(Value::String(path)) => {
                let path =
                    PatchPath::from_str(path).map_err(|e| invalid_path(format!("bad path '{path}': {e}")))?;
                apply_path(kind, &mut doc, op, &path, value)?;
            }
            Some(Value::Null) | None => apply_without_path(kind, &mut doc, op, value)?,
            Some(other) => return Err(invalid_path(format!("path must be a string, not {other}"))),
        }
    }
    sync_schemas(kind, &mut doc);
    Ok(doc)
}

/// `{"op":"replace","value":{"displayName":"x","name.givenName":"A","urn:…:User":{…}}}`
fn apply_without_path(
    kind: Kind,
    doc: &mut Map<String, Value>,
    op: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    if op == Op::Remove {
        return Err(ScimError::bad_request("noTarget", "remove needs a path"));
    }
    let Some(Value::Object(values)) = value else {
        return Err(invalid_value("an operation without a path needs an object value"));
    };
    for (key, value) in values {
        if let Some(ext) = kind.extension(&key) {
            let Value::Object(inner) = value else {
                return Err(invalid_value(format!("'{ext}' must be an object")));
            };
            for (name, v) in inner {
                let path = AttrPath {
                    uri: Some(ext.to_owned()),
                    name,
                    sub_attr: None,
                };
                apply_attr(kind, doc, op, &path, v.into())?;
            }
            continue;
        }
        let path =
            PatchPath::from_str(&key).map_err(|e| invalid_path(format!("bad attribute '{key}': {e}")))?;
        apply_path(kind, doc, op, &path, Some(value))?;
    }
    Ok(())
}

fn apply_path(
    kind: Kind,
    doc: &mut Map<String, Value>,
    op: Op,
    path: &PatchPath,
    value: Option<Value>,
) -> Result<(), ScimError> {
    match path {
        PatchPath::Attr(attr_path) => apply_attr(kind, doc, op, attr_path, value),
        PatchPath::Value(vp) => {
            apply_filtered(kind, doc, op, &vp.attr, &vp.filter, vp.sub_attr.as_deref(), value)
        }
    }
}

/// Finds the object holding an attribute (the resource or an extension) and its schema entry.
fn locate<'d>(
    kind: Kind,
    doc: &'d mut Map<String, Value>,
    path: &AttrPath,
) -> Result<(&'d mut Map<String, Value>, &'static Attr), ScimError> {
    let uri = match &path.uri {
        Some(uri) if uri.eq_ignore_ascii_case(kind.core_schema()) => None,
        Some(uri) => Some(
            kind.extension(uri)
                .ok_or_else(|| invalid_path(format!("unknown schema '{uri}'")))?,
        ),
        // Entra's manager without its enterprise URN.
        None if kind == Kind::User && path.name.eq_ignore_ascii_case("manager") => Some(schema::ENTERPRISE),
        None => None,
    };
    let attr = match uri {
        Some(ext) => schema::attrs_of(ext)
            .unwrap_or_default()
            .iter()
            .find(|a| a.name.eq_ignore_ascii_case(&path.name)),
        None => schema::core_attr(kind.core_attrs(), &path.name),
    }
    .ok_or_else(|| invalid_path(format!("unknown attribute '{path}'")))?;
    if attr.read_only {
        return Err(ScimError::bad_request(
            "mutability",
            format!("'{}' is read-only", attr.name),
        ));
    }
    let container = match uri {
        Some(ext) => {
            let key = key_ci(doc, ext).unwrap_or_else(|| ext.to_owned());
            doc.entry(key)
                .or_insert_with(|| Value::Object(Map::new()))
                .as_object_mut()
                .ok_or_else(|| invalid_value(format!("'{ext}' is not an object")))?
        }
        None => doc,
    };
    Ok((container, attr))
}

/// An op on one attribute (`title`, `name.givenName`, `members`, `urn:…:User:manager`).
fn apply_attr(
    kind: Kind,
    doc: &mut Map<String, Value>,
    op: Op,
    path: &AttrPath,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let (container, attr) = locate(kind, doc, path)?;
    if let Some(sub_name) = &path.sub_attr {
        return apply_sub_attr(container, attr, path, sub_name, op, value);
    }
    match op {
        // Entra: {"op":"Remove","path":"members","value":[{"value":"<id>"}]}
        Op::Remove if attr.multi && value.is_some() => {
            remove_listed(container, attr, value);
            Ok(())
        }
        Op::Remove => {
            container.remove(attr.name);
            Ok(())
        }
        Op::Add if attr.multi => add_values(container, attr, value),
        Op::Add | Op::Replace => set_attr(container, attr, value),
    }
}

/// An op on a sub-attribute (`name.givenName`), which only a singular complex attribute takes
/// without a filter; the attribute goes when its last sub-attribute does.
fn apply_sub_attr(
    container: &mut Map<String, Value>,
    attr: &Attr,
    path: &AttrPath,
    sub_name: &str,
    op: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let sub = sub_attr_of(attr, sub_name)?;
    if attr.multi {
        return Err(invalid_path(format!(
            "'{path}' needs a filter, e.g. {}[type eq \"work\"].{sub_name}",
            attr.name
        )));
    }
    let object = container
        .entry(attr.name)
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(object) = object else {
        return Err(invalid_value(format!("'{}' is not complex", attr.name)));
    };
    set_or_remove(object, sub, op, value)?;
    if object.is_empty() {
        container.remove(attr.name);
    }
    Ok(())
}

/// The schema entry of `attr`'s sub-attribute `name`, or 400 `invalidPath`.
fn sub_attr_of(attr: &Attr, name: &str) -> Result<&'static Attr, ScimError> {
    schema::sub_attr(attr, name)
        .ok_or_else(|| invalid_path(format!("unknown sub-attribute '{name}' of '{}'", attr.name)))
}

/// The values of a multi-valued attribute, an empty list when it has none yet.
fn values_of<'c>(
    container: &'c mut Map<String, Value>,
    attr: &Attr,
) -> Result<&'c mut Vec<Value>, ScimError> {
    let items = container
        .entry(attr.name)
        .or_insert_with(|| Value::Array(Vec::new()));
    let Value::Array(items) = items else {
        return Err(invalid_value(format!("'{}' is not multi-valued", attr.name)));
    };
    Ok(items)
}

/// Removes the elements whose `value` is listed in `value` (one element or an array of them).
fn remove_listed(container: &mut Map<String, Value>, attr: &Attr, value: Option<Value>) {
    let doomed: Vec<Value> = match value {
        Some(Value::Array(items)) => items,
        Some(single) => vec![single],
        None => Vec::new(),
    };
    let ids: Vec<&Value> = doomed.iter().filter_map(|d| d.get("value")).collect();
    if let Some(Value::Array(items)) = container.get_mut(attr.name) {
        items.retain(|item| !item.get("value").is_some_and(|v| ids.contains(&v)));
    }
}

/// Adds elements to a multi-valued attribute, skipping those it has (by `value`, or whole).
fn add_values(
    container: &mut Map<String, Value>,
    attr: &Attr,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let Some(Value::Array(new_items)) = normalize_value(attr, value.unwrap_or(Value::Null))? else {
        return Ok(());
    };
    let items = values_of(container, attr)?;
    for item in new_items {
        let duplicate = items.iter().any(|existing| {
            existing == &item
                || (existing.get("value").is_some() && existing.get("value") == item.get("value"))
        });
        if !duplicate {
            items.push(item);
        }
    }
    Ok(())
}

/// Sets an attribute (a singular complex one is merged into what it holds); a null value
/// removes it.
fn set_attr(container: &mut Map<String, Value>, attr: &Attr, value: Option<Value>) -> Result<(), ScimError> {
    let value = match (attr.multi, value) {
        // A singular complex attribute sent as a one-element array (Entra's manager).
        (false, Some(Value::Array(mut items))) if attr.kind == schema::Type::Complex && items.len() == 1 => {
            items.pop()
        }
        (_, value) => value,
    };
    match normalize_value(attr, value.unwrap_or(Value::Null))? {
        Some(Value::Object(new)) if !attr.multi => {
            let existing = container
                .entry(attr.name)
                .or_insert_with(|| Value::Object(Map::new()));
            match existing {
                Value::Object(existing) => existing.extend(new),
                other => *other = Value::Object(new),
            }
        }
        Some(new) => {
            container.insert(attr.name.to_owned(), new);
        }
        None => {
            container.remove(attr.name);
        }
    }
    Ok(())
}

fn set_or_remove(
    object: &mut Map<String, Value>,
    sub: &Attr,
    op: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let value = if op == Op::Remove {
        None
    } else {
        normalize_value(sub, value.unwrap_or(Value::Null))?
    };
    match value {
        Some(v) => {
            object.insert(sub.name.to_owned(), v);
        }
        None => {
            object.remove(sub.name);
        }
    }
    Ok(())
}

/// `emails[type eq "work"].value`, `members[value eq "id"]`.
fn apply_filtered(
    kind: Kind,
    doc: &mut Map<String, Value>,
    op: Op,
    path: &AttrPath,
    filter: &ValFilter,
    sub_name: Option<&str>,
    value: Option<Value>,
) -> Result<(), ScimError> {
    let (container, attr) = locate(kind, doc, path)?;
    if !attr.multi {
        return Err(invalid_path(format!(
            "'{}' is not multi-valued; a filter cannot select in it",
            attr.name
        )));
    }
    let sub = sub_name.map(|name| sub_attr_of(attr, name)).transpose()?;
    let items = values_of(container, attr)?;
    let matching = matching_elements(items, attr, filter);
    match op {
        Op::Remove if matching.is_empty() => Err(ScimError::bad_request(
            "noTarget",
            format!("no element of '{}' matches the filter", attr.name),
        )),
        Op::Remove => {
            remove_elements(items, &matching, sub);
            Ok(())
        }
        Op::Add | Op::Replace => {
            let targets = if matching.is_empty() {
                // Entra expects a missing element to be created from the filter's equalities.
                items.push(Value::Object(element_from_filter(filter)));
                vec![items.len() - 1]
            } else {
                matching
            };
            set_elements(items, &targets, attr, sub, op, value)
        }
    }
}

/// The indexes of the elements that match `filter`.
fn matching_elements(items: &[Value], attr: &Attr, filter: &ValFilter) -> Vec<usize> {
    items
        .iter()
        .enumerate()
        .filter(|(_, item)| {
            item.as_object()
                .is_some_and(|o| element_matches(Some(attr), filter, o))
        })
        .map(|(i, _)| i)
        .collect()
}

/// Removes the sub-attribute `sub` of the elements at `indexes`, or the elements themselves.
fn remove_elements(items: &mut Vec<Value>, indexes: &[usize], sub: Option<&Attr>) {
    match sub {
        Some(sub) => {
            for &i in indexes {
                if let Some(object) = items[i].as_object_mut() {
                    object.remove(sub.name);
                }
            }
        }
        None => {
            let mut index = 0;
            items.retain(|_| {
                let keep = !indexes.contains(&index);
                index += 1;
                keep
            });
        }
    }
}

/// Sets the sub-attribute `sub` of the elements at `indexes`, or merges the one object `value`
/// holds into each.
fn set_elements(
    items: &mut [Value],
    indexes: &[usize],
    attr: &Attr,
    sub: Option<&Attr>,
    op: Op,
    value: Option<Value>,
) -> Result<(), ScimError> {
    for &i in indexes {
        let Some(object) = items[i].as_object_mut() else {
            continue;
        };
        match sub {
            Some(sub) => set_or_remove(object, sub, op, value.clone())?,
            None => match normalize_value(attr, value.clone().unwrap_or(Value::Null))? {
                Some(Value::Array(mut new)) if new.len() == 1 => {
                    if let Some(Value::Object(fields)) = new.pop() {
                        object.extend(fields);
                    }
                }
                _ => {
                    return Err(invalid_value(
                        "a filtered path without a sub-attribute needs one object",
                    ));
                }
            },
        }
    }
    Ok(())
}

/// `type eq "work" and primary eq true` → `{"type":"work","primary":true}`.
fn element_from_filter(filter: &ValFilter) -> Map<String, Value> {
    let mut element = Map::new();
    let mut add = |exp: &AttrExp| {
        if let AttrExp::Comparison(path, CompareOp::Eq, value) = exp {
            let json = match value {
                CompValue::Str(s) => Value::from(s.clone()),
                CompValue::True => Value::Bool(true),
                CompValue::False => Value::Bool(false),
                CompValue::Number(n) => Value::Number(n.clone()),
                CompValue::Null => return,
            };
            element.insert(path.name.clone(), json);
        }
    };
    match filter {
        ValFilter::Attr(exp) => add(exp),
        ValFilter::And(items) => {
            for item in items {
                if let ValFilter::Attr(exp) = item {
                    add(exp);
                }
            }
        }
        _ => {}
    }
    element
}

/// `schemas` lists exactly the core schema and the extensions present.
fn sync_schemas(kind: Kind, doc: &mut Map<String, Value>) {
    doc.retain(|k, v| kind.extension(k).is_none() || v.as_object().is_some_and(|o| !o.is_empty()));
    let mut schemas = vec![Value::from(kind.core_schema())];
    schemas.extend(
        kind.extensions()
            .iter()
            .filter(|e| doc.contains_key(**e))
            .map(|e| Value::from(*e)),
    );
    doc.insert("schemas".into(), Value::Array(schemas));
}

#[cfg(test)]
mod tests;
