//! Keeps the local Entra's tenant (apps, secrets, job state, what was exported) in the sandbox's
//! `--data` SQLite file, beside the Webex side's tables, as one JSON document per tenant.
//!
//! The file plays Microsoft's storage: like Entra's, it holds the job's Secret Token. It is a
//! sandbox file, written only when `--data` is given.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use uuid::Uuid;

use super::tenant::Tenant;

#[derive(Debug)]
pub(super) struct Persistence {
    connection: Mutex<Connection>,
    tenant: String,
}

impl Persistence {
    /// Opens (creating if needed) the table in the file at `path`.
    pub(super) fn open(path: &Path, tenant: Uuid) -> rusqlite::Result<Self> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS entra_tenants (tenant TEXT PRIMARY KEY, doc TEXT NOT NULL);",
        )?;
        Ok(Self {
            connection: Mutex::new(connection),
            tenant: tenant.to_string(),
        })
    }

    /// The stored tenant, if one was kept. A document this version cannot read is an error, not
    /// a fresh start: starting over would lose the apps' secrets without a word.
    pub(super) fn load(&self) -> Result<Option<Tenant>, String> {
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        let doc: Option<String> = connection
            .query_row(
                "SELECT doc FROM entra_tenants WHERE tenant = ?1",
                params![self.tenant],
                |row| row.get(0),
            )
            .optional()
            .map_err(|e| e.to_string())?;
        doc.map(|doc| serde_json::from_str(&doc).map_err(|e| format!("unreadable tenant document: {e}")))
            .transpose()
    }

    /// Replaces the stored tenant.
    pub(super) fn save(&self, tenant: &Tenant) -> Result<(), String> {
        let doc = serde_json::to_string(tenant).map_err(|e| e.to_string())?;
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        connection
            .execute(
                "INSERT INTO entra_tenants (tenant, doc) VALUES (?1, ?2)
                 ON CONFLICT (tenant) DO UPDATE SET doc = excluded.doc",
                params![self.tenant, doc],
            )
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}
