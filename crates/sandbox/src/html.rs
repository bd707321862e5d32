//! HTML helpers shared by the sandbox's pages (the Webex broker's and the local Entra's): every
//! page is self-contained, and every value put into one is escaped here.

use serde::Deserialize;

pub(crate) use scim_token_core::markup::escape;

/// What a sign-in page's form posts back: the request it was shown for (`P`, its hidden
/// fields) and the account, password and button. One shape for every sign-in page.
#[derive(Debug, Deserialize)]
pub(crate) struct SignInForm<P> {
    #[serde(flatten)]
    pub(crate) params: P,
    #[serde(default)]
    pub(crate) email: String,
    #[serde(default)]
    pub(crate) password: String,
    #[serde(default)]
    pub(crate) action: String,
}

/// Hidden fields for each `(name, value)`, and `state` when the request had one.
pub(crate) fn hidden_fields(fields: &[(&str, &str)], state: Option<&str>) -> String {
    fields
        .iter()
        .map(|(name, value)| hidden(name, value))
        .chain(state.map(|s| hidden("state", s)))
        .collect()
}

/// A hidden form field carrying `value`.
pub(crate) fn hidden(name: &str, value: &str) -> String {
    format!(
        "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
        escape(name),
        escape(value)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markup_in_values_stays_text() {
        assert_eq!(
            hidden("state", "\"><script>x</script>&'"),
            "<input type=\"hidden\" name=\"state\" value=\"&quot;&gt;&lt;script&gt;x&lt;/script&gt;&amp;&#39;\">"
        );
        assert_eq!(
            hidden_fields(&[("a", "1")], Some("s")),
            "<input type=\"hidden\" name=\"a\" value=\"1\"><input type=\"hidden\" name=\"state\" value=\"s\">"
        );
    }
}
