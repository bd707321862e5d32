//! `GET /v1.0/servicePrincipals` (with `$search`, `$filter`, `$select`) and
//! `GET /v1.0/servicePrincipals/{id}`.

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::auth::Caller;
use super::error::GraphError;
use crate::AppState;
use crate::entra::tenant::App;

#[derive(Debug, Default, Deserialize)]
pub(super) struct ListQuery {
    #[serde(rename = "$search")]
    search: Option<String>,
    #[serde(rename = "$filter")]
    filter: Option<String>,
    #[serde(rename = "$select")]
    select: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct OneQuery {
    #[serde(rename = "$select")]
    select: Option<String>,
}

/// A service principal as Graph shows it.
fn render(app: &App) -> Map<String, Value> {
    let value = json!({
        "id": app.id,
        "appId": app.app_id,
        "displayName": app.display_name,
        "appDisplayName": app.display_name,
        "accountEnabled": true,
        "servicePrincipalType": "Application",
        "tags": ["WindowsAzureActiveDirectoryIntegratedApp"],
        "preferredSingleSignOnMode": if app.job.is_some() { Value::from("saml") } else { Value::Null },
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Keeps only the `$select`ed properties (`id` always, as Graph does).
fn select(mut doc: Map<String, Value>, select: Option<&str>) -> Map<String, Value> {
    if let Some(list) = select.filter(|s| !s.trim().is_empty()) {
        let wanted: Vec<&str> = list.split(',').map(str::trim).collect();
        doc.retain(|key, _| key == "id" || wanted.iter().any(|w| w.eq_ignore_ascii_case(key)));
    }
    doc
}

/// How a list is narrowed.
#[derive(Debug, PartialEq, Eq)]
enum Narrow {
    All,
    /// `$search="displayName:term"`: a word of the name starts with the term.
    WordPrefix(String),
    /// `$filter=startswith(displayName,'…')`.
    StartsWith(String),
    /// `$filter=displayName eq '…'` or `appId eq '…'`.
    Equals(&'static str, String),
}

fn quoted(text: &str) -> Option<String> {
    let inner = text.trim().strip_prefix('\'')?.strip_suffix('\'')?;
    Some(inner.replace("''", "'"))
}

/// Reads `$search` and `$filter`; `eventual` says whether `ConsistencyLevel: eventual` was sent.
fn narrow(query: &ListQuery, eventual: bool) -> Result<Narrow, GraphError> {
    match (&query.search, &query.filter) {
        (Some(_), Some(_)) => Err(GraphError::unsupported_query(
            "This sandbox answers $search or $filter, not both in one request.",
        )),
        (Some(search), None) => {
            if !eventual {
                return Err(GraphError::unsupported_query(
                    "Request with $search query parameter only works through MSGraph with a special request header: 'ConsistencyLevel: eventual'",
                ));
            }
            let inner = search
                .trim()
                .strip_prefix('"')
                .and_then(|s| s.strip_suffix('"'))
                .ok_or_else(|| {
                    GraphError::bad_request("$search needs a quoted clause: $search=\"displayName:webex\".")
                })?;
            match inner.split_once(':') {
                Some((property, term))
                    if property.eq_ignore_ascii_case("displayName") && !term.is_empty() =>
                {
                    Ok(Narrow::WordPrefix(term.to_lowercase()))
                }
                _ => Err(GraphError::unsupported_query(format!(
                    "Unsupported $search clause '{inner}': this sandbox searches displayName only."
                ))),
            }
        }
        (None, Some(filter)) => {
            let filter = filter.trim();
            if let Some(args) = filter
                .strip_prefix("startswith(")
                .and_then(|s| s.strip_suffix(')'))
                && let Some((property, value)) = args.split_once(',')
                && property.trim().eq_ignore_ascii_case("displayName")
                && let Some(value) = quoted(value)
            {
                return Ok(Narrow::StartsWith(value.to_lowercase()));
            }
            for property in ["displayName", "appId"] {
                if let Some(rest) = filter.strip_prefix(property)
                    && let Some(value) = rest.trim_start().strip_prefix("eq ").and_then(quoted)
                {
                    return Ok(Narrow::Equals(property, value));
                }
            }
            Err(GraphError::unsupported_query(format!(
                "Unsupported or invalid query filter clause specified for property of resource 'ServicePrincipal': '{filter}'. This sandbox answers startswith(displayName,'…'), displayName eq '…' and appId eq '…'."
            )))
        }
        (None, None) => Ok(Narrow::All),
    }
}

fn matches(app: &App, narrow: &Narrow) -> bool {
    let name = app.display_name.to_lowercase();
    match narrow {
        Narrow::All => true,
        Narrow::WordPrefix(term) => name
            .split(|c: char| !c.is_alphanumeric())
            .any(|word| word.starts_with(term.as_str())),
        Narrow::StartsWith(prefix) => name.starts_with(prefix.as_str()),
        Narrow::Equals("appId", value) => app.app_id.to_string().eq_ignore_ascii_case(value),
        Narrow::Equals(_, value) => app.display_name.eq_ignore_ascii_case(value),
    }
}

pub(super) async fn list(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    headers: HeaderMap,
    Query(query): Query<ListQuery>,
) -> Result<Json<Value>, GraphError> {
    caller.may_read_apps()?;
    let eventual = headers
        .get("consistencylevel")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("eventual"));
    let narrow = narrow(&query, eventual)?;
    let value: Vec<Value> = app.entra.read(|tenant| {
        tenant
            .apps
            .iter()
            .filter(|a| matches(a, &narrow))
            .map(|a| Value::Object(select(render(a), query.select.as_deref())))
            .collect()
    });
    Ok(Json(json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals",
        "value": value,
    })))
}

pub(super) async fn one(
    State(app): State<AppState>,
    Extension(caller): Extension<Caller>,
    Path(id): Path<String>,
    Query(query): Query<OneQuery>,
) -> Result<Json<Value>, GraphError> {
    caller.may_read_apps()?;
    app.entra
        .read(|tenant| tenant.app(&id).map(render))
        .map(|doc| Json(Value::Object(select(doc, query.select.as_deref()))))
        .ok_or_else(|| missing_app(&id))
}

/// 404 for a service principal this tenant does not have.
pub(super) fn missing_app(id: &str) -> GraphError {
    GraphError::not_found(format!(
        "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(search: Option<&str>, filter: Option<&str>) -> ListQuery {
        ListQuery {
            search: search.map(str::to_owned),
            filter: filter.map(str::to_owned),
            select: None,
        }
    }

    #[test]
    fn search_and_filter_forms() {
        assert_eq!(
            narrow(&query(Some("\"displayName:Web\""), None), true).expect("valid"),
            Narrow::WordPrefix("web".into())
        );
        assert!(narrow(&query(Some("\"displayName:web\""), None), false).is_err());
        assert!(narrow(&query(Some("displayName:web"), None), true).is_err());
        assert_eq!(
            narrow(&query(None, Some("startswith(displayName,'Cisco')")), false).expect("valid"),
            Narrow::StartsWith("cisco".into())
        );
        assert_eq!(
            narrow(&query(None, Some("displayName eq 'O''Brien'")), false).expect("valid"),
            Narrow::Equals("displayName", "O'Brien".into())
        );
        assert!(narrow(&query(None, Some("accountEnabled eq true")), false).is_err());
    }
}
