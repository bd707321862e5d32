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

use crate::broker::AuthParams;

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
        self.order.push_back(id.clone());
        self.items.insert(id.clone(), (value, Instant::now()));
        id
    }

    fn take(&mut self, id: &str) -> Option<V> {
        let (value, at) = self.items.remove(id)?;
        (at.elapsed() < LIFETIME).then_some(value)
    }

    fn contains(&self, id: &str) -> bool {
        self.items.get(id).is_some_and(|(_, at)| at.elapsed() < LIFETIME)
    }
}

/// Parked authorization requests and issued assertions.
#[derive(Debug, Default)]
pub(crate) struct Federation {
    requests: OneTime<AuthParams>,
    assertions: OneTime<String>,
}

impl Federation {
    /// Parks an authorization request; returns its `RelayState`.
    pub(crate) fn park(&mut self, params: AuthParams) -> String {
        self.requests.put(params)
    }

    /// Whether a `RelayState` is parked (the local Entra checks before showing its form).
    pub(crate) fn is_parked(&self, relay: &str) -> bool {
        self.requests.contains(relay)
    }

    /// Takes back a parked request.
    pub(crate) fn unpark(&mut self, relay: &str) -> Option<AuthParams> {
        self.requests.take(relay)
    }

    /// Records that the local Entra signed `email` in; returns the assertion ID.
    pub(crate) fn assert(&mut self, email: &str) -> String {
        self.assertions.put(email.to_owned())
    }

    /// Redeems an assertion: who signed in.
    pub(crate) fn redeem(&mut self, assertion: &str) -> Option<String> {
        self.assertions.take(assertion)
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
    fn assertions_and_requests_are_single_use() {
        let mut federation = Federation::default();
        let assertion = federation.assert("admin@federated.example");
        assert_eq!(
            federation.redeem(&assertion).as_deref(),
            Some("admin@federated.example")
        );
        assert_eq!(federation.redeem(&assertion), None);
        let relay = federation.park(AuthParams::default());
        assert!(federation.is_parked(&relay));
        assert!(federation.unpark(&relay).is_some());
        assert!(!federation.is_parked(&relay));
        assert!(federation.unpark(&relay).is_none());
    }
}
