//! Driving the desktop app: tauri-driver (with its WebKitWebDriver in a process group of its own)
//! and a WebDriver session with the app. Shared by `src-tauri/tests/desktop_e2e.rs` and the screenshots tool.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub struct Driver {
    child: Child,
    port: u16,
}

impl Drop for Driver {
    /// Ends tauri-driver and the WebKitWebDriver it started (its own process group).
    fn drop(&mut self) {
        let group = format!("-{}", self.child.id());
        let _ = Command::new("kill").args(["-TERM", "--", &group]).status();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A new directory under `$XDG_CONFIG_HOME` (or the temp dir) for one launch's records.
pub fn fresh_config_dir() -> std::path::PathBuf {
    static LAUNCHES: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let root = std::env::var_os("XDG_CONFIG_HOME").map_or_else(std::env::temp_dir, Into::into);
    let n = LAUNCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = root.join(format!("scim-token-launch-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn tauri_driver(env: &[(&str, &str)]) -> Driver {
    let port = free_port();
    let native = free_port();
    let child = Command::new("tauri-driver")
        .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        // Each launch keeps its token records apart (inside the world's config dir, which the
        // secret-hygiene scans search), so no test sees another's tokens; a test may name its
        // own (prepared beforehand) in `env`.
        .env("SCIM_TOKEN_CONFIG_DIR", fresh_config_dir())
        .envs(env.iter().copied())
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver (scripts/test installs it with `cargo install tauri-driver --locked`)");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "tauri-driver did not open port {port}");
        std::thread::sleep(Duration::from_millis(50));
    }
    Driver { child, port }
}

/// Whether an instance of the app under test is still running (e.g. one the last test closed but
/// that has not finished exiting). A new launch would hand over to it and exit.
pub fn app_running(app: &str) -> bool {
    std::fs::read_dir("/proc")
        .into_iter()
        .flatten()
        .flatten()
        .any(|entry| {
            std::fs::read(entry.path().join("cmdline"))
                .map(|cmdline| cmdline.split(|b| *b == 0).next() == Some(app.as_bytes()))
                .unwrap_or(false)
        })
}

/// Starts tauri-driver and the app with `args`, waiting for any earlier instance to exit first.
/// WebKitWebDriver occasionally never answers a new session; such an attempt is abandoned (driver
/// and app ended) and retried, at most three times.
pub async fn launch(app: &str, args: &[&str]) -> (Driver, Client) {
    launch_with_env(app, args, &[]).await
}

/// The same, with `env` set for the app (e.g. `BROWSER`, the "default browser" it opens).
pub async fn launch_with_env(app: &str, args: &[&str], env: &[(&str, &str)]) -> (Driver, Client) {
    for attempt in 1..=3 {
        let deadline = Instant::now() + Duration::from_secs(20);
        while app_running(app) {
            assert!(
                Instant::now() < deadline,
                "an earlier instance of the app never exited"
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let driver = tauri_driver(env);
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), json!({"application": app, "args": args}));
        let url = format!("http://127.0.0.1:{}", driver.port);
        let mut builder = ClientBuilder::rustls().expect("rustls client");
        builder.capabilities(caps);
        match tokio::time::timeout(Duration::from_secs(20), builder.connect(&url)).await {
            Ok(Ok(client)) => return (driver, client),
            Ok(Err(e)) => eprintln!("attempt {attempt}: no WebDriver session: {e}"),
            Err(_) => eprintln!("attempt {attempt}: no WebDriver session within 20 s"),
        }
        drop(driver);
        kill_app(app);
    }
    panic!("the app could not be started under tauri-driver in three attempts");
}

/// Ends any instance of the app under test.
fn kill_app(app: &str) {
    let _ = Command::new("pkill").args(["-KILL", "-f", app]).status();
}

pub async fn wait_text(client: &Client, css: &str, want: impl Fn(&str) -> bool, limit: Duration) -> String {
    let deadline = Instant::now() + limit;
    let mut last = String::new();
    while Instant::now() < deadline {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            last = element.text().await.unwrap_or_default();
            if want(&last) {
                return last;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // What the page says besides, so a failure shows why: the error box and both status lines.
    let mut besides = Vec::new();
    for other in ["#error", "#sign-in-status", "#entra-status"] {
        if let Ok(element) = client.find(Locator::Css(other)).await {
            besides.push(format!("{other}: {:?}", element.text().await.unwrap_or_default()));
        }
    }
    panic!("{css} never matched; last text: {last:?}; {}", besides.join("; "));
}

/// Waits until a Webex sign-in the page started has ended there: its card shows a Tenant URL and
/// the sign-in panel has closed, so nothing moves under the next click (the card can appear a
/// moment before the panel closes). Returns the Tenant URL.
pub async fn signed_in(client: &Client, limit: Duration) -> String {
    let url = wait_text(
        client,
        ".card .tenant-url",
        |t| t.contains("/identity/scim/"),
        limit,
    )
    .await;
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let shown = match client.find(Locator::Css("#sign-in-panel")).await {
            Ok(panel) => panel.is_displayed().await.unwrap_or(true),
            Err(_) => false,
        };
        if !shown {
            return url;
        }
        assert!(
            Instant::now() < deadline,
            "the sign-in panel stayed open after the card appeared"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Clicks the first element matching `css`.
/// Waits until the app's sandbox runs (its panel shows both origins; the app starts it in the
/// background) and returns its Tenant URL and the local Entra's base.
pub async fn sandbox_running(client: &Client) -> (String, String) {
    let tenant = wait_text(
        client,
        "#sandbox-tenant",
        |t| t.contains("/identity/scim/"),
        Duration::from_secs(20),
    )
    .await;
    // Both are written by the same redraw.
    let entra_base = wait_text(
        client,
        "#sandbox-entra",
        |t| t.starts_with("http://127.0.0.1:"),
        Duration::from_secs(5),
    )
    .await;
    (tenant, entra_base)
}

/// The `value` of the element at `css` (a select's chosen option, an input's text).
pub async fn value_of(client: &Client, css: &str) -> Option<String> {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .prop("value")
        .await
        .unwrap()
}

/// Clicks the element at `css`. The window redraws its cards when anything changes, so an element
/// found may be gone by the time it is clicked: it is then found again (at most 5 times).
pub async fn click(client: &Client, css: &str) {
    for _ in 0..5 {
        let element = client
            .find(Locator::Css(css))
            .await
            .unwrap_or_else(|e| panic!("{css}: {e}"));
        match element.click().await {
            Ok(()) => return,
            Err(fantoccini::error::CmdError::Standard(e))
                if e.error == fantoccini::error::ErrorStatus::StaleElementReference =>
            {
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
            Err(e) => panic!("{css}: {e}"),
        }
    }
    panic!("{css} was redrawn under every click");
}

/// In the app with its sandbox: links the card's token to the local Entra's Cisco Webex job
/// (Entra signed in already): pick, choose, link, and wait for the job under the card. Returns
/// the job as the choice named it.
pub async fn link_to_the_webex_job(client: &Client) -> String {
    click(client, ".card .entra-pick").await;
    let choice = wait_text(
        client,
        ".card .entra-choice",
        |t| t.contains("Cisco Webex"),
        Duration::from_secs(30),
    )
    .await;
    click(client, ".card .entra-link").await;
    wait_text(
        client,
        ".card .entra-jobs",
        |t| t.contains("Cisco Webex"),
        Duration::from_secs(30),
    )
    .await;
    choice
}

/// Starts a push (or "Renew and push") with `button` and waits for the plan a first push shows.
pub async fn plan_of_first_push(client: &Client, button: &str) -> String {
    click(client, button).await;
    if button.ends_with("renew-push") {
        click(client, "#start-sign-in").await;
    }
    wait_text(
        client,
        ".card .entra-plan-text",
        |t| t.contains("Would change"),
        Duration::from_secs(45),
    )
    .await
}
