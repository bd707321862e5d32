//! Microsoft Graph v1.0 at the local Entra: service principals and their synchronization
//! (secrets and jobs). Every answer that is not a success is in Graph's error shape; every
//! route is behind an authentication layer ([`auth::authenticate`]) that lets a request through
//! only with a live access token from the local identity platform, and hands the handler its
//! [`Caller`](auth::Caller), whose scope and role each handler checks.

mod auth;
mod body;
mod error;
mod job_write;
mod service_principals;
mod synchronization;

use std::sync::atomic::Ordering;

use axum::Router;
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};

use crate::AppState;

pub(crate) use error::GraphError;

pub(crate) fn routes(app: &AppState) -> Router<AppState> {
    let sync = "/servicePrincipals/{id}/synchronization";
    Router::new()
        .route("/servicePrincipals", get(service_principals::list))
        .route("/servicePrincipals/{id}", get(service_principals::one))
        .route(
            &format!("{sync}/secrets"),
            get(synchronization::secrets).put(synchronization::put_secrets),
        )
        .route(&format!("{sync}/jobs"), get(synchronization::jobs))
        .route(&format!("{sync}/jobs/{{job}}"), get(synchronization::job))
        .route(
            &format!("{sync}/jobs/{{job}}/validateCredentials"),
            post(synchronization::validate_credentials),
        )
        .route(
            &format!("{sync}/jobs/{{job}}/start"),
            post(synchronization::start),
        )
        .route(
            &format!("{sync}/jobs/{{job}}/pause"),
            post(synchronization::pause),
        )
        .route(
            &format!("{sync}/jobs/{{job}}/restart"),
            post(synchronization::restart),
        )
        .route_layer(middleware::from_fn_with_state(app.clone(), auth::authenticate))
        // Set after the layer, which would otherwise also stand in front of the 405: a wrong
        // method is a 405 with or without a token, and an unknown segment a 400.
        .fallback(unknown_segment)
        .method_not_allowed_fallback(wrong_method)
}

async fn wrong_method(method: axum::http::Method) -> GraphError {
    GraphError::method_not_allowed(method.as_str())
}

/// Graph at `/beta`: only what the local Entra needs from it (reading a job's secrets, as
/// Microsoft's SkipOutOfScopeDeletions how-to does).
pub(crate) fn beta_routes(app: &AppState) -> Router<AppState> {
    Router::new()
        .route(
            "/servicePrincipals/{id}/synchronization/secrets",
            get(synchronization::beta_secrets),
        )
        .route_layer(middleware::from_fn_with_state(app.clone(), auth::authenticate))
        .fallback(unknown_segment)
        .method_not_allowed_fallback(wrong_method)
}

/// The configured faults: with `throttle_every = n`, every n-th Graph request is answered 429
/// with `Retry-After: 1`; with `fail_after_secrets_put`, every Graph request after a successful
/// secrets PUT is answered 503.
pub(crate) async fn faults(State(app): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let graph = path.starts_with("/v1.0/") || path.starts_with("/beta/");
    if graph && app.config.entra.fail_after_secrets_put && app.entra.secrets_put_done.load(Ordering::SeqCst) {
        return GraphError::unavailable().into_response();
    }
    if let Some(every) = app.config.entra.throttle_every
        && graph
    {
        let n = app.entra.graph_requests.fetch_add(1, Ordering::Relaxed) + 1;
        if n % u64::from(every.get()) == 0 {
            return GraphError::throttled(1).into_response();
        }
    }
    next.run(request).await
}

async fn unknown_segment(uri: axum::http::Uri) -> GraphError {
    GraphError::bad_request(format!(
        "Resource not found for the segment '{}'.",
        uri.path().rsplit('/').next().unwrap_or("")
    ))
}

/// Anything else at the local Entra's origin.
pub(crate) async fn not_found() -> GraphError {
    GraphError::not_found(
        "No such endpoint at the local Entra: Graph lives under /v1.0/, sign-in under /{tenant}/oauth2/v2.0/.",
    )
}
