//! `scim-token`: get, keep, hand off and test a Webex SCIM token for Microsoft Entra ID.
#![allow(clippy::print_stdout)]

fn main() {
    println!("scim-token {}", env!("CARGO_PKG_VERSION"));
}
