//! Evaluating RFC 7644 §3.4.2.2 filters (parsed by `scim_v2`) against stored resources.

use scim_v2::filter::{AttrExp, AttrPath, CompValue, CompareOp, Filter, ValFilter};
use serde_json::{Map, Value};

use super::resource::{Kind, get_ci};
use super::schema::{self, Attr};

/// Whether `resource` matches `filter`.
pub(super) fn matches(kind: Kind, filter: &Filter, resource: &Map<String, Value>) -> bool {
    match filter {
        Filter::Attr(exp) => attr_exp(kind, exp, resource),
        Filter::ValuePath(vp) => {
            let (values, attr) = resolve(kind, &vp.attr, resource);
            values.iter().any(|element| match element {
                Value::Object(object) => val_filter(attr, &vp.filter, object),
                _ => false,
            })
        }
        Filter::Not(inner) => !matches(kind, inner, resource),
        Filter::And(items) => items.iter().all(|f| matches(kind, f, resource)),
        Filter::Or(items) => items.iter().any(|f| matches(kind, f, resource)),
    }
}

/// Whether one element of a multi-valued attribute matches a value filter (PATCH paths).
pub(super) fn element_matches(
    parent: Option<&Attr>,
    filter: &ValFilter,
    element: &Map<String, Value>,
) -> bool {
    val_filter(parent, filter, element)
}

/// A value path's inner filter, evaluated on one element of a multi-valued attribute.
fn val_filter(parent: Option<&Attr>, filter: &ValFilter, element: &Map<String, Value>) -> bool {
    match filter {
        ValFilter::Attr(exp) => {
            let (path, present) = match exp {
                AttrExp::Present(path) => (path, true),
                AttrExp::Comparison(path, ..) => (path, false),
            };
            let sub = parent.and_then(|p| schema::sub_attr(p, &path.name));
            let values: Vec<&Value> = get_ci(element, &path.name).map(|(_, v)| v).into_iter().collect();
            let case_exact = sub.is_some_and(|s| s.case_exact);
            match exp {
                AttrExp::Present(_) if present => values.iter().any(|v| is_present(v)),
                AttrExp::Comparison(_, op, expected) => compare_all(&values, op, expected, case_exact),
                AttrExp::Present(_) => false,
            }
        }
        ValFilter::Not(inner) => !val_filter(parent, inner, element),
        ValFilter::And(items) => items.iter().all(|f| val_filter(parent, f, element)),
        ValFilter::Or(items) => items.iter().any(|f| val_filter(parent, f, element)),
    }
}

fn attr_exp(kind: Kind, exp: &AttrExp, resource: &Map<String, Value>) -> bool {
    match exp {
        AttrExp::Present(path) => resolve(kind, path, resource).0.iter().any(|v| is_present(v)),
        AttrExp::Comparison(path, op, expected) => {
            let (values, attr) = resolve(kind, path, resource);
            let leaf = attr.and_then(|a| match &path.sub_attr {
                Some(sub) => schema::sub_attr(a, sub),
                None => Some(a),
            });
            compare_all(&values, op, expected, leaf.is_some_and(|a| a.case_exact))
        }
    }
}

/// The values an attribute path points at (multi-valued ones flattened), and its schema entry.
pub(super) fn resolve<'a>(
    kind: Kind,
    path: &AttrPath,
    resource: &'a Map<String, Value>,
) -> (Vec<&'a Value>, Option<&'static Attr>) {
    let (container, attrs): (Option<&Map<String, Value>>, &'static [Attr]) = match &path.uri {
        Some(uri) if uri.eq_ignore_ascii_case(kind.core_schema()) => (Some(resource), kind.core_attrs()),
        Some(uri) => (
            get_ci(resource, uri).and_then(|(_, v)| v.as_object()),
            schema::attrs_of(uri).unwrap_or_default(),
        ),
        None => (Some(resource), kind.core_attrs()),
    };
    let attr = match &path.uri {
        Some(uri) if !uri.eq_ignore_ascii_case(kind.core_schema()) => {
            attrs.iter().find(|a| a.name.eq_ignore_ascii_case(&path.name))
        }
        _ => schema::core_attr(attrs, &path.name),
    };
    let Some(value) = container.and_then(|c| get_ci(c, &path.name)).map(|(_, v)| v) else {
        return (Vec::new(), attr);
    };
    let top: Vec<&Value> = match value {
        Value::Array(items) => items.iter().collect(),
        single => vec![single],
    };
    let values = match &path.sub_attr {
        Some(sub) => top
            .into_iter()
            .filter_map(|v| v.as_object().and_then(|o| get_ci(o, sub)).map(|(_, v)| v))
            .collect(),
        None => top,
    };
    (values, attr)
}

fn is_present(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(object) => !object.is_empty(),
        _ => true,
    }
}

fn compare_all(values: &[&Value], op: &CompareOp, expected: &CompValue, case_exact: bool) -> bool {
    if matches!(expected, CompValue::Null) {
        let present = values.iter().any(|v| is_present(v));
        return match op {
            CompareOp::Eq => !present,
            CompareOp::Ne => present,
            _ => false,
        };
    }
    if *op == CompareOp::Ne {
        return !values
            .iter()
            .any(|v| compare(v, &CompareOp::Eq, expected, case_exact));
    }
    values.iter().any(|v| compare(v, op, expected, case_exact))
}

fn compare(value: &Value, op: &CompareOp, expected: &CompValue, case_exact: bool) -> bool {
    // Complex multi-valued attributes compare on their `value` sub-attribute.
    let value = match value {
        Value::Object(object) => match get_ci(object, "value") {
            Some((_, v)) => v,
            None => return false,
        },
        other => other,
    };
    match (value, expected) {
        (Value::String(actual), CompValue::Str(wanted)) => {
            let (actual, wanted) = if case_exact {
                (actual.clone(), wanted.clone())
            } else {
                (actual.to_lowercase(), wanted.to_lowercase())
            };
            match op {
                CompareOp::Eq => actual == wanted,
                CompareOp::Ne => actual != wanted,
                CompareOp::Co => actual.contains(&wanted),
                CompareOp::Sw => actual.starts_with(&wanted),
                CompareOp::Ew => actual.ends_with(&wanted),
                CompareOp::Gt => actual > wanted,
                CompareOp::Ge => actual >= wanted,
                CompareOp::Lt => actual < wanted,
                CompareOp::Le => actual <= wanted,
            }
        }
        (Value::Bool(actual), CompValue::True) => *op == CompareOp::Eq && *actual,
        (Value::Bool(actual), CompValue::False) => *op == CompareOp::Eq && !*actual,
        (Value::Number(actual), CompValue::Number(wanted)) => {
            let (a, w) = (
                actual.as_f64().unwrap_or(f64::NAN),
                wanted.as_f64().unwrap_or(f64::NAN),
            );
            match op {
                CompareOp::Eq => a == w,
                CompareOp::Ne => a != w,
                CompareOp::Gt => a > w,
                CompareOp::Ge => a >= w,
                CompareOp::Lt => a < w,
                CompareOp::Le => a <= w,
                _ => false,
            }
        }
        _ => false,
    }
}

/// For the index fast path: `attr eq "value"` on a top-level core attribute (alone or as one term
/// of an `and`), returning the attribute name and the value.
pub(super) fn indexed_equality<'f>(
    kind: Kind,
    filter: &'f Filter,
    indexed: &[&str],
) -> Option<(&'static str, &'f str)> {
    match filter {
        Filter::Attr(AttrExp::Comparison(path, CompareOp::Eq, CompValue::Str(value)))
            if path.sub_attr.is_none()
                && path
                    .uri
                    .as_deref()
                    .is_none_or(|u| u.eq_ignore_ascii_case(kind.core_schema())) =>
        {
            indexed
                .iter()
                .find(|name| name.eq_ignore_ascii_case(&path.name))
                .map(|name| {
                    let canonical: &'static str =
                        schema::core_attr(kind.core_attrs(), name).map_or("", |a| a.name);
                    (canonical, value.as_str())
                })
        }
        Filter::And(items) => items.iter().find_map(|f| indexed_equality(kind, f, indexed)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn user() -> Map<String, Value> {
        json!({
            "schemas": [schema::USER, schema::ENTERPRISE],
            "id": "AbC-1",
            "userName": "Barbara.Jensen@Example.com",
            "externalId": "Ext-7",
            "name": {"givenName": "Barbara", "familyName": "Jensen"},
            "active": true,
            "emails": [{"value": "bjensen@example.com", "type": "work", "primary": true},
                       {"value": "babs@home.example", "type": "home"}],
            "phoneNumbers": [{"value": "+1 555 0100", "type": "mobile"}],
            "meta": {"lastModified": "2026-05-13T04:42:34Z", "resourceType": "User"},
            schema::ENTERPRISE: {"department": "Tour Operations", "manager": {"value": "M-1"}}
        })
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn rfc_7644_operators_and_grammar() {
        let cases = [
            (r#"userName eq "barbara.jensen@example.com""#, true),
            (r#"USERNAME Eq "BARBARA.JENSEN@EXAMPLE.COM""#, true),
            (r#"userName ne "x""#, true),
            (r#"userName co "jensen""#, true),
            (r#"userName sw "barb""#, true),
            (r#"userName ew "example.com""#, true),
            (r#"name.givenName sw "Bar""#, true),
            (r#"title pr"#, false),
            (r#"name pr"#, true),
            (r#"externalId eq "ext-7""#, false),
            (r#"externalId eq "Ext-7""#, true),
            (r#"id eq "abc-1""#, false),
            (r#"active eq true"#, true),
            (r#"active eq false"#, false),
            (r#"meta.lastModified gt "2026-01-01T00:00:00Z""#, true),
            (r#"meta.lastModified lt "2026-01-01T00:00:00Z""#, false),
            (r#"emails co "home.example""#, true),
            (r#"emails[type eq "work" and primary eq true]"#, true),
            (r#"emails[type eq "home" and primary eq true]"#, false),
            (r#"emails[type eq "work"].value eq "bjensen@example.com""#, false),
            (r#"emails.value eq "babs@home.example""#, true),
            (r#"phoneNumbers.value eq "+1 555 0100""#, true),
            (r#"not (userName eq "x") and (active eq true or title pr)"#, true),
            (r#"userName eq "x" or name.familyName eq "jensen""#, true),
            (
                r#"urn:ietf:params:scim:schemas:core:2.0:User:userName sw "b""#,
                true,
            ),
            (
                r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department eq "tour operations""#,
                true,
            ),
            (
                r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "M-1""#,
                true,
            ),
            (r#"title eq null"#, true),
            (r#"userName eq null"#, false),
        ];
        let resource = user();
        for (text, expected) in cases {
            let Ok(filter) = text.parse::<Filter>() else {
                // A value path with a trailing sub-attribute is not filter grammar; it must not parse.
                assert!(text.contains("].value"), "{text} did not parse");
                continue;
            };
            assert_eq!(matches(Kind::User, &filter, &resource), expected, "{text}");
        }
    }

    #[test]
    fn index_fast_path_detection() {
        let f: Filter = r#"USERNAME eq "a" and active eq true"#.parse().unwrap();
        assert_eq!(
            indexed_equality(Kind::User, &f, &["userName", "externalId"]),
            Some(("userName", "a"))
        );
        let f: Filter = r#"userName eq "a" or externalId eq "b""#.parse().unwrap();
        assert_eq!(
            indexed_equality(Kind::User, &f, &["userName", "externalId"]),
            None
        );
        let f: Filter = r#"name.givenName eq "a""#.parse().unwrap();
        assert_eq!(indexed_equality(Kind::User, &f, &["userName"]), None);
    }
}
