//! The SSO handshake between the Webex sandbox's broker and the local Entra, for accounts in the
//! federated domain: the broker parks the authorization request under a `RelayState` and sends
//! the browser to the local Entra; after sign-in there, the local Entra POSTs an assertion and
//! the `RelayState` back to the broker (SAML's HTTP-POST binding), which then issues the token.
//!
//! A stand-in for SAML, not SAML: `SAMLRequest` and `SAMLResponse` carry opaque, single-use
//! sandbox IDs instead of signed XML, since both ends live in this process. What is real is the
//! browser's path: a cross-origin redirect there and an auto-submitted cross-origin form back.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use rand::Rng;
use rand::distributions::Alphanumeric;

/// The domain whose Webex accounts sign in through the local Entra.
pub const FEDERATED_DOMAIN: &str = "federated.example";
/// How long a parked request or an assertion can be used.
const LIFETIME: Duration = Duration::from_secs(600);
/// How many of each are kept; the oldest go first.
const LIMIT: usize = 1000;

/// Whether `email` is in the federated domain.
pub(crate) fn is_federated(email: &str) -> bool {
    email
        .trim()
        .rsplit_once('@')
        .is_some_and(|(_, domain)| domain.eq_ignore_ascii_case(FEDERATED_DOMAIN))
}

/// Single-use values that expire, bounded.
#[derive(Debug)]
struct OneTime<V> {
    items: HashMap<String, (V, Instant)>,
    order: VecDeque<String>,
}

impl<V> Default for OneTime<V> {
    fn default() -> Self {
        Self {
            items: HashMap::new(),
            order: VecDeque::new(),
        }
    }
}

impl<V> OneTime<V> {
    fn put(&mut self, value: V) -> String {
        while self.items.len() >= LIMIT {
            match self.order.pop_front() {
                Some(oldest) => {
                    self.items.remove(&oldest);
                }
                None => break,
            }
        }
        let id: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(32)
            .map(char::from)
            .collect();
        // Taken IDs leave `items` but not `order`: drop them now and then, so it stays bounded.
        if self.order.len() > 2 * LIMIT {
            let items = &self.items;
            self.order.retain(|id| items.contains_key(id));
        }
        self.order.push_back(id.clone());
        self.items.insert(id.clone(), (value, Instant::now()));
        id
    }

    fn take(&mut self, id: &str) -> Option<V> {
        let (value, at) = self.items.remove(id)?;
        (at.elapsed() < LIFETIME).then_some(value)
    }
}

/// Parked authorization requests `R` (with the email the user gave the broker) and issued
/// assertions (with the request they answer).
#[derive(Debug, Default)]
pub(crate) struct Federation<R> {
    requests: OneTime<(R, String)>,
    assertions: OneTime<(String, String)>,
}

impl<R> Federation<R> {
    /// Parks an authorization request for `email`; returns its `RelayState`.
    pub(crate) fn park(&mut self, params: R, email: &str) -> String {
        self.requests.put((params, email.trim().to_owned()))
    }

    /// The email a parked request was made for, if `relay` is parked (the local Entra checks
    /// before showing its form, and signs in from a session only as this account).
    pub(crate) fn parked_for(&self, relay: &str) -> Option<&str> {
        self.requests
            .items
            .get(relay)
            .filter(|(_, at)| at.elapsed() < LIFETIME)
            .map(|((_, email), _)| email.as_str())
    }

    /// Takes back a parked request.
    pub(crate) fn unpark(&mut self, relay: &str) -> Option<R> {
        self.requests.take(relay).map(|(params, _)| params)
    }

    /// Records that the local Entra signed `email` in to answer the request parked under
    /// `relay`; returns the assertion ID.
    pub(crate) fn assert(&mut self, email: &str, relay: &str) -> String {
        self.assertions.put((email.to_owned(), relay.to_owned()))
    }

    /// Redeems an assertion for the request under `relay`: who signed in. An assertion that
    /// answers another request is refused (and spent).
    pub(crate) fn redeem(&mut self, assertion: &str, relay: &str) -> Option<String> {
        self.assertions
            .take(assertion)
            .filter(|(_, answers)| answers == relay)
            .map(|(email, _)| email)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn federated_means_the_federated_domain() {
        assert!(is_federated("admin@federated.example"));
        assert!(is_federated(" Admin@Federated.Example "));
        assert!(!is_federated("admin@sandbox.example"));
        assert!(!is_federated("admin@federated.example.evil"));
        assert!(!is_federated("federated.example"));
    }

    #[test]
    fn assertions_and_requests_are_single_use_and_bound() {
        let mut federation = Federation::default();
        let relay = federation.park("the parked request", "admin@federated.example");
        assert_eq!(federation.parked_for(&relay), Some("admin@federated.example"));
        let assertion = federation.assert("admin@federated.example", &relay);
        assert_eq!(
            federation.redeem(&assertion, "another relay"),
            None,
            "bound to its request"
        );
        let assertion = federation.assert("admin@federated.example", &relay);
        assert_eq!(
            federation.redeem(&assertion, &relay).as_deref(),
            Some("admin@federated.example")
        );
        assert_eq!(federation.redeem(&assertion, &relay), None);
        assert_eq!(federation.unpark(&relay), Some("the parked request"));
        assert_eq!(federation.parked_for(&relay), None);
        assert!(federation.unpark(&relay).is_none());
    }
}
