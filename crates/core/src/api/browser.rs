//! The system browser, for sign-ins an embedded window cannot finish (Conditional Access that
//! wants a compliant device or the OS account, passkeys): opening a URL in it, and the commands
//! that open one in a private window instead. A normal window keeps the Webex redirect, token in
//! its address, in history (and history sync); a private one does not.

use url::Url;

use super::ApiError;

/// Opens `url` in the system's default browser (`$BROWSER` first, where it is set).
pub fn open_in_browser(url: &Url) -> Result<(), ApiError> {
    webbrowser::open(url.as_str()).map_err(|e| ApiError::Browser(e.to_string()))
}

/// The commands that open `url` in a private window of each common browser, quoted for a POSIX
/// shell or PowerShell alike (single quotes; a URL never holds one unescaped).
pub fn private_window_commands(url: &Url) -> Vec<String> {
    let quoted = format!("'{}'", url.as_str().replace('\'', "%27"));
    vec![
        format!("chromium --incognito {quoted}   (also google-chrome)"),
        format!("firefox --private-window {quoted}"),
        format!("msedge --inprivate {quoted}"),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_private_window_command_quotes_the_whole_address() {
        let url = Url::parse("https://idbroker.webex.com/idb/oauth2/v1/authorize?a=1&b=it's").unwrap();
        for command in private_window_commands(&url) {
            assert!(
                command.contains("'https://idbroker.webex.com/idb/oauth2/v1/authorize?a=1&b=it%27s'"),
                "{command}"
            );
        }
    }
}
