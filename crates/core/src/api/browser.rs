//! The system browser, for sign-ins an embedded window cannot finish (Conditional Access that
//! wants a compliant device or the OS account, passkeys): opening a URL in it, and the commands
//! that open one in a private window instead. A normal window keeps the Webex redirect, token in
//! its address, in history (and history sync); a private one does not.

use url::Url;

use super::ApiError;
use super::launch_page::LaunchPage;

/// Opens the sign-in at `url` in the system's default browser (`$BROWSER` first, where it is
/// set), by way of a page only this user can read ([`LaunchPage`]), so that the URL is on no
/// command line. Keep the page until the sign-in ends.
pub fn open_in_browser(url: &Url) -> Result<LaunchPage, ApiError> {
    let page = LaunchPage::write(url).map_err(|e| {
        ApiError::Browser(format!(
            "could not write the page that opens the sign-in ({e}); open the link yourself"
        ))
    })?;
    webbrowser::open(page.file_url().as_str()).map_err(|e| ApiError::Browser(e.to_string()))?;
    Ok(page)
}

/// The commands that open `url` in a private window of each common browser, as this system's
/// shell takes them (nothing here runs them).
pub fn private_window_commands(url: &Url) -> Vec<String> {
    private_window_commands_for(std::env::consts::OS, url)
}

/// The same for `os` (`linux`, `windows`, `macos`, …): POSIX shells quote with `'`, PowerShell
/// too; the URL's own `'` is percent-encoded so no quote can end early.
fn private_window_commands_for(os: &str, url: &Url) -> Vec<String> {
    let quoted = format!("'{}'", url.as_str().replace('\'', "%27"));
    match os {
        "windows" => vec![
            format!("Start-Process msedge -ArgumentList '--inprivate', {quoted}"),
            format!("Start-Process chrome -ArgumentList '--incognito', {quoted}"),
            format!("Start-Process firefox -ArgumentList '-private-window', {quoted}"),
        ],
        "macos" => vec![
            format!("open -na 'Google Chrome' --args --incognito {quoted}"),
            format!("open -na 'Microsoft Edge' --args --inprivate {quoted}"),
            format!("open -na Firefox --args -private-window {quoted}"),
        ],
        _ => vec![
            format!("chromium --incognito {quoted}"),
            format!("google-chrome --incognito {quoted}"),
            format!("firefox --private-window {quoted}"),
            format!("microsoft-edge --inprivate {quoted}"),
        ],
    }
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
