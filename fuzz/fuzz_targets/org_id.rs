//! Org ID parsing and the Tenant URL built from it: never panics; an accepted ID round-trips
//! through its text and appears intact in the Tenant URL.
#![no_main]

use libfuzzer_sys::fuzz_target;
use scim_token_core::{Broker, BrokerId, OrgId};

fuzz_target!(|input: &str| {
    let Ok(org) = input.parse::<OrgId>() else { return };
    let text = org.to_string();
    assert_eq!(text.parse::<OrgId>().ok(), Some(org));
    let url = Broker::resolve(&BrokerId::Webex).tenant_url(org);
    assert!(url.path().contains(&text), "{url} lost {text}");
});
