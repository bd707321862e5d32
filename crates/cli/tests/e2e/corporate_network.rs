//! A company network, end to end: the sandbox's Webex and Entra reached only under names that
//! only a proxy resolves (`webex.contoso.test`, `entra.contoso.test`), a proxy that inspects TLS
//! with a root of its own, and one that asks for a sign-in. The proxy is the system's: the
//! environment's `HTTPS_PROXY`/`HTTP_PROXY` on Linux, Windows' Internet Settings in Wine's
//! registry under Wine. The proxy's log proves each request went through it; loopback never does.

use std::sync::Arc;
use std::time::Duration;

use scim_token_test_support as support;
use serde_json::Value;
use support::corp_net::{CorpProxy, ProxyMode, TestRoot};
use support::{Home, Running, Sandbox, chromium_with, port_3000, wait_for_sign_in_url};

const WEBEX: &str = "webex.contoso.test";
const ENTRA: &str = "entra.contoso.test";

/// The port of a sandbox origin (`http://127.0.0.1:<port>/`).
fn port_of(base: &str) -> u16 {
    url::Url::parse(base).unwrap().port().unwrap()
}

/// The system's proxy, set the way the CLI under test reads it: the environment (Linux), or
/// Wine's registry (the Windows CLI), put back as it was when dropped.
struct SystemProxy {
    env: Vec<(String, String)>,
}

impl SystemProxy {
    fn set(proxy: &CorpProxy, pac: Option<&str>) -> Self {
        if support::under_wine() {
            let server = format!("127.0.0.1:{}", proxy.port);
            set_value("ProxyEnable", "REG_DWORD", "1");
            set_value("ProxyServer", "REG_SZ", &server);
            if let Some(pac) = pac {
                set_value("AutoConfigURL", "REG_SZ", pac);
            }
            Self { env: Vec::new() }
        } else {
            Self {
                env: vec![
                    ("HTTPS_PROXY".into(), proxy.url()),
                    ("HTTP_PROXY".into(), proxy.url()),
                    ("NO_PROXY".into(), String::new()),
                ],
            }
        }
    }

    fn apply<'c>(&self, command: &'c mut std::process::Command) -> &'c mut std::process::Command {
        // Any proxy variable of the machine's would beat or bend the one set here.
        for name in [
            "https_proxy",
            "http_proxy",
            "all_proxy",
            "no_proxy",
            "HTTPS_PROXY",
            "HTTP_PROXY",
            "ALL_PROXY",
            "NO_PROXY",
        ] {
            command.env_remove(name);
        }
        for (name, value) in &self.env {
            command.env(name, value);
        }
        command
    }
}

impl Drop for SystemProxy {
    fn drop(&mut self) {
        if support::under_wine() {
            set_value("ProxyEnable", "REG_DWORD", "0");
            for value in ["ProxyServer", "AutoConfigURL"] {
                let _ = wine_reg_status(&["delete", SETTINGS, "/v", value, "/f"]);
            }
        }
    }
}

const SETTINGS: &str = r"HKCU\Software\Microsoft\Windows\CurrentVersion\Internet Settings";

/// Sets one value of Wine's Internet Settings.
fn set_value(name: &str, kind: &str, data: &str) {
    wine_reg(&["add", SETTINGS, "/v", name, "/t", kind, "/d", data, "/f"]);
}

fn wine_reg_status(args: &[&str]) -> std::process::ExitStatus {
    let wine = std::env::var_os("SCIM_TOKEN_TEST_WINE").expect("the Wine loader");
    std::process::Command::new(wine)
        .arg("reg")
        .args(args)
        .env("WINEDEBUG", "-all")
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap()
}

fn wine_reg(args: &[&str]) {
    assert!(wine_reg_status(args).success(), "wine reg {args:?}");
}

fn run(home: &Home, proxy: &SystemProxy, args: &[&str], extra_env: &[(&str, &str)]) -> support::Output {
    let mut command = home.cli(args);
    proxy.apply(&mut command);
    for (name, value) in extra_env {
        command.env(name, value);
    }
    support::run_bounded(command, Duration::from_secs(120))
}

/// The row of doctor's `--json` report for the origin `url`.
fn host_in(report: &Value, url: &str) -> Value {
    report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["url"] == url)
        .unwrap_or_else(|| panic!("{url} not in {report:#}"))
        .clone()
}

/// No request for loopback reached the proxy.
fn assert_loopback_never_proxied(proxy: &CorpProxy) {
    let log = proxy.log();
    let host = |line: &str| {
        let target = line.split_whitespace().nth(1).unwrap_or_default();
        let authority = target.split("://").last().unwrap_or_default();
        let authority = authority.split('/').next().unwrap_or_default();
        authority
            .rsplit_once(':')
            .map_or(authority, |(host, _)| host)
            .to_owned()
    };
    let loopback = ["127.0.0.1", "localhost", "[::1]"];
    assert!(
        !log.iter().any(|line| loopback.contains(&host(line).as_str())),
        "{log:#?}"
    );
    assert!(log.iter().all(|line| !host(line).is_empty()), "{log:#?}");
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn the_webex_sign_in_and_test_connection_go_through_the_system_proxy() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&["--auto-approve", "admin@sandbox.example"]);
    let proxy = CorpProxy::start(
        ProxyMode::Open,
        &[(WEBEX, port_of(&sandbox.base))],
        Arc::new(TestRoot::new()),
    );
    let system = SystemProxy::set(&proxy, None);
    let home = Home::new();
    let broker = format!("http://{WEBEX}:{}/", port_of(&sandbox.base));
    let mut command = home.cli(&["login", "--broker", &broker, "--no-browser", "--timeout", "60"]);
    system.apply(&mut command);
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut login = Running::new(child);
    let url = wait_for_sign_in_url(&mut login);
    // The browser reaches the broker through the same proxy; the redirect to localhost:3000
    // goes direct, as Chromium never proxies loopback.
    let page = chromium_with(&url, &[&format!("--proxy-server={}", proxy.url())]);
    assert!(page.contains("Token captured"), "{page}");
    let out = login.finish(Duration::from_secs(90));
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let tenant_url = format!(
        "http://{WEBEX}:{}/identity/scim/{}/v2/",
        port_of(&sandbox.base),
        sandbox.org
    );
    assert!(out.stdout.contains(&tenant_url), "{}", out.stdout);
    // Who signed in came from the People API, through the proxy.
    let status = run(&home, &system, &["status", "--json"], &[]);
    assert!(
        status.stdout.contains("admin@sandbox.example"),
        "{}",
        status.stdout
    );

    let test = run(&home, &system, &["test"], &[]);
    assert_eq!(test.code(), Some(0), "{}\n{}", test.stdout, test.stderr);
    // doctor checks the stored Tenant URL's host through the proxy, reads the keyring to see it
    // unlocked, and shows no token.
    let token = run(&home, &system, &["token"], &[]).stdout.trim().to_owned();
    assert!(!token.is_empty());
    let doctor = run(&home, &system, &["doctor", "--json"], &[]);
    let report: Value =
        serde_json::from_str(&doctor.stdout).unwrap_or_else(|e| panic!("{e}: {}", doctor.stdout));
    let tenant_host = report["hosts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["needed_for"].to_string().contains("Tenant URL of org"))
        .unwrap_or_else(|| panic!("no Tenant URL host in {report:#}"))
        .clone();
    assert_eq!(tenant_host["http"]["ok"], true, "{tenant_host:#}");
    assert_eq!(tenant_host["route"], proxy.url());
    assert!(
        report["keyring"]["detail"]
            .as_str()
            .unwrap()
            .starts_with("reachable and unlocked"),
        "{report:#}"
    );
    for shown in [&doctor.stdout, &doctor.stderr] {
        assert!(!shown.contains(&token), "doctor showed the token");
    }
    let log = proxy.log();
    for expected in [
        format!("GET http://{WEBEX}:{}/v1/people/me", port_of(&sandbox.base)),
        format!("GET {tenant_url}Users?filter="),
    ] {
        assert!(
            log.iter().any(|line| line.starts_with(&expected)),
            "{expected} not in {log:#?}"
        );
    }
    assert_loopback_never_proxied(&proxy);

    // A proxy that asks for a sign-in is named as one.
    let asking = CorpProxy::start(ProxyMode::AsksForSignIn, &[], Arc::new(TestRoot::new()));
    let refused = run(&home, &system, &["--proxy", &asking.url(), "test"], &[]);
    assert_eq!(refused.code(), Some(1));
    assert!(
        refused.stderr.contains(&format!(
            "the proxy {} (from scim-token's proxy setting) asks for a sign-in (407 Proxy Authentication Required) to get to {WEBEX}",
            asking.url()
        )),
        "{}",
        refused.stderr
    );
    assert_eq!(asking.log().len(), 1, "{:?}", asking.log());
    run(&home, &system, &["forget"], &[]);
}

/// How the inspecting proxy's certificate is refused: Linux's verifier says its root is not
/// trusted; Windows' (under Wine) first fails to check its revocation, which words it names.
fn untrusted_words() -> String {
    let verdict = if support::under_wine() {
        "which this computer could not verify (whether it was revoked cannot be checked)"
    } else {
        "which this computer does not trust"
    };
    format!(
        "the certificate for {ENTRA} is issued by {} (Contoso IT), {verdict}",
        TestRoot::NAME
    )
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn doctor_names_the_proxy_an_untrusted_issuer_and_a_pac_file() {
    let _port = port_3000();
    let sandbox = Sandbox::start(&[]);
    let root = Arc::new(TestRoot::new());
    let proxy = CorpProxy::start(
        ProxyMode::Open,
        &[(ENTRA, port_of(&sandbox.entra_base))],
        root.clone(),
    );
    let pac = "http://wpad.contoso.test/proxy.pac";
    let system = SystemProxy::set(&proxy, Some(pac).filter(|_| support::under_wine()));
    let home = Home::new();
    let cloud = format!("https://{ENTRA}/");
    let doctor = run(
        &home,
        &system,
        &["doctor", "--json", "--cloud", &cloud, "--broker", &sandbox.base],
        &[],
    );
    assert_eq!(doctor.code(), Some(1), "{}", doctor.stderr);
    let report: Value = serde_json::from_str(&doctor.stdout).unwrap();
    let expected_source = if support::under_wine() {
        "Windows' proxy settings"
    } else {
        "the HTTPS_PROXY / HTTP_PROXY environment variables"
    };
    assert_eq!(report["proxy"]["source"], expected_source, "{report:#}");
    assert_eq!(report["proxy"]["https"], proxy.url());
    if support::under_wine() {
        let note = report["proxy"]["auto_config"].as_str().unwrap_or_default();
        assert!(
            note.contains(&format!(
                "a proxy auto-configuration script (PAC) at {pac}, which scim-token cannot run"
            )),
            "{report:#}"
        );
    }
    let host = |url: &str| host_in(&report, url);
    // The local Entra under its company name: reached through the tunnel, its certificate the
    // inspecting proxy's, which this computer does not trust.
    let entra = host(&cloud);
    assert_eq!(entra["route"], proxy.url());
    assert_eq!(entra["connect"]["ok"], true, "{entra:#}");
    let tls = entra["tls"]["detail"].as_str().unwrap();
    assert!(tls.starts_with(&untrusted_words()), "{tls}");
    assert!(
        tls.contains("— a TLS-inspecting proxy? Install your company's root certificate"),
        "{tls}"
    );
    // A host the proxy cannot resolve: the proxy's refusal, in words.
    let graph = host("https://graph.microsoft.com/");
    assert!(
        graph["connect"]["detail"]
            .as_str()
            .unwrap()
            .contains("would not connect to graph.microsoft.com (it answered 502)"),
        "{graph:#}"
    );
    assert_eq!(report["port_3000"]["ok"], true);
    // The sandbox on loopback goes direct, whatever the system's proxy.
    let local = host(&sandbox.base);
    assert_eq!(local["route"], "direct", "{local:#}");
    assert_eq!(local["http"]["ok"], true, "{local:#}");

    // The same failure on a real request: Entra's sign-in says who issued the certificate.
    let sign_in = run(
        &home,
        &system,
        &[
            "entra",
            "login",
            "--cloud",
            &cloud,
            "--device-code",
            "--timeout",
            "30",
        ],
        &[],
    );
    assert_eq!(sign_in.code(), Some(1));
    assert!(sign_in.stderr.contains(&untrusted_words()), "{}", sign_in.stderr);
    if support::under_wine() {
        return;
    }
    // With the company's root in this computer's store, the same host is trusted and answers.
    let trusted = run(
        &home,
        &system,
        &["doctor", "--json", "--cloud", &cloud],
        &[("SSL_CERT_FILE", root.pem().to_str().unwrap())],
    );
    let report: Value = serde_json::from_str(&trusted.stdout).unwrap();
    let entra = host_in(&report, &cloud);
    assert_eq!(entra["tls"]["ok"], true, "{entra:#}");
    assert_eq!(
        entra["tls"]["detail"],
        format!("issued by {} (Contoso IT) (trusted)", TestRoot::NAME)
    );
    assert_eq!(entra["http"]["ok"], true, "{entra:#}");
    assert!(
        proxy
            .log()
            .iter()
            .any(|line| line == &format!("CONNECT {ENTRA}:443")),
        "{:#?}",
        proxy.log()
    );
    assert_loopback_never_proxied(&proxy);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn the_entra_sign_in_and_graph_go_through_an_inspecting_proxy() {
    let sandbox = Sandbox::start(&[
        "--auto-approve",
        "admin@sandbox.example",
        "--entra-device-code-interval",
        "1",
    ]);
    let root = Arc::new(TestRoot::new());
    let proxy = CorpProxy::start(
        ProxyMode::Open,
        &[(ENTRA, port_of(&sandbox.entra_base))],
        root.clone(),
    );
    let system = SystemProxy::set(&proxy, None);
    let home = Home::new();
    let cloud = format!("https://{ENTRA}/");
    let trust = [("SSL_CERT_FILE", root.pem().to_str().unwrap())];
    let mut command = home.cli(&[
        "entra",
        "login",
        "--cloud",
        &cloud,
        "--device-code",
        "--timeout",
        "60",
    ]);
    system.apply(&mut command).env(trust[0].0, trust[0].1);
    let child = command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut login = Running::new(child);
    let code = super::entra_device_code::user_code(&mut login, Duration::from_secs(60));
    // The admin types the code on another device, which reaches the local Entra directly.
    let page = super::entra_device_code::type_code(&sandbox, &code, "approve");
    assert!(page.contains("You have signed in"), "{page}");
    let out = login.finish(Duration::from_secs(90));
    assert_eq!(out.code(), Some(0), "{}", out.stderr);
    let apps = run(&home, &system, &["entra", "apps"], &trust);
    assert_eq!(apps.code(), Some(0), "{}", apps.stderr);
    assert!(apps.stdout.contains("Cisco Webex"), "{}", apps.stdout);
    let log = proxy.log();
    let tunnels = log
        .iter()
        .filter(|line| *line == &format!("CONNECT {ENTRA}:443"))
        .count();
    assert!(
        tunnels >= 2,
        "the token endpoint and Graph, each through a tunnel: {log:#?}"
    );
    assert_loopback_never_proxied(&proxy);
    run(&home, &system, &["entra", "logout"], &trust);
}

#[test]
#[ignore = "full tier: end to end in scripts/world (keyring, Chromium); scripts/test runs it"]
fn a_proxy_password_is_sent_and_never_shown() {
    let sandbox = Sandbox::start(&[]);
    let root = Arc::new(TestRoot::new());
    let (user, password) = ("alice", "p@ss word");
    let proxy = CorpProxy::start(
        ProxyMode::Basic(user.into(), password.into()),
        &[(ENTRA, port_of(&sandbox.entra_base))],
        root.clone(),
    );
    let home = Home::new();
    let cloud = format!("https://{ENTRA}/");
    let address = format!("http://{user}:p%40ss%20word@127.0.0.1:{}", proxy.port);
    let env = [
        ("HTTPS_PROXY", address.as_str()),
        ("SSL_CERT_FILE", root.pem().to_str().unwrap()),
    ];
    let no_system = SystemProxy { env: Vec::new() };
    let doctor = run(&home, &no_system, &["doctor", "--json", "--cloud", &cloud], &env);
    let report: Value =
        serde_json::from_str(&doctor.stdout).unwrap_or_else(|e| panic!("{e}: {}", doctor.stdout));
    let entra = host_in(&report, &cloud);
    // Its own tunnel (the issuer's check) and the HTTP client both sent the password.
    assert_eq!(entra["connect"]["ok"], true, "{entra:#}");
    assert_eq!(entra["tls"]["ok"], true, "{entra:#}");
    assert_eq!(entra["http"]["ok"], true, "{entra:#}");
    assert_eq!(
        report["proxy"]["https"],
        format!("http://{user}:***@127.0.0.1:{}", proxy.port)
    );
    for shown in [&doctor.stdout, &doctor.stderr] {
        assert!(!shown.contains("p@ss") && !shown.contains("p%40ss"), "{shown}");
    }
    // A mistyped address with a password is refused without showing it.
    let refused = run(
        &home,
        &no_system,
        &["--proxy", "ftp://alice:p@ss@proxy:21", "proxy"],
        &[],
    );
    assert_eq!(refused.code(), Some(2));
    assert!(
        refused.stderr.contains("ftp://***@proxy:21") && !refused.stderr.contains("p@ss"),
        "{}",
        refused.stderr
    );
    // Nor is it ever written to the setting file.
    let kept = run(&home, &no_system, &["proxy", "set", &address], &[]);
    assert_eq!(kept.code(), Some(1));
    assert!(
        kept.stderr.contains("a proxy password is not saved in a file"),
        "{}",
        kept.stderr
    );
    assert!(!home.config_dir().join("scim-token").join("network.json").exists());
    let log = proxy.log();
    assert!(
        log.iter().any(|line| line == &format!("CONNECT {ENTRA}:443")),
        "{log:#?}"
    );
}
