//! A local Webex for offline use and tests: the ID broker's sign-in pages and a SCIM 2.0 API.
//!
//! Not built yet: see issue "Sandbox". The crate exists so the workspace layout is final.
