//! Keeps the Webex side's issued tokens across restarts of a `--data` sandbox, so a token a
//! client (or the local Entra's provisioning job) holds keeps working. Only each token's SHA-256
//! and its grant are written: the token itself never reaches the file.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, params};
use time::OffsetDateTime;

use super::tokens::Grant;

#[derive(Debug)]
pub(crate) struct TokenFile {
    connection: Mutex<Connection>,
}

impl TokenFile {
    /// Opens (creating if needed) the table in the file at `path`.
    pub(crate) fn open(path: &Path) -> rusqlite::Result<Self> {
        let connection = Connection::open(path)?;
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS webex_tokens (
                 hash BLOB PRIMARY KEY, expires_at INTEGER NOT NULL, grant_doc TEXT NOT NULL);",
        )?;
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    /// The grants still live at `now` (expired ones are dropped from the file).
    pub(crate) fn load(&self, now: OffsetDateTime) -> rusqlite::Result<Vec<([u8; 32], Grant)>> {
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        connection.execute(
            "DELETE FROM webex_tokens WHERE expires_at <= ?1",
            params![now.unix_timestamp()],
        )?;
        let mut statement = connection.prepare("SELECT hash, grant_doc FROM webex_tokens ORDER BY rowid")?;
        let rows = statement.query_map([], |row| {
            Ok((row.get::<_, Vec<u8>>(0)?, row.get::<_, String>(1)?))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (hash, doc) = row?;
            let (Ok(hash), Ok(grant)) = (<[u8; 32]>::try_from(hash), serde_json::from_str::<Grant>(&doc))
            else {
                continue;
            };
            out.push((hash, grant));
        }
        Ok(out)
    }

    /// Keeps one grant under its token's hash.
    pub(crate) fn save(&self, hash: &[u8; 32], grant: &Grant) -> rusqlite::Result<()> {
        let doc =
            serde_json::to_string(grant).map_err(|e| rusqlite::Error::ToSqlConversionFailure(Box::new(e)))?;
        let connection = self.connection.lock().unwrap_or_else(|p| p.into_inner());
        connection.execute(
            "INSERT INTO webex_tokens (hash, expires_at, grant_doc) VALUES (?1, ?2, ?3)
             ON CONFLICT (hash) DO UPDATE SET grant_doc = excluded.grant_doc",
            params![hash.as_slice(), grant.expires_at.unix_timestamp(), doc],
        )?;
        Ok(())
    }
}
