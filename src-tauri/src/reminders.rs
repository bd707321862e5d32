//! Expiry reminders: at start-up and every hour, a desktop notification for each token that
//! reached a point of the core reminder schedule (30, 14, 7, 3, 1 days before, then daily);
//! and for each linked Entra job that is quarantined or whose last cycle failed (once per
//! episode), which the tray also shows. The app's own timer: the notification plugin schedules
//! only on mobile.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use scim_token_core::api::{JobVerdict, LinkHealth};
use scim_token_core::expiry::due_reminder;
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use time::OffsetDateTime;

use crate::state::Shared;

const CHECK_EVERY: Duration = Duration::from_secs(3600);

pub(crate) fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut told = Told::default();
        loop {
            if let Some(shared) = app.try_state::<Arc<Shared>>() {
                check(&app, &shared, &mut told).await;
            }
            crate::tray::refresh(&app);
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

/// What was already said, so each reminder comes once per point of the schedule and each job's
/// trouble once per episode.
#[derive(Default)]
struct Told {
    reminders: HashMap<(String, String), OffsetDateTime>,
    unreadable: bool,
    jobs: HashSet<String>,
}

/// Reads core's attention (tokens by the app's clock; then every linked job with the kept
/// refresh tokens, never a sign-in), notifies, and keeps the jobs for the tray.
async fn check(app: &AppHandle, shared: &Shared, told: &mut Told) {
    // Expiry first, from the records alone: a slow Entra must not hold back a reminder.
    let expiry = match shared.api.expiry_attention(0) {
        Ok(expiry) => {
            told.unreadable = false;
            expiry
        }
        Err(err) => {
            // An unreadable records file must not silence reminders without a word; once is
            // enough (the tray says it too).
            if !told.unreadable {
                notify(app, "scim-token cannot read its token records", &err.to_string());
                told.unreadable = true;
            }
            return;
        }
    };
    let now = shared.api.now();
    for summary in &expiry.all {
        let key = (summary.broker.clone(), summary.org_id.clone());
        let Some(reminder) = due_reminder(summary.expires_at, told.reminders.get(&key).copied(), now) else {
            continue;
        };
        notify(
            app,
            "Webex SCIM token needs renewal",
            &reminder_text(&summary.org_id, reminder.days_before),
        );
        told.reminders.insert(key, now);
    }
    let Ok(attention) = shared.api.attention(0).await else {
        return;
    };
    for health in &attention.jobs {
        let job = format!("{}/{}", health.link.app_id, health.link.job_id);
        if !health.unhealthy() {
            told.jobs.remove(&job);
        } else if told.jobs.insert(job) {
            notify(app, "Entra provisioning needs attention", &job_text(health));
        }
    }
    *crate::state::lock(&shared.job_health) = attention.jobs;
}

/// What a notification says about an unhealthy job: core's words and the app's next step.
fn job_text(health: &LinkHealth) -> String {
    let next = match health.verdict {
        JobVerdict::Quarantined => "Renew the token and push it in scim-token.",
        JobVerdict::SignInNeeded => "Sign in to Entra again in scim-token.",
        _ => "Open scim-token to see why.",
    };
    format!("{}. {next}", health.headline())
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
