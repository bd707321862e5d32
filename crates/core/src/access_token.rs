//! The access token as a secret type: redacted, zeroized, never serialized.

use std::fmt;

use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use crate::org_id::{OrgId, OrgIdError};

/// A bearer access token (RFC 6750).
///
/// `Debug` and `Display` print `[REDACTED]`, it has no `Serialize`, and its memory is zeroed on
/// drop. The only way to the value is [`AccessToken::expose_secret`], used for the keyring, the
/// clipboard, an explicit `token` command and the `Authorization` header.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(Zeroizing<String>);

impl AccessToken {
    /// Wraps a token value.
    pub fn new(value: String) -> Self {
        Self(Zeroizing::new(value))
    }

    /// The token value. Every caller is a place where the secret leaves the program on purpose.
    pub fn expose_secret(&self) -> &str {
        &self.0
    }

    /// A short, stable, non-reversible label for display: the first 8 hex digits of SHA-256.
    pub fn fingerprint(&self) -> String {
        let digest = Sha256::digest(self.0.as_bytes());
        let hex: String = digest.iter().take(4).map(|b| format!("{b:02x}")).collect();
        format!("sha256:{hex}")
    }

    /// The org ID Webex embeds in its tokens, `<opaque>_<cluster>_<orgId>`: the part after the
    /// last `_`. A convenience to prefill the org ID, never a security check.
    pub fn org_id_hint(&self) -> Result<OrgId, OrgIdError> {
        match self.0.rsplit_once('_') {
            Some((_, tail)) if !tail.is_empty() => OrgId::parse_exact(tail),
            _ => Err(OrgIdError::NotInToken),
        }
    }
}

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken([REDACTED])")
    }
}

impl fmt::Display for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[REDACTED]")
    }
}
