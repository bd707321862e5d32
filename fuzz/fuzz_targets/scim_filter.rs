//! The SCIM filter parser (RFC 7644 §3.4.2.2): any `filter=` text. Never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: &str| {
    let _ = scim_token_sandbox::scim::parse_filter(input);
});
