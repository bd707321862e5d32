//! A write to one provisioning job (`…/synchronization/jobs/{job}/…` with a JSON body): the
//! caller the authentication layer let through must be allowed to manage provisioning, and the
//! body is read as Graph reads it. One extractor, so no such handler can forget the check or
//! read the body another way.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use serde::de::DeserializeOwned;

use super::auth::Caller;
use super::body;
use super::error::GraphError;
use crate::AppState;

/// The job a write is for, and what was asked of it.
pub(super) struct JobWrite<T> {
    /// The app's service principal ID.
    pub(super) id: String,
    /// The job's ID.
    pub(super) job_id: String,
    /// The request body (its default when the body is empty).
    pub(super) request: T,
}

impl<T: DeserializeOwned + Default> FromRequest<AppState> for JobWrite<T> {
    type Rejection = GraphError;

    async fn from_request(request: Request, app: &AppState) -> Result<Self, GraphError> {
        let (mut parts, payload) = request.into_parts();
        // Without the layer in front there is no caller, and nothing is written.
        let Some(caller) = parts.extensions.get::<Caller>() else {
            return Err(GraphError::unauthenticated("Access token is empty."));
        };
        caller.may_manage_sync(true)?;
        let Path((id, job_id)) = Path::<(String, String)>::from_request_parts(&mut parts, app)
            .await
            .map_err(|e| GraphError::bad_request(e.body_text()))?;
        let bytes = Bytes::from_request(Request::from_parts(parts, payload), app)
            .await
            .map_err(|e| GraphError::bad_request(e.body_text()))?;
        Ok(Self {
            id,
            job_id,
            request: body::json(&bytes)?,
        })
    }
}
