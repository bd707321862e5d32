//! Org IDs and the Tenant URL that Azure's provisioning page asks for.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use thiserror::Error;
use uuid::Uuid;

/// A Webex org ID: a UUID, printed lower-case with hyphens.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "specta", derive(specta::Type), specta(type = String))]
#[serde(try_from = "String", into = "String")]
pub struct OrgId(Uuid);

/// Why a text is not an org ID, in words a user can act on.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OrgIdError {
    /// Nothing was given.
    #[error("the org ID is empty: paste the org ID from Control Hub (Account > Organization ID)")]
    Empty,
    /// The text has the shape of a UUID but a character that is not a hex digit.
    #[error(
        "'{text}' is not a valid org ID: '{bad}' at position {position} is not a hexadecimal digit (0-9, a-f){hint}"
    )]
    NotHex {
        /// The UUID-shaped text.
        text: String,
        /// The offending character.
        bad: char,
        /// Its 1-based position.
        position: usize,
        /// Extra advice, e.g. that this is the example from Webex's guide.
        hint: &'static str,
    },
    /// An email address was given.
    #[error(
        "that is an email address, not an org ID: the org ID is a UUID such as 1eb65fdf-9643-417f-9974-ad72cae0e10f, shown in Control Hub under Account"
    )]
    Email,
    /// No UUID could be found in the text.
    #[error(
        "no org ID found in the text: an org ID is a UUID such as 1eb65fdf-9643-417f-9974-ad72cae0e10f, shown in Control Hub under Account"
    )]
    NotFound,
    /// The token does not carry an org ID in the usual `_<cluster>_<orgId>` suffix.
    #[error("the token does not end in an org ID: enter the org ID (Control Hub > Account) yourself")]
    NotInToken,
}

/// The example org ID printed in Webex's own provisioning guide; it contains a `g`.
const WEBEX_GUIDE_EXAMPLE: &str = "a35bfbc6-ccbd-4a17-a488-72gf46c5420c";

impl OrgId {
    /// Wraps a UUID.
    pub fn from_uuid(uuid: Uuid) -> Self {
        Self(uuid)
    }

    /// The UUID.
    pub fn as_uuid(&self) -> &Uuid {
        &self.0
    }

    /// Parses exactly one UUID, nothing around it.
    pub fn parse_exact(text: &str) -> Result<Self, OrgIdError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(OrgIdError::Empty);
        }
        if has_uuid_shape(text) {
            return check_uuid(text);
        }
        Err(if text.contains('@') {
            OrgIdError::Email
        } else {
            OrgIdError::NotFound
        })
    }

    /// Finds the org ID in what a user pasted: a bare UUID, one in braces or quotes, or a URL
    /// (Tenant URL, Control Hub link) that contains one, in which case the last UUID wins.
    pub fn find_in(text: &str) -> Result<Self, OrgIdError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(OrgIdError::Empty);
        }
        let candidate = text
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
            .rfind(|part| has_uuid_shape(part));
        match candidate {
            Some(part) => check_uuid(part),
            None if text.contains('@') && !text.contains('/') => Err(OrgIdError::Email),
            None => Err(OrgIdError::NotFound),
        }
    }
}

/// 8-4-4-4-12 alphanumeric groups separated by hyphens.
fn has_uuid_shape(text: &str) -> bool {
    let groups: Vec<&str> = text.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, len)| g.len() == len)
        && groups
            .iter()
            .all(|g| g.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn check_uuid(text: &str) -> Result<OrgId, OrgIdError> {
    if let Some((index, bad)) = text
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_hexdigit() || *c == '-'))
    {
        let hint = if text.eq_ignore_ascii_case(WEBEX_GUIDE_EXAMPLE) {
            "; this is the example org ID from Webex's guide, not a real one: copy your own from Control Hub > Account"
        } else {
            ""
        };
        return Err(OrgIdError::NotHex {
            text: text.to_owned(),
            bad,
            position: index + 1,
            hint,
        });
    }
    Uuid::parse_str(text).map(OrgId).map_err(|_| OrgIdError::NotFound)
}

impl FromStr for OrgId {
    type Err = OrgIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Self::find_in(text)
    }
}

impl fmt::Display for OrgId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

impl TryFrom<String> for OrgId {
    type Error = OrgIdError;

    fn try_from(text: String) -> Result<Self, Self::Error> {
        Self::parse_exact(&text)
    }
}

impl From<OrgId> for String {
    fn from(org: OrgId) -> Self {
        org.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORG: &str = "1eb65fdf-9643-417f-9974-ad72cae0e10f";

    #[test]
    fn finds_org_id_in_pasted_text() {
        let cases = [
            ORG,
            "  1EB65FDF-9643-417F-9974-AD72CAE0E10F \n",
            "{1eb65fdf-9643-417f-9974-ad72cae0e10f}",
            "\"1eb65fdf-9643-417f-9974-ad72cae0e10f\"",
            "https://webexapis.com/identity/scim/1eb65fdf-9643-417f-9974-ad72cae0e10f/v2/",
            "https://x/00000000-0000-0000-0000-000000000000/orgs/1eb65fdf-9643-417f-9974-ad72cae0e10f?x=1",
        ];
        for text in cases {
            assert_eq!(OrgId::find_in(text).unwrap().to_string(), ORG, "{text:?}");
        }
    }

    #[test]
    fn explains_what_is_wrong() {
        let cases: [(&str, &str); 5] = [
            ("", "empty"),
            ("admin@example.com", "email address"),
            ("Acme Corp", "no org ID found"),
            (
                "a35bfbc6-ccbd-4a17-a488-72gf46c5420c",
                "example org ID from Webex's guide",
            ),
            ("1eb65fdf-9643-417f-9974-ad72cae0e10z", "'z' at position 36"),
        ];
        for (text, expected) in cases {
            let message = OrgId::find_in(text).unwrap_err().to_string();
            assert!(message.contains(expected), "{text:?} -> {message}");
        }
    }

    #[test]
    fn guide_example_names_the_bad_character() {
        let message = OrgId::find_in(WEBEX_GUIDE_EXAMPLE).unwrap_err().to_string();
        assert!(message.contains("'g' at position 27"), "{message}");
    }

    #[test]
    fn exact_parse_rejects_surroundings() {
        assert!(OrgId::parse_exact(ORG).is_ok());
        assert_eq!(
            OrgId::parse_exact(&format!("https://x/{ORG}")).unwrap_err(),
            OrgIdError::NotFound
        );
    }
}
