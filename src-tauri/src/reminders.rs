//! Expiry reminders: at start-up and every hour, a desktop notification for each token that
//! reached a point of the core reminder schedule (30, 14, 7, 3, 1 days before, then daily);
//! and for each linked Entra job that is quarantined or whose last cycle failed (once per
//! episode), which the tray also shows. The app's own timer: the notification plugin schedules
//! only on mobile.

use std::collections::{HashMap, HashSet};
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
        let mut told_jobs: HashSet<String> = HashSet::new();
        loop {
            check(&app, &mut last_sent, &mut told_unreadable);
            check_entra(&app, &mut told_jobs).await;
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

/// Reads the health of every linked Entra job (with the kept refresh tokens, never a sign-in);
/// notifies once per job when it turns unhealthy, and tells the tray.
async fn check_entra(app: &AppHandle, told: &mut HashSet<String>) {
    let Some(shared) = app.try_state::<Arc<Shared>>() else {
        return;
    };
    let Ok(records) = shared.tokens.records() else {
        return;
    };
    let mut attention = Vec::new();
    for record in records.iter().filter(|r| !r.entra_links.is_empty()) {
        for health in shared.tokens.entra_health(record).await {
            let job = format!("{}/{}", health.link.app_id, health.link.job_id);
            if !health.unhealthy() {
                told.remove(&job);
                continue;
            }
            let text = job_text(&health);
            if told.insert(job) {
                notify(app, "Entra provisioning needs attention", &text);
            }
            attention.push(text);
        }
    }
    *crate::state::lock(&shared.entra_attention) = attention;
}

/// What a notification says about an unhealthy job.
fn job_text(health: &scim_token_core::api::LinkHealth) -> String {
    let name = &health.link.app_name;
    match &health.status {
        Some(status) if status.code == "Quarantine" => {
            let reason = status
                .quarantine
                .as_ref()
                .and_then(|q| q.reason.clone())
                .unwrap_or_else(|| "unknown reason".into());
            format!(
                "{name}: provisioning is in quarantine ({reason}). Renew the token and push it in scim-token."
            )
        }
        Some(_) => format!("{name}: the last provisioning cycle failed. Open scim-token to see why."),
        None if health.needs_sign_in => {
            format!("{name}: scim-token cannot read the job: sign in to Entra again in scim-token.")
        }
        None => format!(
            "{name}: the job's health cannot be read: {}",
            health.error.as_deref().unwrap_or("unknown error")
        ),
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
