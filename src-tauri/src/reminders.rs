//! Expiry reminders: at start-up and every hour, a desktop notification for each token that
//! reached a point of the core reminder schedule (30, 14, 7, 3, 1 days before, then daily).
//! The app's own timer: the notification plugin schedules only on mobile.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use scim_token_core::expiry::due_reminder;
use scim_token_core::{OrgId, TokenSummary};
use tauri::{AppHandle, Manager};
use tauri_plugin_notification::NotificationExt;
use time::OffsetDateTime;

use crate::state::Shared;

const CHECK_EVERY: Duration = Duration::from_secs(3600);

pub(crate) fn spawn(app: AppHandle) {
    tauri::async_runtime::spawn(async move {
        let mut last_sent: HashMap<OrgId, OffsetDateTime> = HashMap::new();
        loop {
            check(&app, &mut last_sent);
            crate::tray::refresh(&app);
            tokio::time::sleep(CHECK_EVERY).await;
        }
    });
}

fn check(app: &AppHandle, last_sent: &mut HashMap<OrgId, OffsetDateTime>) {
    let Some(shared) = app.try_state::<Arc<Shared>>() else {
        return;
    };
    let now = OffsetDateTime::now_utc();
    for record in shared.records().unwrap_or_default() {
        let expires_at = record.effective_expires_at();
        let Some(reminder) = due_reminder(expires_at, last_sent.get(&record.org_id).copied(), now) else {
            continue;
        };
        let summary = TokenSummary::of(&record, now);
        let body = if reminder.days_before > 0 {
            format!(
                "The token for org {} expires in {} days. Renew it in scim-token before Azure provisioning stops.",
                summary.org_id,
                summary.days_left.max(0)
            )
        } else {
            format!(
                "The token for org {} has expired: Azure provisioning has stopped. Renew it in scim-token.",
                summary.org_id
            )
        };
        let shown = app
            .notification()
            .builder()
            .title("Webex SCIM token needs renewal")
            .body(body)
            .show();
        if let Err(e) = shown {
            tracing::warn!("cannot show a notification: {e}");
        }
        last_sent.insert(record.org_id, now);
    }
}
