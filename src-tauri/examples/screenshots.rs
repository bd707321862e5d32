//! Takes the README's screenshots of the real app under Xvfb: `scripts/screenshots`.
//! `cargo run -p scim-token-desktop --example screenshots -- <app binary> <output dir>`

#![allow(missing_docs, clippy::print_stdout)]

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

struct Killed(Child);

impl Drop for Killed {
    /// Ends tauri-driver and the WebKitWebDriver it started (its own process group).
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", "--", &format!("-{}", self.0.id())])
            .status();
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn session(app: &Path, args: &[&str]) -> (Killed, Client) {
    let (port, native) = (free_port(), free_port());
    let driver = Command::new("tauri-driver")
        .args(["--port", &port.to_string(), "--native-port", &native.to_string()])
        .process_group(0)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("tauri-driver");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut caps = serde_json::Map::new();
    caps.insert("tauri:options".into(), json!({"application": app, "args": args}));
    let client = ClientBuilder::rustls()
        .unwrap()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a session");
    (Killed(driver), client)
}

async fn wait_for(client: &Client, css: &str) {
    let deadline = Instant::now() + Duration::from_secs(30);
    while client.find(Locator::Css(css)).await.is_err() {
        assert!(Instant::now() < deadline, "{css} never appeared");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn save(client: &Client, path: PathBuf) {
    std::fs::write(&path, client.screenshot().await.unwrap()).unwrap();
    println!("wrote {}", path.display());
}

#[tokio::main]
async fn main() {
    let mut args = std::env::args().skip(1);
    let app = PathBuf::from(args.next().expect("app binary"));
    let out = PathBuf::from(args.next().expect("output dir"));

    // The sign-in window (incognito, so outside WebDriver's reach): capture the whole display.
    let (_driver, client) = session(&app, &["--sandbox", "--sandbox-port", "0"]).await;
    wait_for(&client, "#sandbox-tenant").await;
    client
        .find(Locator::Css("#get-token"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("#email"))
        .await
        .unwrap()
        .send_keys("admin@sandbox.example")
        .await
        .unwrap();
    client
        .find(Locator::Css("#start-login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let display = std::env::var("DISPLAY").expect("an X display");
    let login = out.join("login.png");
    let status = Command::new("import")
        .args(["-display", &display, "-window", "root"])
        .arg(&login)
        .status()
        .unwrap();
    assert!(status.success());
    println!("wrote {}", login.display());
    client.close().await.unwrap();
    drop(_driver);

    // The dashboard and the Azure hand-off, after a sign-in against the auto-approving sandbox.
    let (_driver, client) = session(
        &app,
        &[
            "--sandbox-auto-approve",
            "admin@sandbox.example",
            "--sandbox-port",
            "0",
        ],
    )
    .await;
    wait_for(&client, "#sandbox-tenant").await;
    client
        .find(Locator::Css("#get-token"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    client
        .find(Locator::Css("#start-login"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&client, ".card").await;
    client
        .find(Locator::Css(".card .test"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_secs(2)).await;
    save(&client, out.join("dashboard.png")).await;
    client.execute("document.querySelector('.card details').open = true; document.querySelector('.card .azure').scrollIntoView();", vec![]).await.unwrap();
    client
        .find(Locator::Css(".card .copy-url"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(500)).await;
    save(&client, out.join("azure.png")).await;
    client.close().await.unwrap();
}
