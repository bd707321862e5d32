//! A type per Entra identifier, so an app's ID can never be passed where a job's is expected:
//! each is the text Graph or the identity platform uses, serialized as that text.

use serde::{Deserialize, Serialize};

macro_rules! entra_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        #[cfg_attr(feature = "specta", derive(specta::Type), specta(transparent))]
        pub struct $name(String);

        impl $name {
            /// The identifier as Graph writes it.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<String> for $name {
            fn from(text: String) -> Self {
                Self(text)
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;
            fn from_str(text: &str) -> Result<Self, Self::Err> {
                Ok(Self(text.to_owned()))
            }
        }

        impl From<&str> for $name {
            fn from(text: &str) -> Self {
                Self(text.to_owned())
            }
        }

        impl std::ops::Deref for $name {
            type Target = str;
            fn deref(&self) -> &str {
                &self.0
            }
        }

        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }
    };
}

entra_id!(
    /// An enterprise app: its service principal's object ID (what Graph's paths take).
    AppId
);
entra_id!(
    /// A provisioning (synchronization) job's ID.
    JobId
);
entra_id!(
    /// A directory's tenant ID (a GUID), as the `id_token`'s `tid` names it.
    TenantId
);
entra_id!(
    /// Where a sign-in goes: a tenant ID, a verified domain, `organizations` or `common`.
    Tenant
);
entra_id!(
    /// A public client's application (client) ID.
    ClientId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_is_its_text_on_the_wire() {
        let job = JobId::from("Webex.abc");
        assert_eq!(serde_json::to_string(&job).unwrap(), "\"Webex.abc\"");
        let back: JobId = serde_json::from_str("\"Webex.abc\"").unwrap();
        assert_eq!(back, job);
        assert_eq!(job.to_string(), "Webex.abc");
    }
}
