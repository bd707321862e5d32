//! Expiry reminders: at start-up and every hour, a desktop notification for each token that
//! reached a point of the core reminder schedule (30, 14, 7, 3, 1 days before, then daily).
//! The app's own timer: the notification plugin schedules only on mobile.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use scim_token_core::TokenKey;
use scim_token_core::expiry::due_reminder;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use time::OffsetDateTime;

use crate::state::Shared;

const CHECK_EVERY: Duration = Duration::from_secs(3600);

pub(crate) fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut last_sent: HashMap<TokenKey, OffsetDateTime> = HashMap::new();
        let mut told_unreadable = false;
        loop {
            check(&app, &mut last_sent, &mut told_unreadable);
            crate::tray::refresh(&app);
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

fn check(app: &AppHandle, last_sent: &mut HashMap<TokenKey, OffsetDateTime>, told_unreadable: &mut bool) {
    let Some(shared) = app.try_state::<Arc<Shared>>() else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    let records = match shared.tokens.records() {
        Ok(records) => {
            *told_unreadable = false;
            records
        }
        Err(err) => {
            // An unreadable records file must not silence reminders without a word; once is
            // enough (the tray says it too).
            if !*told_unreadable {
                notify(app, "scim-token cannot read its token records", &err.to_string());
                *told_unreadable = true;
            }
            return;
        }
    };
    for record in records {
        let expires_at = record.effective_expires_at();
        let Some(reminder) = due_reminder(expires_at, last_sent.get(&record.key()).copied(), now) else {
            continue;
        };
        notify(
            app,
            "Webex SCIM token needs renewal",
            &reminder_text(&record.key().to_string(), reminder.days_before),
        );
        last_sent.insert(record.key(), now);
    }
}

/// The reminder's words, from the reminder's own day: the 30-day reminder says 30 days even when
/// the check runs a few hours later.
fn reminder_text(org: &str, days_before: i64) -> String {
    match days_before {
        1 => format!(
            "The token for org {org} expires in 1 day. Renew it in scim-token before Azure provisioning stops."
        ),
        d if d > 1 => format!(
            "The token for org {org} expires in {d} days. Renew it in scim-token before Azure provisioning stops."
        ),
        _ => format!(
            "The token for org {org} has expired: Azure provisioning has stopped. Renew it in scim-token."
        ),
    }
}

fn notify(app: &AppHandle, title: &str, body: &str) {
    let shown = app.notification().builder().title(title).body(body).show();
    if let Err(e) = shown {
        tracing::warn!("cannot show a notification: {e}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wording_follows_the_reminder_day() {
        assert!(reminder_text("o", 30).contains("expires in 30 days"));
        assert!(reminder_text("o", 1).contains("expires in 1 day."));
        assert!(reminder_text("o", 0).contains("has expired"));
        assert!(reminder_text("o", -3).contains("has expired"));
    }
}
