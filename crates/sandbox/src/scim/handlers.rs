//! HTTP handlers: authentication, body parsing, and the mapping of routes onto the store.

use std::collections::HashMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, RawQuery, State};
use axum::http::header::{CONTENT_TYPE, ETAG, HOST, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use scim_token_core::OrgId;
use scim_token_core::broker::SCIM_SCOPE;
use serde_json::{Map, Value};

use super::error::{SCIM_JSON, ScimError};
use super::query::ListQuery;
use super::render::Rendered;
use super::resource::{Kind, normalize};
use super::store::etag;
use super::{bearer_grant, discovery, patch};
use crate::AppState;

/// Requests larger than this are refused with 413.
const MAX_BODY: usize = 1 << 20;

pub(crate) fn routes() -> Router<AppState> {
    let base = "/identity/scim/{org}/v2";
    Router::new()
        .route(
            &format!("{base}/Users"),
            get(|s, h, p, q| list(Kind::User, s, h, p, q)).post(|s, h, p, b| create(Kind::User, s, h, p, b)),
        )
        .route(
            &format!("{base}/Users/.search"),
            post(|s, h, p, b| search(Kind::User, s, h, p, b)),
        )
        .route(
            &format!("{base}/Users/{{id}}"),
            get(|s, h, p, q| read(Kind::User, s, h, p, q))
                .put(|s, h, p, b| replace(Kind::User, s, h, p, b))
                .patch(|s, h, p, b| modify(Kind::User, s, h, p, b))
                .delete(|s, h, p| remove(Kind::User, s, h, p)),
        )
        .route(
            &format!("{base}/Groups"),
            get(|s, h, p, q| list(Kind::Group, s, h, p, q))
                .post(|s, h, p, b| create(Kind::Group, s, h, p, b)),
        )
        .route(
            &format!("{base}/Groups/.search"),
            post(|s, h, p, b| search(Kind::Group, s, h, p, b)),
        )
        .route(
            &format!("{base}/Groups/{{id}}"),
            get(|s, h, p, q| read(Kind::Group, s, h, p, q))
                .put(|s, h, p, b| replace(Kind::Group, s, h, p, b))
                .patch(|s, h, p, b| modify(Kind::Group, s, h, p, b))
                .delete(|s, h, p| remove(Kind::Group, s, h, p)),
        )
        .route(
            &format!("{base}/ServiceProviderConfig"),
            get(service_provider_config),
        )
        .route(&format!("{base}/ResourceTypes"), get(resource_types))
        .route(&format!("{base}/ResourceTypes/{{id}}"), get(resource_type))
        .route(&format!("{base}/Schemas"), get(schemas))
        .route(&format!("{base}/Schemas/{{id}}"), get(schema))
        .method_not_allowed_fallback(|| async { ScimError::method_not_allowed().into_response() })
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

type Org = Path<String>;
type OrgAndId = Path<(String, String)>;

/// Checks the bearer token, the org in the path and the SCIM scope; returns the API base URL.
fn authorize(app: &AppState, headers: &HeaderMap, org: &str) -> Result<String, ScimError> {
    let grant = bearer_grant(app, headers)?;
    let served = app.config.org_id;
    let requested = OrgId::parse_exact(org).ok();
    if requested != Some(served) || grant.org_id != served {
        return Err(ScimError::not_found(format!("org '{org}' not found")));
    }
    if !grant.scopes.iter().any(|s| s == SCIM_SCOPE) {
        return Err(ScimError::forbidden(format!(
            "{} is not a full or user administrator: the token lacks the Identity:SCIM scope",
            grant.email
        )));
    }
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    Ok(format!("http://{host}/identity/scim/{served}/v2/"))
}

fn parse_body(headers: &HeaderMap, body: &Bytes) -> Result<Value, ScimError> {
    let content_type = headers
        .get(CONTENT_TYPE)
        .and_then(|c| c.to_str().ok())
        .unwrap_or("application/json");
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    if essence != SCIM_JSON && essence != "application/json" {
        return Err(ScimError::bad_request(
            "invalidSyntax",
            format!("content type must be {SCIM_JSON}, not {content_type}"),
        ));
    }
    serde_json::from_slice(body)
        .map_err(|e| ScimError::bad_request("invalidSyntax", format!("the body is not valid JSON: {e}")))
}

fn query_pairs(raw: Option<String>) -> HashMap<String, String> {
    url::form_urlencoded::parse(raw.unwrap_or_default().as_bytes())
        .into_owned()
        .collect()
}

fn scim_json(status: StatusCode, body: Vec<u8>, etag_value: Option<String>) -> Response {
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(SCIM_JSON));
    if let Some(value) = etag_value.and_then(|e| HeaderValue::from_str(&e).ok()) {
        headers.insert(ETAG, value);
    }
    response
}

fn to_json(value: &impl serde::Serialize) -> Vec<u8> {
    serde_json::to_vec(value).expect("JSON values always serialise")
}

fn resource_response(kind: Kind, base: &str, status: StatusCode, doc: Map<String, Value>) -> Response {
    let tag = etag(&doc);
    let rendered = Rendered::new(kind, base, &doc);
    let location = HeaderValue::from_str(&rendered.location).ok();
    let mut response = scim_json(status, to_json(&rendered), Some(tag));
    if status == StatusCode::CREATED
        && let Some(value) = location
    {
        response.headers_mut().insert(LOCATION, value);
    }
    response
}

fn if_match(headers: &HeaderMap) -> Option<&str> {
    headers.get(IF_MATCH).and_then(|v| v.to_str().ok())
}

fn respond(result: Result<Response, ScimError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn list(
    kind: Kind,
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(org): Org,
    RawQuery(raw): RawQuery,
) -> Response {
    respond((|| {
        let base = authorize(&app, &headers, &org)?;
        list_response(&app, kind, &base, &query_pairs(raw))
    })())
}

/// A `ListResponse` for list parameters from a query string or a `/.search` body.
fn list_response(
    app: &AppState,
    kind: Kind,
    base: &str,
    params: &HashMap<String, String>,
) -> Result<Response, ScimError> {
    let query = ListQuery::parse(params)?;
    let hits = app.scim.list(kind, query.filter.as_ref());
    Ok(scim_json(StatusCode::OK, query.respond(kind, base, hits), None))
}

async fn search(
    kind: Kind,
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(org): Org,
    body: Bytes,
) -> Response {
    respond((|| {
        let base = authorize(&app, &headers, &org)?;
        let Value::Object(fields) = parse_body(&headers, &body)? else {
            return Err(ScimError::bad_request(
                "invalidSyntax",
                "a search request must be an object",
            ));
        };
        let pairs = fields
            .into_iter()
            .filter(|(k, _)| !k.eq_ignore_ascii_case("schemas"))
            .map(|(k, v)| {
                let text = match v {
                    Value::String(s) => s,
                    Value::Array(items) => items
                        .iter()
                        .filter_map(Value::as_str)
                        .collect::<Vec<_>>()
                        .join(","),
                    other => other.to_string(),
                };
                (k, text)
            })
            .collect();
        list_response(&app, kind, &base, &pairs)
    })())
}

async fn create(
    kind: Kind,
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(org): Org,
    body: Bytes,
) -> Response {
    respond((|| {
        let base = authorize(&app, &headers, &org)?;
        let doc = normalize(kind, parse_body(&headers, &body)?)?;
        let created = app.scim.create(kind, doc)?;
        Ok(resource_response(kind, &base, StatusCode::CREATED, created))
    })())
}

async fn read(
    kind: Kind,
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((org, id)): OrgAndId,
    RawQuery(raw): RawQuery,
) -> Response {
    respond((|| {
        let base = authorize(&app, &headers, &org)?;
        let query = ListQuery::parse(&query_pairs(raw))?;
        let doc = app.scim.get(kind, &id)?;
        let tag = etag(&doc);
        Ok(scim_json(
            StatusCode::OK,
            to_json(&Rendered::new(kind, &base, &query.project(doc))),
            Some(tag),
        ))
    })())
}

async fn replace(
    kind: Kind,
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((org, id)): OrgAndId,
    body: Bytes,
) -> Response {
    respond((|| {
        let base = authorize(&app, &headers, &org)?;
        let doc = normalize(kind, parse_body(&headers, &body)?)?;
        let updated = app.scim.modify(kind, &id, if_match(&headers), |_| Ok(doc))?;
        Ok(resource_response(kind, &base, StatusCode::OK, updated))
    })())
}

async fn modify(
    kind: Kind,
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((org, id)): OrgAndId,
    body: Bytes,
) -> Response {
    respond((|| {
        let base = authorize(&app, &headers, &org)?;
        let body = parse_body(&headers, &body)?;
        let updated = app.scim.modify(kind, &id, if_match(&headers), |current| {
            patch::apply(kind, current, &body)
        })?;
        Ok(match kind {
            Kind::User => resource_response(kind, &base, StatusCode::OK, updated),
            // Entra expects 204 for group PATCH.
            Kind::Group => {
                let mut response = StatusCode::NO_CONTENT.into_response();
                if let Ok(tag) = HeaderValue::from_str(&etag(&updated)) {
                    response.headers_mut().insert(ETAG, tag);
                }
                response
            }
        })
    })())
}

async fn remove(
    kind: Kind,
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((org, id)): OrgAndId,
) -> Response {
    respond((|| {
        authorize(&app, &headers, &org)?;
        app.scim.delete(kind, &id, if_match(&headers))?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}

async fn service_provider_config(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path(org): Org,
) -> Response {
    respond(authorize(&app, &headers, &org).map(|base| {
        scim_json(
            StatusCode::OK,
            to_json(&discovery::service_provider_config(&base)),
            None,
        )
    }))
}

async fn resource_types(State(app): State<AppState>, headers: HeaderMap, Path(org): Org) -> Response {
    respond(authorize(&app, &headers, &org).map(|base| {
        scim_json(
            StatusCode::OK,
            to_json(&discovery::list(discovery::resource_types(&base))),
            None,
        )
    }))
}

async fn resource_type(
    State(app): State<AppState>,
    headers: HeaderMap,
    Path((org, id)): OrgAndId,
) -> Response {
    respond(authorize(&app, &headers, &org).and_then(|base| {
        discovery::resource_types(&base)
            .into_iter()
            .find(|r| r["id"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&id)))
            .map(|r| scim_json(StatusCode::OK, to_json(&r), None))
            .ok_or_else(|| ScimError::not_found(format!("resource type '{id}' not found")))
    }))
}

async fn schemas(State(app): State<AppState>, headers: HeaderMap, Path(org): Org) -> Response {
    respond(authorize(&app, &headers, &org).map(|base| {
        scim_json(
            StatusCode::OK,
            to_json(&discovery::list(discovery::schemas(&base))),
            None,
        )
    }))
}

async fn schema(State(app): State<AppState>, headers: HeaderMap, Path((org, id)): OrgAndId) -> Response {
    respond(authorize(&app, &headers, &org).and_then(|base| {
        discovery::schemas(&base)
            .into_iter()
            .find(|s| s["id"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(&id)))
            .map(|s| scim_json(StatusCode::OK, to_json(&s), None))
            .ok_or_else(|| ScimError::not_found(format!("schema '{id}' not found")))
    }))
}
