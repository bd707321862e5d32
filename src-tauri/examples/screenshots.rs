//! Takes the README's screenshots of the real app under Xvfb: `scripts/screenshots`.
//! `cargo run -p scim-token-desktop --example screenshots -- <app binary> <output dir>`

#![allow(missing_docs, clippy::print_stdout, clippy::print_stderr)]

// Linux only: it drives processes under Xvfb, /proc and process groups.
#[cfg(unix)]
mod tool {
    use scim_token_test_support::desktop;

    use std::path::PathBuf;
    use std::process::Command;
    use std::time::Duration;

    use desktop::{click, launch, launch_with_env, wait_text};
    use fantoccini::{Client, Locator};
    use scim_token_test_support::corp_net::{CorpProxy, ProxyMode, TestRoot};

    /// Waits until `css` is on the page.
    async fn wait_for(client: &Client, css: &str) {
        wait_text(client, css, |_| true, Duration::from_secs(30)).await;
    }

    async fn save(client: &Client, path: PathBuf) {
        std::fs::write(&path, client.screenshot().await.unwrap()).unwrap();
        println!("wrote {}", path.display());
    }

    #[tokio::main]
    pub(crate) async fn main() {
        let mut args = std::env::args().skip(1);
        let app = args.next().expect("app binary");
        let out = PathBuf::from(args.next().expect("output dir"));

        // The sign-in window (incognito, so outside WebDriver's reach): capture the whole display.
        let (_driver, client) = launch(&app, &["--sandbox", "--sandbox-port", "0"]).await;
        wait_for(&client, "#sandbox-tenant").await;
        click(&client, "#get-token").await;
        client
            .find(Locator::Css("#email"))
            .await
            .unwrap()
            .send_keys("admin@sandbox.example")
            .await
            .unwrap();
        click(&client, "#start-sign-in").await;
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
        // Behind a company proxy (the admin's choice, kept beside the records) that reaches
        // nothing but this machine, as the network panel's check will show.
        let proxy = CorpProxy::start(ProxyMode::Open, &[], std::sync::Arc::new(TestRoot::new()));
        let config = desktop::fresh_config_dir();
        scim_token_core::net::setting::save(&config, &proxy.url().parse().unwrap()).unwrap();
        let (_driver, client) = launch_with_env(
            &app,
            &[
                "--sandbox-auto-approve",
                "admin@sandbox.example",
                "--sandbox-port",
                "0",
                "--sandbox-entra-cycle",
                "2",
            ],
            &[("SCIM_TOKEN_CONFIG_DIR", config.to_str().unwrap())],
        )
        .await;
        wait_for(&client, "#sandbox-tenant").await;
        click(&client, "#get-token").await;
        click(&client, "#start-sign-in").await;
        wait_for(&client, ".card").await;
        click(&client, ".card .test").await;
        tokio::time::sleep(Duration::from_secs(2)).await;
        save(&client, out.join("dashboard.png")).await;
        client.execute("document.querySelector('.card details').open = true; document.querySelector('.card .azure').scrollIntoView();", vec![]).await.unwrap();
        click(&client, ".card .copy-url").await;
        tokio::time::sleep(Duration::from_millis(500)).await;
        save(&client, out.join("azure.png")).await;

        // The Entra loop: signed in to the local Entra, linked, pushed, the job Active.
        client.execute("window.scrollTo(0, 0);", vec![]).await.unwrap();
        // A script click: after the scroll back to the top, WebKitWebDriver's pointer click can land
        // before the page has settled and miss the button.
        client
            .execute("document.querySelector('#entra-sign-in').click();", vec![])
            .await
            .unwrap();
        wait_text(
            &client,
            "#entra-session",
            |t| t.contains("Signed in"),
            Duration::from_secs(30),
        )
        .await;
        desktop::link_to_the_webex_job(&client).await;
        // The first push to the link shows its plan (from a dry run) and asks.
        desktop::plan_of_first_push(&client, ".card .push").await;
        client
            .execute("document.querySelector('.card details').open = false; document.querySelector('.card .entra').scrollIntoView({block: 'center'});", vec![])
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        save(&client, out.join("entra-plan.png")).await;
        click(&client, ".card .entra-plan-confirm").await;
        wait_text(
            &client,
            ".card .entra-result",
            |t| t.contains("Cisco Webex:"),
            Duration::from_secs(30),
        )
        .await;
        for _ in 0..30 {
            tokio::time::sleep(Duration::from_secs(1)).await;
            click(&client, ".card .entra-refresh").await;
            tokio::time::sleep(Duration::from_millis(700)).await;
            let line = client
                .find(Locator::Css(".card .entra-jobs"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            if line.contains("users in sync") {
                break;
            }
        }
        client
            .execute("document.querySelector('.card details').open = false; document.querySelector('.card .entra').scrollIntoView({block: 'center'});", vec![])
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        save(&client, out.join("entra.png")).await;

        // The network panel's check: the Tenant URL and the local Entra on this machine answer;
        // Webex's and Microsoft's hosts are refused by the proxy, each in words.
        client
            .execute("document.querySelector('#check-network').click();", vec![])
            .await
            .unwrap();
        wait_text(
            &client,
            "#network-report",
            |t| t.contains("Clock:"),
            Duration::from_secs(60),
        )
        .await;
        client
            .execute(
                "document.querySelector('#network-panel').scrollIntoView();",
                vec![],
            )
            .await
            .unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
        save(&client, out.join("network.png")).await;
        client.close().await.unwrap();
    }
}

#[cfg(unix)]
fn main() {
    tool::main();
}

#[cfg(not(unix))]
fn main() {
    eprintln!("this tool runs on Linux only (Xvfb, /proc, process groups)");
    std::process::exit(1);
}
