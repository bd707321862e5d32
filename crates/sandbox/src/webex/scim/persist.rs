//! Optional persistence for the sandbox (`--data FILE`): every resource as a JSON row in SQLite,
//! written before the change is acknowledged, so a killed sandbox restarts with every write it
//! answered for.

use std::path::Path;
use std::sync::Mutex;

use rusqlite::{Connection, OptionalExtension, params};
use serde_json::{Map, Value};

use super::resource::Kind;

/// A row as loaded: kind, id, creation sequence, document.
pub(super) type Row = (Kind, String, u64, Map<String, Value>);
/// A change to write: kind, id, creation sequence, and the document (`None` deletes).
pub(super) type Change<'a> = (Kind, &'a str, u64, Option<&'a Map<String, Value>>);

#[derive(Debug)]
pub(super) struct Persistence {
    connection: Mutex<Connection>,
}

fn kind_name(kind: Kind) -> &'static str {
    kind.resource_type()
}

impl Persistence {
    /// Opens (creating if needed) the database at `path` for `org`; refuses one made for another org.
    pub(super) fn open(path: &Path, org: &str) -> rusqlite::Result<Self> {
        let connection = Connection::open(path)?;
        connection.pragma_update(None, "journal_mode", "WAL")?;
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.execute_batch(
            "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
             CREATE TABLE IF NOT EXISTS resources (
                 kind TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, doc TEXT NOT NULL,
                 PRIMARY KEY (kind, id));",
        )?;
        let stored: Option<String> = connection
            .query_row("SELECT value FROM settings WHERE key = 'org'", [], |row| {
                row.get(0)
            })
            .optional()?;
        match stored {
            Some(existing) if existing != org => {
                return Err(rusqlite::Error::InvalidParameterName(format!(
                    "this data file belongs to org {existing}; start with --org {existing} or use another file"
                )));
            }
            Some(_) => {}
            None => {
                connection.execute(
                    "INSERT INTO settings (key, value) VALUES ('org', ?1)",
                    params![org],
                )?;
            }
        }
        Ok(Self {
            connection: Mutex::new(connection),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Connection> {
        self.connection.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Every stored resource, in creation order.
    pub(super) fn load(&self) -> rusqlite::Result<Vec<Row>> {
        let connection = self.lock();
        let mut statement = connection.prepare("SELECT kind, id, seq, doc FROM resources ORDER BY seq")?;
        let rows = statement.query_map([], |row| {
            let kind: String = row.get(0)?;
            let doc: String = row.get(3)?;
            Ok((kind, row.get::<_, String>(1)?, row.get::<_, i64>(2)?, doc))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (kind, id, seq, doc) = row?;
            let kind = if kind == "Group" { Kind::Group } else { Kind::User };
            let Ok(Value::Object(doc)) = serde_json::from_str(&doc) else {
                continue;
            };
            out.push((kind, id, u64::try_from(seq).unwrap_or_default(), doc));
        }
        Ok(out)
    }

    /// Writes (or deletes, with `None`) resources in one transaction.
    pub(super) fn write(&self, changes: &[Change<'_>]) -> rusqlite::Result<()> {
        let mut connection = self.lock();
        let transaction = connection.transaction()?;
        for (kind, id, seq, doc) in changes {
            match doc {
                Some(doc) => transaction.execute(
                    "INSERT INTO resources (kind, id, seq, doc) VALUES (?1, ?2, ?3, ?4)
                     ON CONFLICT (kind, id) DO UPDATE SET doc = excluded.doc",
                    params![
                        kind_name(*kind),
                        id,
                        i64::try_from(*seq).unwrap_or(i64::MAX),
                        Value::Object((*doc).clone()).to_string()
                    ],
                )?,
                None => transaction.execute(
                    "DELETE FROM resources WHERE kind = ?1 AND id = ?2",
                    params![kind_name(*kind), id],
                )?,
            };
        }
        transaction.commit()
    }
}
