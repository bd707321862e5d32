//! Users and Groups as JSON documents: validating and normalising what a client sends against the
//! schema table, so stored resources always use canonical attribute names and types.

use serde_json::{Map, Value};

use super::error::ScimError;
use super::schema::{self, Attr, Type};

/// Webex's user types; Azure sends none, so `user` is the default.
const USER_TYPES: [&str; 4] = ["user", "room", "external_calling", "calling_service"];

/// A resource type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `/Users`
    User,
    /// `/Groups`
    Group,
}

impl Kind {
    /// The core schema URN.
    pub fn core_schema(self) -> &'static str {
        match self {
            Self::User => schema::USER,
            Self::Group => schema::GROUP,
        }
    }
    /// The core attributes.
    pub fn core_attrs(self) -> &'static [Attr] {
        match self {
            Self::User => schema::USER_ATTRS,
            Self::Group => schema::GROUP_ATTRS,
        }
    }
    /// Extension schemas this type accepts.
    pub fn extensions(self) -> &'static [&'static str] {
        match self {
            Self::User => &[schema::ENTERPRISE, schema::WEBEX_USER],
            Self::Group => &[schema::WEBEX_GROUP],
        }
    }
    /// `User` or `Group`.
    pub fn resource_type(self) -> &'static str {
        match self {
            Self::User => "User",
            Self::Group => "Group",
        }
    }
    /// `Users` or `Groups`.
    pub fn endpoint(self) -> &'static str {
        match self {
            Self::User => "Users",
            Self::Group => "Groups",
        }
    }
    /// The extension URN `name` belongs to, if it is one of ours.
    pub fn extension(self, name: &str) -> Option<&'static str> {
        self.extensions()
            .iter()
            .copied()
            .find(|e| e.eq_ignore_ascii_case(name))
    }
}

/// A key looked up case-insensitively (attribute names are case-insensitive, RFC 7643 §2.1).
pub(super) fn get_ci<'a>(object: &'a Map<String, Value>, name: &str) -> Option<(&'a String, &'a Value)> {
    object.iter().find(|(k, _)| k.eq_ignore_ascii_case(name))
}

/// The canonical key in `object` for `name`, if present.
pub(super) fn key_ci(object: &Map<String, Value>, name: &str) -> Option<String> {
    get_ci(object, name).map(|(k, _)| k.clone())
}

fn invalid(detail: impl Into<String>) -> ScimError {
    ScimError::bad_request("invalidValue", detail)
}

/// Validates and normalises a full resource from POST or PUT. Read-only attributes, nulls and
/// unknown schema extensions are dropped; unknown core attributes are refused.
pub(super) fn normalize(kind: Kind, input: Value) -> Result<Map<String, Value>, ScimError> {
    let Value::Object(input) = input else {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            "the body must be a JSON object",
        ));
    };
    let schemas: Vec<String> = match get_ci(&input, "schemas").map(|(_, v)| v) {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_owned)
            .collect(),
        _ => return Err(invalid(format!("'schemas' must list {}", kind.core_schema()))),
    };
    if !schemas.iter().any(|s| s.eq_ignore_ascii_case(kind.core_schema())) {
        return Err(invalid(format!("'schemas' must include {}", kind.core_schema())));
    }
    let mut out = Map::new();
    let mut used_extensions = Vec::new();
    for (key, value) in input {
        if value.is_null() || key.eq_ignore_ascii_case("schemas") {
            continue;
        }
        if key.contains(':') {
            if let Some(ext) = kind.extension(&key) {
                let attrs = schema::attrs_of(ext).unwrap_or_default();
                out.insert(ext.to_owned(), normalize_extension(ext, attrs, value)?);
                used_extensions.push(ext);
            }
            // Unknown schema URNs (e.g. Microsoft's ADSCIM Group) are ignored, as Webex does.
            continue;
        }
        let attr = schema::core_attr(kind.core_attrs(), &key).ok_or_else(|| {
            invalid(format!(
                "unknown attribute '{key}' for a {}",
                kind.resource_type()
            ))
        })?;
        if attr.read_only {
            continue;
        }
        if let Some(value) = normalize_value(attr, value)? {
            out.insert(attr.name.to_owned(), value);
        }
    }
    let mut schemas = vec![Value::from(kind.core_schema())];
    schemas.extend(used_extensions.into_iter().map(Value::from));
    out.insert("schemas".into(), Value::Array(schemas));
    check_required(kind, &mut out)?;
    Ok(out)
}

/// Required attributes and defaults, after any change.
pub(super) fn check_required(kind: Kind, resource: &mut Map<String, Value>) -> Result<(), ScimError> {
    let required = match kind {
        Kind::User => "userName",
        Kind::Group => "displayName",
    };
    match resource.get(required) {
        Some(Value::String(s)) if !s.trim().is_empty() => {}
        _ => return Err(invalid(format!("'{required}' is required"))),
    }
    if kind == Kind::User {
        let user_type = resource.entry("userType").or_insert_with(|| "user".into());
        if !user_type.as_str().is_some_and(|t| USER_TYPES.contains(&t)) {
            return Err(invalid(format!(
                "'userType' must be one of {}",
                USER_TYPES.join(", ")
            )));
        }
        resource.entry("active").or_insert(Value::Bool(true));
    }
    Ok(())
}

fn normalize_extension(ext: &str, attrs: &'static [Attr], value: Value) -> Result<Value, ScimError> {
    let Value::Object(object) = value else {
        return Err(invalid(format!("'{ext}' must be an object")));
    };
    let mut out = Map::new();
    for (key, value) in object {
        if value.is_null() {
            continue;
        }
        match attrs.iter().find(|a| a.name.eq_ignore_ascii_case(&key)) {
            Some(attr) => {
                if let Some(v) = normalize_value(attr, value)? {
                    out.insert(attr.name.to_owned(), v);
                }
            }
            // The Webex extension has many more attributes than listed; keep them as given.
            None if ext == schema::WEBEX_USER || ext == schema::WEBEX_GROUP => {
                out.insert(key, value);
            }
            None => return Err(invalid(format!("unknown attribute '{key}' in {ext}"))),
        }
    }
    Ok(Value::Object(out))
}

/// Normalises one attribute's value; `None` when it is empty after dropping nulls.
pub(super) fn normalize_value(attr: &Attr, value: Value) -> Result<Option<Value>, ScimError> {
    if value.is_null() {
        return Ok(None);
    }
    if attr.multi {
        let items = match value {
            Value::Array(items) => items,
            single => vec![single],
        };
        let mut out = Vec::with_capacity(items.len());
        for item in items {
            if let Some(v) = normalize_single(attr, item)? {
                out.push(v);
            }
        }
        return Ok(Some(Value::Array(out)));
    }
    normalize_single(attr, value)
}

fn normalize_single(attr: &Attr, value: Value) -> Result<Option<Value>, ScimError> {
    match (attr.kind, value) {
        (_, Value::Null) => Ok(None),
        (Type::Boolean, value) => Ok(Some(Value::Bool(to_bool(attr.name, &value)?))),
        (Type::Complex, Value::Object(object)) => {
            let mut out = Map::new();
            for (key, v) in object {
                if v.is_null() {
                    continue;
                }
                let sub = schema::sub_attr(attr, &key)
                    .ok_or_else(|| invalid(format!("unknown sub-attribute '{key}' of '{}'", attr.name)))?;
                if let Some(v) = normalize_single(sub, v)? {
                    out.insert(sub.name.to_owned(), v);
                }
            }
            Ok(Some(Value::Object(out)))
        }
        // A bare id where a reference object is expected (Entra's manager).
        (Type::Complex, Value::String(id)) if schema::sub_attr(attr, "value").is_some() => {
            Ok(Some(serde_json::json!({ "value": id })))
        }
        (Type::Complex, _) => Err(invalid(format!("'{}' must be an object", attr.name))),
        (_, Value::String(s)) => Ok(Some(Value::String(s))),
        (_, other) => Err(invalid(format!("'{}' must be a string, not {other}", attr.name))),
    }
}

/// `true`/`false`, also as the strings `"True"`/`"False"` that older Entra clients send.
pub(super) fn to_bool(name: &str, value: &Value) -> Result<bool, ScimError> {
    match value {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(invalid(format!("'{name}' must be a boolean, not {other}"))),
    }
}
