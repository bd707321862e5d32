//! Expiry arithmetic and the reminder schedule, driven by an injectable clock.

use time::{Duration, OffsetDateTime};

/// Something that tells the time. Tests inject a fixed one.
pub trait Clock {
    /// The current instant.
    fn now(&self) -> OffsetDateTime;
}

/// The system's wall clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

impl Clock for OffsetDateTime {
    fn now(&self) -> OffsetDateTime {
        *self
    }
}

/// How urgent renewal is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
#[serde(rename_all = "kebab-case")]
pub enum ExpiryState {
    /// More than [`RENEW_SOON_DAYS`] days left.
    Fresh,
    /// At most [`RENEW_SOON_DAYS`] days left.
    RenewSoon,
    /// At most [`EXPIRING_DAYS`] days left.
    Expiring,
    /// Past its expiry: provisioning has stopped.
    Expired,
}

/// From this many days left, renewal is suggested.
pub const RENEW_SOON_DAYS: i64 = 30;
/// From this many days left, renewal is urgent.
pub const EXPIRING_DAYS: i64 = 7;
/// Days before expiry at which a reminder is due; after expiry, one every day.
pub const REMINDER_DAYS_BEFORE: [i64; 5] = [30, 14, 7, 3, 1];

impl ExpiryState {
    /// The state of a token expiring at `expires_at`. At the exact second of expiry it is expired.
    pub fn at(expires_at: OffsetDateTime, now: OffsetDateTime) -> Self {
        let left = expires_at - now;
        if left <= Duration::ZERO {
            Self::Expired
        } else if left <= Duration::days(EXPIRING_DAYS) {
            Self::Expiring
        } else if left <= Duration::days(RENEW_SOON_DAYS) {
            Self::RenewSoon
        } else {
            Self::Fresh
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Fresh => "valid",
            Self::RenewSoon => "renew soon",
            Self::Expiring => "expiring",
            Self::Expired => "expired",
        }
    }
}

/// Whole days left, rounded down; negative once expired (-1 on the first day after expiry).
pub fn days_left(expires_at: OffsetDateTime, now: OffsetDateTime) -> i64 {
    let secs = (expires_at - now).whole_seconds();
    secs.div_euclid(86_400)
}

/// A reminder the user should get.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reminder {
    /// When it became due.
    pub due_at: OffsetDateTime,
    /// Days before expiry it stands for; 0 at expiry, negative after.
    pub days_before: i64,
}

/// The reminder instants, in order: 30, 14, 7, 3 and 1 days before, at expiry, then daily.
fn reminder_points(expires_at: OffsetDateTime) -> impl Iterator<Item = Reminder> {
    let before = REMINDER_DAYS_BEFORE.iter().map(move |&d| Reminder {
        due_at: expires_at - Duration::days(d),
        days_before: d,
    });
    let after = (0..).map(move |d: i64| Reminder {
        due_at: expires_at + Duration::days(d),
        days_before: -d,
    });
    before.chain(after)
}

/// The reminder due now, if one fell due after `last_sent` (or ever, when nothing was sent).
/// Only the latest due one is returned: missed earlier ones are not replayed.
pub fn due_reminder(
    expires_at: OffsetDateTime,
    last_sent: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> Option<Reminder> {
    let latest = reminder_points(expires_at)
        .take_while(|r| r.due_at <= now)
        .last()?;
    match last_sent {
        Some(sent) if sent >= latest.due_at => None,
        _ => Some(latest),
    }
}

/// When the next reminder after `now` falls due, for scheduling a timer.
pub fn next_reminder_at(expires_at: OffsetDateTime, now: OffsetDateTime) -> OffsetDateTime {
    reminder_points(expires_at)
        .find(|r| r.due_at > now)
        .map(|r| r.due_at)
        .expect("the daily reminders after expiry never end")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::token::DOCUMENTED_LIFETIME;
    use time::macros::datetime;

    const EXPIRES: OffsetDateTime = datetime!(2027-03-01 09:00 UTC);

    #[test]
    fn states_and_days_left() {
        let cases = [
            (EXPIRES - Duration::days(31), ExpiryState::Fresh, 31),
            (EXPIRES - Duration::days(30), ExpiryState::RenewSoon, 30),
            (EXPIRES - Duration::days(8), ExpiryState::RenewSoon, 8),
            (EXPIRES - Duration::days(7), ExpiryState::Expiring, 7),
            (EXPIRES - Duration::seconds(1), ExpiryState::Expiring, 0),
            (EXPIRES, ExpiryState::Expired, 0),
            (EXPIRES + Duration::seconds(1), ExpiryState::Expired, -1),
            (EXPIRES + Duration::days(2), ExpiryState::Expired, -2),
        ];
        for (now, state, days) in cases {
            assert_eq!(ExpiryState::at(EXPIRES, now), state, "{now}");
            assert_eq!(days_left(EXPIRES, now), days, "{now}");
        }
    }

    #[test]
    fn exact_second_of_expiry() {
        assert_eq!(
            ExpiryState::at(EXPIRES, EXPIRES - Duration::nanoseconds(1)),
            ExpiryState::Expiring
        );
        assert_eq!(ExpiryState::at(EXPIRES, EXPIRES), ExpiryState::Expired);
    }

    #[test]
    fn documented_lifetime_across_leap_years() {
        // 2028 is a leap year: 365 days after 2028-02-28 is 2029-02-27, not 02-28.
        assert_eq!(
            datetime!(2028-02-28 10:00 UTC) + DOCUMENTED_LIFETIME,
            datetime!(2029-02-27 10:00 UTC)
        );
        assert_eq!(
            datetime!(2028-03-01 10:00 UTC) + DOCUMENTED_LIFETIME,
            datetime!(2029-03-01 10:00 UTC)
        );
        assert_eq!(
            datetime!(2027-03-01 10:00 UTC) + DOCUMENTED_LIFETIME,
            datetime!(2028-02-29 10:00 UTC)
        );
        assert_eq!(
            days_left(datetime!(2028-03-01 00:00 UTC), datetime!(2028-02-28 00:00 UTC)),
            2
        );
        assert_eq!(
            days_left(datetime!(2027-03-01 00:00 UTC), datetime!(2027-02-28 00:00 UTC)),
            1
        );
    }

    #[test]
    fn reminder_schedule() {
        let d = Duration::days;
        // Nothing due 31 days out; the next is at 30 days.
        assert_eq!(due_reminder(EXPIRES, None, EXPIRES - d(31)), None);
        assert_eq!(next_reminder_at(EXPIRES, EXPIRES - d(31)), EXPIRES - d(30));
        // Due at exactly 30 days, once.
        let at30 = due_reminder(EXPIRES, None, EXPIRES - d(30)).unwrap();
        assert_eq!(at30.days_before, 30);
        assert_eq!(
            due_reminder(EXPIRES, Some(EXPIRES - d(30)), EXPIRES - d(20)),
            None
        );
        assert_eq!(next_reminder_at(EXPIRES, EXPIRES - d(30)), EXPIRES - d(14));
        // Missed several while offline: only the latest is given.
        let late = due_reminder(EXPIRES, Some(EXPIRES - d(30)), EXPIRES - d(2)).unwrap();
        assert_eq!(late.days_before, 3);
        // At expiry, then daily.
        assert_eq!(
            due_reminder(EXPIRES, Some(EXPIRES - d(1)), EXPIRES)
                .unwrap()
                .days_before,
            0
        );
        let after = due_reminder(EXPIRES, Some(EXPIRES), EXPIRES + d(3) + Duration::hours(5)).unwrap();
        assert_eq!((after.days_before, after.due_at), (-3, EXPIRES + d(3)));
        assert_eq!(next_reminder_at(EXPIRES, EXPIRES + d(3)), EXPIRES + d(4));
        let points: Vec<i64> = reminder_points(EXPIRES).take(8).map(|r| r.days_before).collect();
        assert_eq!(points, [30, 14, 7, 3, 1, 0, -1, -2]);
    }

    #[test]
    fn clock_is_injectable() {
        fn state_now(clock: &impl Clock) -> ExpiryState {
            ExpiryState::at(EXPIRES, clock.now())
        }
        assert_eq!(state_now(&(EXPIRES + Duration::days(1))), ExpiryState::Expired);
        assert_eq!(
            state_now(&SystemClock),
            ExpiryState::at(EXPIRES, OffsetDateTime::now_utc())
        );
    }
}
