//! The closed sets Graph reports a provisioning job in: the job's status code and the state of
//! its last cycle, each with its one description. Nothing else compares Graph's words as text.

use serde::{Deserialize, Serialize};

/// `synchronizationStatus.code`, read without regard to case. A code Graph adds later reads as
/// [`JobCode::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum JobCode {
    /// Provisioning is not set up (no credentials saved yet).
    NotConfigured,
    /// Set up but never started.
    NotRun,
    /// Running: a cycle every 40 minutes or so.
    Active,
    /// Stopped by an admin.
    Paused,
    /// Stopped by Entra after repeated failures; retried less and less often.
    Quarantine,
    /// A code this version does not know.
    Unknown,
}

impl<'de> Deserialize<'de> for JobCode {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok([
            Self::NotConfigured,
            Self::NotRun,
            Self::Active,
            Self::Paused,
            Self::Quarantine,
        ]
        .into_iter()
        .find(|code| format!("{code:?}").eq_ignore_ascii_case(&text))
        .unwrap_or(Self::Unknown))
    }
}

impl JobCode {
    /// The job's state in a few words, for a person.
    pub fn description(self) -> &'static str {
        match self {
            Self::NotConfigured => "not configured",
            Self::NotRun => "never started",
            Self::Active => "running",
            Self::Paused => "paused",
            Self::Quarantine => "in quarantine",
            Self::Unknown => "in a state scim-token does not know",
        }
    }
}

/// `synchronizationTaskExecution.state`, read without regard to case. A state Graph adds later
/// reads as [`ExecutionState::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum ExecutionState {
    /// Every entry went through.
    Succeeded,
    /// The cycle failed as a whole (a refused token fails every cycle).
    Failed,
    /// The cycle ran, but some entries were refused.
    EntryLevelErrors,
    /// A state this version does not know.
    Unknown,
}

impl<'de> Deserialize<'de> for ExecutionState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        Ok([Self::Succeeded, Self::Failed, Self::EntryLevelErrors]
            .into_iter()
            .find(|state| format!("{state:?}").eq_ignore_ascii_case(&text))
            .unwrap_or(Self::Unknown))
    }
}

impl ExecutionState {
    /// The cycle's outcome in a few words, for a person.
    pub fn description(self) -> &'static str {
        match self {
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::EntryLevelErrors => "finished with errors on some users",
            Self::Unknown => "ended in a state scim-token does not know",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn graphs_words_read_as_the_closed_sets() {
        let code: JobCode = serde_json::from_str("\"Quarantine\"").unwrap();
        assert_eq!(code, JobCode::Quarantine);
        let cased: JobCode = serde_json::from_str("\"notConfigured\"").unwrap();
        assert_eq!(cased, JobCode::NotConfigured, "Graph's case is not relied on");
        let later: JobCode = serde_json::from_str("\"SomethingNew\"").unwrap();
        assert_eq!(later, JobCode::Unknown);
        let state: ExecutionState = serde_json::from_str("\"EntryLevelErrors\"").unwrap();
        assert_eq!(state, ExecutionState::EntryLevelErrors);
        assert_eq!(serde_json::to_string(&JobCode::NotRun).unwrap(), "\"NotRun\"");
    }
}
