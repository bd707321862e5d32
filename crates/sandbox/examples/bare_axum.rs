//! The baseline for the sandbox load test: a bare axum handler on the same route, answering with a
//! fixed body (by default the bytes of a real sandbox lookup, so both put the same bytes on the
//! wire) with no auth, no store and no logging.
//! `cargo run --release --example bare_axum -- PORT [BODY_FILE]`

#![allow(missing_docs, clippy::print_stdout)]

use axum::Router;
use axum::routing::get;

const EMPTY_LIST: &str = r#"{"schemas":["urn:ietf:params:scim:api:messages:2.0:ListResponse"],"totalResults":0,"startIndex":1,"itemsPerPage":0,"Resources":[]}"#;

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8901);
    let body: &'static str = match args.next() {
        Some(file) => std::fs::read_to_string(file).expect("readable body file").leak(),
        None => EMPTY_LIST,
    };
    let app = Router::new().route(
        "/identity/scim/{org}/v2/Users",
        get(move || async move { ([("content-type", "application/scim+json")], body) }),
    );
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    println!("bare axum on http://127.0.0.1:{port}/ ({} byte body)", body.len());
    axum::serve(listener, app).await.unwrap();
}
