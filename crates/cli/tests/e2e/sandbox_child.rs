//! The sandbox as the desktop app runs it: this `scim-token` binary started by core's
//! `SandboxChild`, its origins announced, its Tenant URL and request log read over HTTP, and the
//! child gone when its parent closes the pipe or dies (loopback only: fast tier).

use std::path::Path;
use std::time::Duration;

use scim_token_core::sandbox_child::{SandboxChild, SandboxChildError, SandboxOrigin, SandboxSettings};

const CLI: &str = env!("CARGO_BIN_EXE_scim-token");

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// Whether anything accepts connections at `url`'s host and port.
fn listening(url: &url::Url) -> bool {
    let address = url.socket_addrs(|| None).unwrap()[0];
    std::net::TcpStream::connect_timeout(&address, Duration::from_millis(500)).is_ok()
}

#[test]
fn the_child_announces_both_origins_serves_its_log_and_stops_when_its_pipe_closes() {
    runtime().block_on(async {
        let settings = SandboxSettings {
            seed_users: 3,
            ..SandboxSettings::default()
        };
        let child = SandboxChild::start(Path::new(CLI), &settings).await.unwrap();
        let origins = child.origins().clone();
        assert_eq!(origins.base.host_str(), Some("127.0.0.1"));
        assert_ne!(origins.base.port(), origins.entra_base.port());
        assert!(
            origins.tenant_url.as_str().starts_with(origins.base.as_str())
                && origins.tenant_url.path().starts_with("/identity/scim/"),
            "{}",
            origins.tenant_url
        );
        // A request at each origin, without credentials: both are refused, and both are logged
        // with their origin.
        let scim_users = origins.tenant_url.join("Users").unwrap();
        let graph = origins.entra_base.join("v1.0/servicePrincipals").unwrap();
        for url in [&scim_users, &graph] {
            let status = reqwest::get(url.clone()).await.unwrap().status();
            assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED, "{url}");
        }
        let log = origins.log().await.unwrap();
        let logged = |origin, path: &str| {
            log.iter()
                .any(|r| r.origin == origin && r.method == "GET" && r.path == path && r.status == 401)
        };
        assert!(logged(SandboxOrigin::Webex, scim_users.path()), "{log:?}");
        assert!(logged(SandboxOrigin::Entra, graph.path()), "{log:?}");
        let status = child
            .stop()
            .await
            .expect("it ends on its own once its stdin closes");
        assert!(status.success(), "{status}");
        assert!(!listening(&origins.base) && !listening(&origins.entra_base));
    });
}

#[test]
fn a_child_that_cannot_start_says_why() {
    runtime().block_on(async {
        let settings = SandboxSettings {
            auto_approve: Some("nobody@nowhere.example".into()),
            ..SandboxSettings::default()
        };
        let err = SandboxChild::start(Path::new(CLI), &settings).await.unwrap_err();
        match &err {
            SandboxChildError::EndedEarly { stderr, .. } => {
                assert!(
                    stderr.iter().any(|l| l.contains("no such sandbox account")),
                    "{err}"
                )
            }
            other => panic!("expected EndedEarly, got {other:?}"),
        }
    });
}

/// A parent that dies: Unix signals and a `sleep` to play the app.
#[cfg(unix)]
mod parent_killed {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    use super::{CLI, listening};

    fn wait_until_closed(url: &url::Url, within: Duration) -> bool {
        let deadline = Instant::now() + within;
        while Instant::now() < deadline {
            if !listening(url) {
                return true;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        false
    }

    /// The pipe's writing end dies with its holder, whatever kills it: here a `sleep` stands in for
    /// the app and is killed with SIGKILL (no handler runs, as in a crash).
    #[test]
    fn the_child_stops_when_its_parent_is_killed() {
        let mut parent = Command::new("sleep")
            .arg("600")
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let pipe = parent.stdout.take().unwrap();
        let mut sandbox = Ended(
            Command::new(CLI)
                .args(["sandbox", "--port", "0", "--json", "--until-stdin-closes"])
                .stdin(pipe)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let sandbox = &mut sandbox.0;
        let mut line = String::new();
        std::io::BufReader::new(sandbox.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let announced: serde_json::Value = serde_json::from_str(&line).unwrap();
        let base = url::Url::parse(announced["base"].as_str().unwrap()).unwrap();
        assert!(listening(&base));

        parent.kill().unwrap();
        parent.wait().unwrap();
        assert!(
            wait_until_closed(&base, Duration::from_secs(10)),
            "the sandbox outlived its parent"
        );
        let deadline = Instant::now() + Duration::from_secs(10);
        while sandbox.try_wait().unwrap().is_none() {
            assert!(Instant::now() < deadline, "the sandbox process is still running");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Kills the process when the test ends, passed or failed.
    struct Ended(std::process::Child);

    impl Drop for Ended {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}
