//! PATCH `path` parsing (attribute paths, sub-attributes, value filters such as
//! `emails[type eq "work"].value`), as Entra sends them: any path with each op and value shape.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_token_fuzz::{Exchange, Sandboxed};

fuzz_target!(|input: (u8, &str)| {
    let (selector, path) = input;
    let op = ["add", "replace", "remove", "Add", "Replace"][usize::from(selector % 5)];
    let value = match selector / 5 % 4 {
        0 => serde_json::json!("x@example.com"),
        1 => serde_json::json!(true),
        2 => serde_json::json!([{ "value": "v", "type": "work" }]),
        _ => serde_json::json!({ "value": "v", "primary": "True" }),
    };
    let body = serde_json::json!({
        "schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
        "Operations": [{ "op": op, "path": path, "value": value }]
    });
    let sandbox = Sandboxed::new();
    let exchange = sandbox.send(
        "PATCH",
        &format!("/Users/{}", sandbox.user_id),
        body.to_string().as_bytes(),
    );
    Exchange::check(&exchange);
});
