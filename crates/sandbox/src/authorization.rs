//! What both origins' authentication layers share (the Webex side's People and SCIM layers, and
//! Graph's at the local Entra): reading the `Authorization: Bearer <token>` header, and letting a
//! request through with its authenticated principal, or answering with the refusal.

use axum::extract::Request;
use axum::http::HeaderMap;
use axum::http::header::AUTHORIZATION;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The token of an `Authorization: Bearer <token>` header (scheme case-insensitive), if the
/// request has one.
pub(crate) fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let header = headers.get(AUTHORIZATION)?.to_str().ok()?;
    match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() => {
            Some(token.trim())
        }
        _ => None,
    }
}

/// The end of an authentication layer: runs the rest of the request with the principal as a
/// request extension (for handlers that need it: `Extension<P>`), or answers with the refusal.
pub(crate) async fn admit<P, E>(checked: Result<P, E>, mut request: Request, next: Next) -> Response
where
    P: Clone + Send + Sync + 'static,
    E: IntoResponse,
{
    match checked {
        Ok(principal) => {
            request.extensions_mut().insert(principal);
            next.run(request).await
        }
        Err(refusal) => refusal.into_response(),
    }
}
