//! What the local Entra's identity platform hands out and remembers: authorization codes (single
//! use, short-lived, bound to client, redirect URI and PKCE challenge), access tokens (expire),
//! refresh tokens (rotated on each use, the old one still good until it expires, as Entra's
//! are) and browser sessions. Everything is
//! keyed by SHA-256 of the secret, so a lookup never compares secrets byte by byte, and bounded,
//! so a page that mints codes in a loop cannot grow the process.

use std::collections::{HashMap, VecDeque};
use std::hash::Hash;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use rand::distributions::Alphanumeric;
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

/// How long an authorization code can be redeemed (Entra: about ten minutes).
pub(crate) const CODE_LIFETIME: Duration = Duration::minutes(10);
/// How long a refresh token lives unused (Entra: 90 days, rolling).
pub(crate) const REFRESH_LIFETIME: Duration = Duration::days(90);
/// How many of each kind are kept; the oldest go first.
const LIMIT: usize = 10_000;

/// Who signed in and what they consented to: carried from the code to the tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Consent {
    /// The signed-in account's email (its user principal name).
    pub(crate) email: String,
    /// The client the tokens were issued to.
    pub(crate) client_id: String,
    /// Granted scopes, in Graph's short form (`Synchronization.ReadWrite.All`, `offline_access`).
    pub(crate) scopes: Vec<String>,
    /// Whether the sign-in used the device code flow: its tokens remember it, as Entra's
    /// "protocol tracking" does, so a policy that blocks the flow can refuse them later.
    pub(crate) device_code: bool,
}

impl Consent {
    /// Whether `scope` (short form) was granted.
    pub(crate) fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s.eq_ignore_ascii_case(scope))
    }
}

/// An authorization code's binding (RFC 6749 §4.1.3, RFC 7636 §4.6).
#[derive(Debug, Clone)]
pub(crate) struct CodeGrant {
    pub(crate) consent: Consent,
    pub(crate) redirect_uri: String,
    /// `BASE64URL(SHA256(code_verifier))`, as sent with `code_challenge_method=S256`.
    pub(crate) code_challenge: String,
    pub(crate) expires_at: OffsetDateTime,
}

/// Why a code or token is refused. Each maps to the AADSTS code Entra answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Refused {
    /// Never issued here, or dropped.
    Unknown,
    /// Past its lifetime.
    Expired,
    /// A code already redeemed, or a refresh token already rotated.
    AlreadyUsed,
}

/// A store of secrets of one kind, keyed by hash, bounded, oldest evicted first (also used for
/// the device codes, in `device_code`).
#[derive(Debug)]
pub(super) struct Bounded<V> {
    items: HashMap<[u8; 32], V>,
    order: VecDeque<[u8; 32]>,
    /// Hashes of redeemed one-time secrets, so a replay is told "already used", not "unknown".
    spent: HashMap<[u8; 32], ()>,
    spent_order: VecDeque<[u8; 32]>,
}

impl<V> Default for Bounded<V> {
    fn default() -> Self {
        Self {
            items: HashMap::new(),
            order: VecDeque::new(),
            spent: HashMap::new(),
            spent_order: VecDeque::new(),
        }
    }
}

fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

fn evict_to_limit<K: Eq + Hash + Copy, V>(map: &mut HashMap<K, V>, order: &mut VecDeque<K>) {
    while map.len() >= LIMIT {
        match order.pop_front() {
            Some(oldest) => {
                map.remove(&oldest);
            }
            None => break,
        }
    }
}

impl<V> Bounded<V> {
    pub(super) fn insert(&mut self, secret: &str, value: V) {
        evict_to_limit(&mut self.items, &mut self.order);
        // Spent keys leave `items` but not `order`: drop them now and then, so it stays bounded.
        if self.order.len() > 2 * LIMIT {
            let items = &self.items;
            self.order.retain(|key| items.contains_key(key));
        }
        let key = hash(secret);
        self.order.push_back(key);
        self.items.insert(key, value);
    }

    /// Why a key that is not live is refused: replayed, or never issued here.
    fn missing(&self, key: &[u8; 32]) -> Refused {
        if self.spent.contains_key(key) {
            Refused::AlreadyUsed
        } else {
            Refused::Unknown
        }
    }

    pub(super) fn get(&self, secret: &str) -> Result<&V, Refused> {
        let key = hash(secret);
        self.items.get(&key).ok_or_else(|| self.missing(&key))
    }

    /// The value behind a live secret, to change it in place (a device code being approved).
    pub(super) fn get_mut(&mut self, secret: &str) -> Result<&mut V, Refused> {
        let key = hash(secret);
        let missing = self.missing(&key);
        self.items.get_mut(&key).ok_or(missing)
    }

    /// Removes a one-time secret, remembering that it was used.
    pub(super) fn spend(&mut self, secret: &str) -> Result<V, Refused> {
        let key = hash(secret);
        let value = self.items.remove(&key).ok_or_else(|| self.missing(&key))?;
        evict_to_limit(&mut self.spent, &mut self.spent_order);
        self.spent.insert(key, ());
        self.spent_order.push_back(key);
        Ok(value)
    }
}

/// A random secret of `len` alphanumerics with a kind marker, e.g. `eat_…_sbx` for access tokens.
/// The two underscores make the sandbox's request-log redaction recognise it as a token.
pub(super) fn secret(kind: &str, len: usize) -> String {
    let opaque: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect();
    format!("{kind}_{opaque}_sbx")
}

/// The identity platform's memory.
#[derive(Debug, Default)]
pub(crate) struct Grants {
    codes: Bounded<CodeGrant>,
    access: Bounded<(Consent, OffsetDateTime)>,
    refresh: Bounded<(Consent, OffsetDateTime)>,
    sessions: Bounded<String>,
}

/// Tokens as the token endpoint returns them.
#[derive(Debug)]
pub(crate) struct Issued {
    /// Who the tokens are for (the id_token names them).
    pub(crate) email: String,
    pub(crate) access_token: String,
    pub(crate) refresh_token: Option<String>,
    pub(crate) expires_in: i64,
    pub(crate) scopes: Vec<String>,
}

impl Grants {
    /// A new authorization code for `grant`.
    pub(crate) fn issue_code(&mut self, grant: CodeGrant) -> String {
        let code = secret("eac", 48);
        self.codes.insert(&code, grant);
        code
    }

    /// Redeems a code: it is gone afterwards whatever the outcome, as Entra does (a code that
    /// failed its PKCE check cannot be retried either).
    pub(crate) fn redeem_code(&mut self, code: &str, now: OffsetDateTime) -> Result<CodeGrant, Refused> {
        let grant = self.codes.spend(code)?;
        if now >= grant.expires_at {
            return Err(Refused::Expired);
        }
        Ok(grant)
    }

    /// Access (and, with `offline_access`, refresh) tokens for `consent`.
    pub(crate) fn issue_tokens(
        &mut self,
        consent: Consent,
        lifetime: Duration,
        now: OffsetDateTime,
    ) -> Issued {
        let access_token = secret("eat", 64);
        let refresh_token = consent.has("offline_access").then(|| {
            let token = secret("ert", 96);
            self.refresh
                .insert(&token, (consent.clone(), now + REFRESH_LIFETIME));
            token
        });
        let scopes = consent.scopes.clone();
        let email = consent.email.clone();
        self.access.insert(&access_token, (consent, now + lifetime));
        Issued {
            email,
            access_token,
            refresh_token,
            expires_in: lifetime.whole_seconds(),
            scopes,
        }
    }

    /// The consent behind a refresh token, without redeeming it.
    pub(crate) fn refresh_consent(&self, token: &str) -> Option<&Consent> {
        self.refresh.get(token).ok().map(|(consent, _)| consent)
    }

    /// Redeems a refresh token for new tokens (with a new refresh token), for `client_id` only.
    /// The redeemed one stays good until it expires, as Entra's do: several programs holding
    /// one sign-in may each redeem it once at the same time.
    pub(crate) fn refresh(
        &mut self,
        token: &str,
        client_id: &str,
        lifetime: Duration,
        now: OffsetDateTime,
    ) -> Result<Issued, Refused> {
        let (consent, expires_at) = self.refresh.get(token)?;
        if consent.client_id != client_id {
            return Err(Refused::Unknown);
        }
        if now >= *expires_at {
            return Err(Refused::Expired);
        }
        let consent = consent.clone();
        Ok(self.issue_tokens(consent, lifetime, now))
    }

    /// The consent behind a live access token.
    pub(crate) fn check_access(&self, token: &str, now: OffsetDateTime) -> Result<Consent, Refused> {
        let (consent, expires_at) = self.access.get(token)?;
        if now >= *expires_at {
            return Err(Refused::Expired);
        }
        Ok(consent.clone())
    }

    /// A browser session for `email` (the value of the session cookie).
    pub(crate) fn open_session(&mut self, email: &str) -> String {
        let id = secret("ess", 48);
        self.sessions.insert(&id, email.to_owned());
        id
    }

    /// Who a session cookie belongs to.
    pub(crate) fn session(&self, id: &str) -> Option<&str> {
        self.sessions.get(id).ok().map(String::as_str)
    }
}

/// Whether `verifier` matches an S256 `challenge` (RFC 7636 §4.6).
pub(crate) fn pkce_matches(verifier: &str, challenge: &str) -> bool {
    let computed = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    // Not secret-dependent timing in a way that matters: the challenge is public.
    computed == challenge
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2030-01-01 00:00 UTC);

    fn consent(scopes: &[&str]) -> Consent {
        Consent {
            email: "admin@sandbox.example".into(),
            client_id: "client".into(),
            scopes: scopes.iter().map(|s| (*s).to_owned()).collect(),
            device_code: false,
        }
    }

    fn code_grant() -> CodeGrant {
        CodeGrant {
            consent: consent(&["offline_access"]),
            redirect_uri: "http://localhost:5000/".into(),
            code_challenge: "challenge".into(),
            expires_at: T0 + CODE_LIFETIME,
        }
    }

    #[test]
    fn a_code_is_redeemed_once() {
        let mut grants = Grants::default();
        let code = grants.issue_code(code_grant());
        assert!(grants.redeem_code(&code, T0).is_ok());
        assert_eq!(grants.redeem_code(&code, T0).err(), Some(Refused::AlreadyUsed));
        assert_eq!(
            grants.redeem_code("eac_nope_sbx", T0).err(),
            Some(Refused::Unknown)
        );
    }

    #[test]
    fn an_old_code_is_expired() {
        let mut grants = Grants::default();
        let code = grants.issue_code(code_grant());
        let late = T0 + CODE_LIFETIME + Duration::seconds(1);
        assert_eq!(grants.redeem_code(&code, late).err(), Some(Refused::Expired));
    }

    #[test]
    fn refresh_tokens_rotate_and_stay_with_their_client() {
        let mut grants = Grants::default();
        let first = grants.issue_tokens(consent(&["offline_access"]), Duration::hours(1), T0);
        let refresh = first.refresh_token.expect("offline_access gives a refresh token");
        assert_eq!(
            grants.refresh(&refresh, "other", Duration::hours(1), T0).err(),
            Some(Refused::Unknown)
        );
        let second = grants
            .refresh(&refresh, "client", Duration::hours(1), T0)
            .expect("first use works");
        assert_ne!(second.access_token, first.access_token);
        let newer = second.refresh_token.expect("rotated");
        assert_ne!(newer, refresh);
        // As Entra's: the redeemed token stays good (another program may hold it) until it expires.
        assert!(grants.refresh(&refresh, "client", Duration::hours(1), T0).is_ok());
        assert!(grants.refresh(&newer, "client", Duration::hours(1), T0).is_ok());
        let late = T0 + REFRESH_LIFETIME + Duration::seconds(1);
        assert_eq!(
            grants.refresh(&refresh, "client", Duration::hours(1), late).err(),
            Some(Refused::Expired)
        );
    }

    #[test]
    fn no_offline_access_no_refresh_token() {
        let mut grants = Grants::default();
        let issued = grants.issue_tokens(consent(&["Application.Read.All"]), Duration::hours(1), T0);
        assert!(issued.refresh_token.is_none());
    }

    #[test]
    fn access_tokens_expire() {
        let mut grants = Grants::default();
        let issued = grants.issue_tokens(consent(&[]), Duration::minutes(5), T0);
        assert!(grants.check_access(&issued.access_token, T0).is_ok());
        assert_eq!(
            grants
                .check_access(&issued.access_token, T0 + Duration::minutes(5))
                .err(),
            Some(Refused::Expired)
        );
    }

    #[test]
    fn pkce_s256_matches_rfc_7636_appendix_b() {
        assert!(pkce_matches(
            "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
        assert!(!pkce_matches(
            "another verifier",
            "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"
        ));
    }

    #[test]
    fn the_store_is_bounded() {
        let mut grants = Grants::default();
        let first = grants.issue_code(code_grant());
        for _ in 0..LIMIT {
            grants.issue_code(code_grant());
        }
        assert_eq!(grants.codes.items.len(), LIMIT);
        assert_eq!(grants.redeem_code(&first, T0).err(), Some(Refused::Unknown));
    }
}
