//! The redirect callback parser: any text, as pasted or as posted by the capture page.
//! Never panics; a rejection never repeats the token it was given.
#![no_main]

use std::sync::LazyLock;

use libfuzzer_sys::fuzz_target;
use scim_token_core::{AuthorizeRequest, Broker, BrokerId, PendingLogin, callback};

const STATE: &str = "fuzz-state-0123456789";
/// A token-shaped marker; if the input carries it, no error text may repeat it.
const TOKEN: &str = "RlVaWlRPS0VOZnV6enRva2Vu_PF84_1eb65fdf-9643-417f-9974-ad72cae0e10f";

static PENDING: LazyLock<PendingLogin> = LazyLock::new(|| {
    AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex))
        .with_state_for_tests(STATE)
        .start(time::OffsetDateTime::now_utc())
});

fuzz_target!(|input: &str| {
    match callback::parse(input, &PENDING) {
        Ok(captured) => assert!(!captured.token.expose_secret().is_empty()),
        Err(err) => assert!(!err.to_string().contains(TOKEN), "an error repeated the token"),
    }
});
