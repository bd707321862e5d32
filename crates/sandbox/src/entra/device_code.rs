//! The device authorization grant's memory (RFC 8628): each sign-in has a device code, the
//! client's secret to poll with, and a user code, the short code a person types at
//! `/devicelogin` to approve or decline it. Both are kept by hash in the identity platform's
//! bounded stores (see `grants`), so a client that asks for codes in a loop cannot grow the
//! process; the device code itself is never kept.
//!
//! A sign-in is pending until the code is typed, then approved (by an account) or declined, and
//! expires after its lifetime whatever it is. Polls of a pending one closer together than its
//! interval are told to slow down, and the interval grows by [`SLOW_DOWN_STEP`] each time; an
//! approved one is redeemed once.

use rand::Rng;
use time::{Duration, OffsetDateTime};

use super::grants::{Bounded, Consent, Refused, secret};

/// The characters of a user code: upper-case letters and digits, without those a person can
/// take for one another (0/O, 1/I/L).
pub(crate) const USER_CODE_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
/// How many characters a user code has: 31⁹ ≈ 2.6·10¹³ codes, too many to guess.
pub(crate) const USER_CODE_LENGTH: usize = 9;
/// What each `slow_down` adds to a sign-in's interval (RFC 8628 §3.5).
pub(crate) const SLOW_DOWN_STEP: Duration = Duration::seconds(5);

/// What the person at `/devicelogin` decided.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Decision {
    /// Not yet: the code was not typed.
    Pending,
    /// Approved by this account (its email).
    Approved(String),
    /// Declined.
    Declined,
}

/// One device sign-in, kept under its user code.
#[derive(Debug)]
struct DeviceSignIn {
    /// The client that asked for it (lower case): only it may redeem the device code.
    client_id: String,
    /// The scopes asked for, in Graph's short form.
    scopes: Vec<String>,
    expires_at: OffsetDateTime,
    /// The least time between two polls.
    interval: Duration,
    last_poll: Option<OffsetDateTime>,
    decision: Decision,
}

/// Why a poll gives no tokens. Each maps to the error the token endpoint answers with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Poll {
    /// Not approved yet: poll again after the interval.
    Pending,
    /// Polled sooner than the interval after the previous poll.
    SlowDown,
    /// The person declined.
    Declined,
    /// Past its lifetime.
    Expired,
    /// Never issued here, or dropped.
    Unknown,
    /// Issued to another client.
    OtherClient,
    /// Redeemed already.
    AlreadyRedeemed,
}

/// A new device sign-in's two codes.
#[derive(Debug)]
pub(crate) struct NewSignIn {
    /// The client's secret to poll the token endpoint with.
    pub(crate) device_code: String,
    /// The code the person types at `/devicelogin`.
    pub(crate) user_code: String,
}

/// The device sign-ins: user code → sign-in, and device code → user code.
#[derive(Debug, Default)]
pub(crate) struct DeviceCodes {
    sign_ins: Bounded<DeviceSignIn>,
    device_codes: Bounded<String>,
}

/// A random user code of [`USER_CODE_LENGTH`] characters from [`USER_CODE_ALPHABET`].
fn user_code(rng: &mut impl Rng) -> String {
    (0..USER_CODE_LENGTH)
        .map(|_| char::from(USER_CODE_ALPHABET[rng.gen_range(0..USER_CODE_ALPHABET.len())]))
        .collect()
}

/// A user code as typed (any case, with spaces or dashes) in the form it was issued in.
pub(crate) fn normalize(typed: &str) -> String {
    typed
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl DeviceCodes {
    /// A new pending sign-in for `client_id` (lower case) and `scopes`, good for `lifetime`.
    pub(crate) fn issue(
        &mut self,
        client_id: &str,
        scopes: Vec<String>,
        lifetime: Duration,
        interval: Duration,
        now: OffsetDateTime,
    ) -> NewSignIn {
        let device_code = secret("edc", 64);
        // A code seen before (live or spent) is drawn again, so a typed code names one sign-in.
        let user_code = std::iter::repeat_with(|| user_code(&mut rand::thread_rng()))
            .find(|code| self.sign_ins.get(code).err() == Some(Refused::Unknown))
            .expect("an endless iterator finds a fresh code");
        self.sign_ins.insert(
            &user_code,
            DeviceSignIn {
                client_id: client_id.to_owned(),
                scopes,
                expires_at: now + lifetime,
                interval,
                last_poll: None,
                decision: Decision::Pending,
            },
        );
        self.device_codes.insert(&device_code, user_code.clone());
        NewSignIn {
            device_code,
            user_code,
        }
    }

    /// The live, undecided sign-in a typed code names.
    fn undecided(&mut self, typed: &str, now: OffsetDateTime) -> Result<&mut DeviceSignIn, Refused> {
        let sign_in = self.sign_ins.get_mut(&normalize(typed))?;
        if now >= sign_in.expires_at {
            return Err(Refused::Expired);
        }
        if sign_in.decision != Decision::Pending {
            return Err(Refused::AlreadyUsed);
        }
        Ok(sign_in)
    }

    /// Whether a typed code names a live sign-in that waits for a decision.
    pub(crate) fn check(&mut self, typed: &str, now: OffsetDateTime) -> Result<(), Refused> {
        self.undecided(typed, now).map(|_| ())
    }

    /// Records the decision for the sign-in a typed code names (once).
    pub(crate) fn decide(
        &mut self,
        typed: &str,
        decision: Decision,
        now: OffsetDateTime,
    ) -> Result<(), Refused> {
        self.undecided(typed, now)?.decision = decision;
        Ok(())
    }

    /// A client's poll with its device code: the consent once approved (the device code is spent
    /// then), or why there are no tokens.
    pub(crate) fn poll(
        &mut self,
        device_code: &str,
        client_id: &str,
        now: OffsetDateTime,
    ) -> Result<Consent, Poll> {
        let user_code = match self.device_codes.get(device_code) {
            Ok(user_code) => user_code.clone(),
            Err(Refused::AlreadyUsed) => return Err(Poll::AlreadyRedeemed),
            Err(_) => return Err(Poll::Unknown),
        };
        let sign_in = self.sign_ins.get_mut(&user_code).map_err(|_| Poll::Unknown)?;
        if sign_in.client_id != client_id {
            return Err(Poll::OtherClient);
        }
        if now >= sign_in.expires_at {
            return Err(Poll::Expired);
        }
        let email = match &sign_in.decision {
            Decision::Approved(email) => email.clone(),
            Decision::Declined => return Err(Poll::Declined),
            Decision::Pending => {
                let too_soon = sign_in
                    .last_poll
                    .is_some_and(|last| now - last < sign_in.interval);
                sign_in.last_poll = Some(now);
                if too_soon {
                    sign_in.interval += SLOW_DOWN_STEP;
                    return Err(Poll::SlowDown);
                }
                return Err(Poll::Pending);
            }
        };
        let _ = self.device_codes.spend(device_code);
        let sign_in = self.sign_ins.spend(&user_code).map_err(|_| Poll::Unknown)?;
        Ok(Consent {
            email,
            client_id: sign_in.client_id,
            scopes: sign_in.scopes,
            device_code: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    const T0: OffsetDateTime = datetime!(2030-01-01 00:00 UTC);
    const LIFETIME: Duration = Duration::seconds(900);
    const INTERVAL: Duration = Duration::seconds(5);

    fn issued() -> (DeviceCodes, NewSignIn) {
        let mut codes = DeviceCodes::default();
        let new = codes.issue("client", vec!["openid".into()], LIFETIME, INTERVAL, T0);
        (codes, new)
    }

    #[test]
    fn user_codes_are_short_upper_case_and_unambiguous() {
        for ambiguous in [b'0', b'O', b'1', b'I', b'L'] {
            assert!(
                !USER_CODE_ALPHABET.contains(&ambiguous),
                "{}",
                char::from(ambiguous)
            );
        }
        assert!(
            USER_CODE_ALPHABET
                .iter()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        );
        let mut rng = rand::thread_rng();
        for _ in 0..200 {
            let code = user_code(&mut rng);
            assert_eq!(code.len(), USER_CODE_LENGTH);
            assert!(code.bytes().all(|c| USER_CODE_ALPHABET.contains(&c)), "{code}");
        }
    }

    #[test]
    fn a_code_is_found_however_it_is_typed() {
        let (mut codes, new) = issued();
        let (head, tail) = new.user_code.split_at(4);
        let typed = format!(" {}-{} ", head.to_ascii_lowercase(), tail);
        assert_eq!(normalize(&typed), new.user_code);
        assert_eq!(codes.check(&typed, T0), Ok(()));
        assert_eq!(codes.check("NOTACODE2", T0), Err(Refused::Unknown));
    }

    #[test]
    fn pending_polls_slow_down_when_too_close_and_the_interval_grows() {
        let (mut codes, new) = issued();
        let poll = |codes: &mut DeviceCodes, at| codes.poll(&new.device_code, "client", at).err();
        assert_eq!(poll(&mut codes, T0), Some(Poll::Pending));
        assert_eq!(poll(&mut codes, T0 + Duration::seconds(1)), Some(Poll::SlowDown));
        // The interval is 10 s now, counted from the last poll.
        assert_eq!(poll(&mut codes, T0 + Duration::seconds(8)), Some(Poll::SlowDown));
        assert_eq!(poll(&mut codes, T0 + Duration::seconds(23)), Some(Poll::Pending));
    }

    #[test]
    fn an_approved_code_is_redeemed_once_by_its_client() {
        let (mut codes, new) = issued();
        codes
            .decide(
                &new.user_code,
                Decision::Approved("admin@sandbox.example".into()),
                T0,
            )
            .unwrap();
        assert_eq!(
            codes.decide(&new.user_code, Decision::Declined, T0),
            Err(Refused::AlreadyUsed),
            "decided once"
        );
        assert_eq!(
            codes.poll(&new.device_code, "other", T0).err(),
            Some(Poll::OtherClient)
        );
        let consent = codes.poll(&new.device_code, "client", T0).unwrap();
        assert_eq!(consent.email, "admin@sandbox.example");
        assert_eq!(consent.scopes, ["openid"]);
        assert_eq!(
            codes.poll(&new.device_code, "client", T0).err(),
            Some(Poll::AlreadyRedeemed)
        );
        assert_eq!(codes.check(&new.user_code, T0), Err(Refused::AlreadyUsed));
        assert_eq!(
            codes.poll("edc_nope_sbx", "client", T0).err(),
            Some(Poll::Unknown)
        );
    }

    #[test]
    fn a_declined_code_stays_declined() {
        let (mut codes, new) = issued();
        codes.decide(&new.user_code, Decision::Declined, T0).unwrap();
        for _ in 0..2 {
            assert_eq!(
                codes.poll(&new.device_code, "client", T0).err(),
                Some(Poll::Declined)
            );
        }
    }

    #[test]
    fn codes_expire_after_their_lifetime() {
        let (mut codes, new) = issued();
        let late = T0 + LIFETIME;
        assert_eq!(codes.check(&new.user_code, late - Duration::seconds(1)), Ok(()));
        assert_eq!(codes.check(&new.user_code, late), Err(Refused::Expired));
        assert_eq!(
            codes.decide(&new.user_code, Decision::Approved("a".into()), late),
            Err(Refused::Expired)
        );
        assert_eq!(
            codes.poll(&new.device_code, "client", late).err(),
            Some(Poll::Expired)
        );
    }
}
