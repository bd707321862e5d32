//! The SCIM routes and their handlers: the mapping of requests onto the store. Who may call is
//! decided by the authentication layer in front of every route ([`auth::authenticate`]) before
//! a handler runs; a handler that needs the caller takes its [`Authorized`] extension.

use std::collections::HashMap;

use axum::extract::{DefaultBodyLimit, RawQuery, State};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH, LOCATION};
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::middleware;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde_json::{Map, Value};

use super::auth::{self, Authorized, ResourceId};
use super::error::{SCIM_JSON, ScimError};
use super::query::ListQuery;
use super::render::Rendered;
use super::resource::{Kind, normalize};
use super::store::etag;
use super::write::{CollectionWrite, ResourceWrite};
use super::{discovery, patch};
use crate::AppState;

/// Requests larger than this are refused with 413.
const MAX_BODY: usize = 1 << 20;

/// Where every SCIM route lives.
const BASE: &str = "/identity/scim/{org}/v2";

pub(crate) fn routes(app: &AppState) -> Router<AppState> {
    Router::new()
        .merge(resource_routes(Kind::User))
        .merge(resource_routes(Kind::Group))
        .route(
            &format!("{BASE}/ServiceProviderConfig"),
            get(service_provider_config),
        )
        .route(&format!("{BASE}/ResourceTypes"), get(resource_types))
        .route(&format!("{BASE}/ResourceTypes/{{id}}"), get(resource_type))
        .route(&format!("{BASE}/Schemas"), get(schemas))
        .route(&format!("{BASE}/Schemas/{{id}}"), get(schema))
        .route_layer(middleware::from_fn_with_state(app.clone(), auth::authenticate))
        // Set after the layer, which would otherwise also stand in front of the 405: a wrong
        // method is a 405 with or without a token.
        .method_not_allowed_fallback(|| async { ScimError::method_not_allowed().into_response() })
        .layer(DefaultBodyLimit::max(MAX_BODY))
}

/// `/Users` or `/Groups`: list and create, `/.search`, and get, put, patch, delete by id.
fn resource_routes(kind: Kind) -> Router<AppState> {
    let collection = format!("{BASE}/{}", kind.endpoint());
    Router::new()
        .route(
            &collection,
            get(move |s, c, q| list(kind, s, c, q)).post(move |s, w| create(kind, s, w)),
        )
        .route(
            &format!("{collection}/.search"),
            post(move |s, w| search(kind, s, w)),
        )
        .route(
            &format!("{collection}/{{id}}"),
            get(move |s, c, i, q| read(kind, s, c, i, q))
                .put(move |s, w| replace(kind, s, w))
                .patch(move |s, w| modify(kind, s, w))
                .delete(move |s, i, h| remove(kind, s, i, h)),
        )
}

/// The caller the authentication layer let through.
type Caller = Extension<Authorized>;

/// What a handler answers: a SCIM response, or a SCIM error.
type Answer = Result<Response, ScimError>;

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

async fn list(
    kind: Kind,
    State(app): State<AppState>,
    Extension(caller): Caller,
    RawQuery(raw): RawQuery,
) -> Result<Response, ScimError> {
    list_response(&app, kind, &caller.base, &query_pairs(raw))
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

async fn search(kind: Kind, State(app): State<AppState>, write: CollectionWrite) -> Answer {
    let Value::Object(fields) = write.body else {
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
    list_response(&app, kind, &write.base, &pairs)
}

async fn create(kind: Kind, State(app): State<AppState>, write: CollectionWrite) -> Answer {
    let doc = normalize(kind, write.body)?;
    let created = app.scim.create(kind, doc)?;
    Ok(resource_response(kind, &write.base, StatusCode::CREATED, created))
}

async fn read(
    kind: Kind,
    State(app): State<AppState>,
    Extension(caller): Caller,
    ResourceId(id): ResourceId,
    RawQuery(raw): RawQuery,
) -> Result<Response, ScimError> {
    let query = ListQuery::parse(&query_pairs(raw))?;
    let doc = app.scim.get(kind, &id)?;
    let tag = etag(&doc);
    Ok(scim_json(
        StatusCode::OK,
        to_json(&Rendered::new(kind, &caller.base, &query.project(doc))),
        Some(tag),
    ))
}

async fn replace(kind: Kind, State(app): State<AppState>, write: ResourceWrite) -> Answer {
    let doc = normalize(kind, write.body)?;
    let updated = app
        .scim
        .modify(kind, &write.id, write.if_match.as_deref(), |_| Ok(doc))?;
    Ok(resource_response(kind, &write.base, StatusCode::OK, updated))
}

async fn modify(kind: Kind, State(app): State<AppState>, write: ResourceWrite) -> Answer {
    let body = write.body;
    let updated = app
        .scim
        .modify(kind, &write.id, write.if_match.as_deref(), |current| {
            patch::apply(kind, current, &body)
        })?;
    Ok(match kind {
        Kind::User => resource_response(kind, &write.base, StatusCode::OK, updated),
        // Entra expects 204 for group PATCH.
        Kind::Group => {
            let mut response = StatusCode::NO_CONTENT.into_response();
            if let Ok(tag) = HeaderValue::from_str(&etag(&updated)) {
                response.headers_mut().insert(ETAG, tag);
            }
            response
        }
    })
}

async fn remove(
    kind: Kind,
    State(app): State<AppState>,
    ResourceId(id): ResourceId,
    headers: HeaderMap,
) -> Result<Response, ScimError> {
    app.scim.delete(kind, &id, if_match(&headers))?;
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// A discovery document: 200, SCIM's media type, no ETag.
fn discovered(document: &impl serde::Serialize) -> Response {
    scim_json(StatusCode::OK, to_json(document), None)
}

async fn service_provider_config(Extension(caller): Caller) -> Response {
    discovered(&discovery::service_provider_config(&caller.base))
}

async fn resource_types(Extension(caller): Caller) -> Response {
    discovered(&discovery::list(discovery::resource_types(&caller.base)))
}

async fn resource_type(Extension(caller): Caller, ResourceId(id): ResourceId) -> Result<Response, ScimError> {
    one_by_id(discovery::resource_types(&caller.base), &id, "resource type")
}

async fn schemas(Extension(caller): Caller) -> Response {
    discovered(&discovery::list(discovery::schemas(&caller.base)))
}

async fn schema(Extension(caller): Caller, ResourceId(id): ResourceId) -> Result<Response, ScimError> {
    one_by_id(discovery::schemas(&caller.base), &id, "schema")
}

fn one_by_id(documents: Vec<Value>, id: &str, what: &str) -> Result<Response, ScimError> {
    documents
        .into_iter()
        .find(|d| d["id"].as_str().is_some_and(|n| n.eq_ignore_ascii_case(id)))
        .map(|d| discovered(&d))
        .ok_or_else(|| ScimError::not_found(format!("{what} '{id}' not found")))
}
