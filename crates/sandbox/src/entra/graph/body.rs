//! A Graph request's JSON body, read as Graph reads it: empty is the default request, and a body
//! that does not parse is a 400 that says where, never what (it may hold a token).

use axum::body::Bytes;
use serde::de::DeserializeOwned;

use super::error::GraphError;

/// `bytes` as a `T`, or `T::default()` when there are none (or only white space).
pub(super) fn json<T: DeserializeOwned + Default>(bytes: &Bytes) -> Result<T, GraphError> {
    if bytes.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    // The position only: serde's message can quote the payload, which may hold a token.
    serde_json::from_slice(bytes).map_err(|e| {
        GraphError::bad_request(format!(
            "Unable to read JSON request payload (at line {}, column {}). Please ensure Content-Type header is set and payload is of valid JSON format.",
            e.line(),
            e.column()
        ))
    })
}
