//! Who signed in to Entra: the account and tenant named by the sign-in's `id_token`
//! (`preferred_username`, `name`, `tid`; OpenID Connect's `openid profile` scopes).
//!
//! The token's signature is not checked: it came over TLS straight from the token endpoint in
//! answer to this client's own code or refresh token (OpenID Connect Core §3.1.3.7 allows
//! skipping validation in that case), and what it says is used only to show the account and to
//! compare tenants, never to grant anything. Graph checks the access token itself.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};

use super::ids::TenantId;

/// The account and tenant of an Entra sign-in (not secret).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntraIdentity {
    /// The account's sign-in name (`preferred_username`), e.g. `admin@contoso.com`.
    #[serde(default)]
    pub username: Option<String>,
    /// The account's display name.
    #[serde(default)]
    pub name: Option<String>,
    /// The tenant ID (`tid`).
    #[serde(default)]
    pub tenant_id: Option<TenantId>,
}

#[derive(Deserialize)]
struct Claims {
    #[serde(default)]
    preferred_username: Option<String>,
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    tid: Option<String>,
}

/// The longest `id_token` read (Entra's are 1–3 KB).
const MAX_ID_TOKEN: usize = 64 * 1024;

/// A claim fit to show: a bounded line of text.
fn shown(value: Option<String>) -> Option<String> {
    value
        .map(|v| {
            v.chars()
                .filter(|c| !c.is_control())
                .take(256)
                .collect::<String>()
        })
        .filter(|v| !v.trim().is_empty())
}

impl EntraIdentity {
    /// The identity in a JWT's payload; `None` for anything that is not a readable JWT.
    pub fn from_id_token(id_token: &str) -> Option<Self> {
        if id_token.len() > MAX_ID_TOKEN {
            return None;
        }
        let mut parts = id_token.split('.');
        let (_header, payload) = (parts.next()?, parts.next()?);
        let bytes = URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
        let claims: Claims = serde_json::from_slice(&bytes).ok()?;
        let tenant_id = claims
            .tid
            .filter(|t| !t.is_empty() && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
            .map(|t| TenantId::from(t.to_ascii_lowercase()));
        Some(Self {
            username: shown(claims.preferred_username),
            name: shown(claims.name),
            tenant_id,
        })
    }

    /// "NAME <username>", the username, or the name; `None` when neither is known.
    pub fn account(&self) -> Option<String> {
        match (&self.name, &self.username) {
            (Some(name), Some(user)) if name != user => Some(format!("{name} <{user}>")),
            (_, Some(user)) => Some(user.clone()),
            (Some(name), None) => Some(name.clone()),
            (None, None) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn jwt(claims: &str) -> String {
        format!(
            "{}.{}.c2ln",
            URL_SAFE_NO_PAD.encode(br#"{"alg":"RS256","typ":"JWT"}"#),
            URL_SAFE_NO_PAD.encode(claims)
        )
    }

    #[test]
    fn the_account_and_tenant_come_from_the_claims() {
        let identity = EntraIdentity::from_id_token(&jwt(
            r#"{"preferred_username":"admin@contoso.example","name":"Ada Admin","tid":"7E57A1D0-5A4D-4B0C-8000-00000000E1D0","oid":"x"}"#,
        ))
        .expect("an identity");
        assert_eq!(
            identity.tenant_id.as_deref(),
            Some("7e57a1d0-5a4d-4b0c-8000-00000000e1d0")
        );
        assert_eq!(
            identity.account().as_deref(),
            Some("Ada Admin <admin@contoso.example>")
        );
    }

    #[test]
    fn anything_else_is_no_identity() {
        for bad in ["", "x", "a.b.c", "a.!!!.c", &"a".repeat(70_000)] {
            assert_eq!(
                EntraIdentity::from_id_token(bad),
                None,
                "{}",
                &bad[..bad.len().min(10)]
            );
        }
        let odd = EntraIdentity::from_id_token(&jwt(r#"{"tid":"../evil","name":"a\u0007b"}"#)).expect("read");
        assert_eq!(odd.tenant_id, None, "a tenant ID that is not a GUID is not kept");
        assert_eq!(odd.name.as_deref(), Some("ab"));
    }
}
