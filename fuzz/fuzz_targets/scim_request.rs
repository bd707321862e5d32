//! The sandbox's SCIM API as Azure's client reaches it: any JSON body to POST/PUT/PATCH Users
//! and Groups, any `filter` on a list. Never panics, never a 5xx, and every 4xx is a SCIM error
//! body naming its status.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_token_fuzz::{Exchange, Sandboxed};

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else {
        return;
    };
    let sandbox = Sandboxed::new();
    let exchange = match selector % 7 {
        0 => sandbox.send("POST", "/Users", rest),
        1 => sandbox.send("POST", "/Groups", rest),
        2 => sandbox.send("PUT", &format!("/Users/{}", sandbox.user_id), rest),
        3 => sandbox.send("PATCH", &format!("/Users/{}", sandbox.user_id), rest),
        4 => sandbox.send("PATCH", &format!("/Groups/{}", sandbox.group_id), rest),
        5 => sandbox.send("POST", "/Users/.search", rest),
        _ => {
            let filter: String = url_encode(rest);
            sandbox.send("GET", &format!("/Users?filter={filter}"), b"")
        }
    };
    Exchange::check(&exchange);
});

fn url_encode(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("%{b:02X}")).collect()
}
