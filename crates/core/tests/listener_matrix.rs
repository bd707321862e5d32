//! The listener under hostile input, over real sockets: every case gets a clear answer, nothing
//! panics, the real capture still succeeds afterwards, and the port is released.
//! Prints a one-line summary of what was tried (`cargo test -- --nocapture` shows it).

#![allow(clippy::print_stderr, missing_docs)]

use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use reqwest::StatusCode;
use reqwest::header::{HOST, ORIGIN};
use scim_token_core::listener::{Listener, ListenerConfig, ListenerError};
use scim_token_core::{AuthorizeRequest, Broker, BrokerId, PendingLogin};
use time::OffsetDateTime;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

const STATE: &str = "matrix-state-7f3a9c";
const TOKEN: &str = "bWF0cml4dG9rZW4_PF84_1eb65fdf-9643-417f-9974-ad72cae0e10f";
/// Forged callbacks sent at once while the real one arrives.
const FORGED: usize = 1_000;
/// Slow clients holding connections open, more than the listener serves at once.
const SLOW_CLIENTS: usize = 80;

fn pending() -> PendingLogin {
    AuthorizeRequest::new(Broker::resolve(&BrokerId::Webex))
        .with_state_for_tests(STATE)
        .start(OffsetDateTime::now_utc())
}

async fn start() -> (Listener, String, SocketAddr) {
    let listener = Listener::bind(
        pending(),
        ListenerConfig {
            addrs: vec![SocketAddr::from((Ipv4Addr::LOCALHOST, 0))],
            timeout: Duration::from_secs(90),
        },
    )
    .await
    .unwrap();
    let addr = listener.local_addrs()[0];
    (listener, format!("http://{addr}"), addr)
}

fn real() -> String {
    format!("access_token={TOKEN}&token_type=Bearer&expires_in=3887999&state={STATE}")
}

async fn post(client: &reqwest::Client, base: &str, body: impl Into<reqwest::Body>) -> (StatusCode, String) {
    let response = client
        .post(format!("{base}/auth/code"))
        .header(ORIGIN, base)
        .body(body)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.text().await.unwrap_or_default())
}

/// Sends raw bytes and returns what came back before the server closed (or `limit` passed).
async fn raw(addr: SocketAddr, request: &[u8], limit: Duration) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let _ = stream.write_all(request).await;
    let mut answer = Vec::new();
    let _ = tokio::time::timeout(limit, stream.read_to_end(&mut answer)).await;
    String::from_utf8_lossy(&answer).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "full tier: a bounded load and fault test (80 slow clients, 1,000 forged callbacks); scripts/test runs it"]
async fn hostile_callbacks_leave_the_real_capture_intact() {
    let (listener, base, addr) = start().await;
    let client = reqwest::Client::new();
    let mut cases = 0;

    // Malformed callbacks: each rejected in words, none ends the login.
    for (body, expect) in [
        ("access_token=x&state=wrong".to_owned(), "does not match"),
        (format!("access_token={TOKEN}&token_type=Bearer"), "state"),
        (format!("{}&state={STATE}", real()), "more than once"),
        ("error=access_denied&state=wrong".to_owned(), "does not match"),
        (String::new(), "empty"),
        ("%ZZ%%&&==".to_owned(), "state"),
    ] {
        let (status, text) = post(&client, &base, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {text}");
        assert!(text.contains(expect), "{body}: {text}");
        assert!(!text.contains(TOKEN), "a rejection echoed the token");
        cases += 1;
    }

    // 100 KB and 10 MB bodies, and a 10 MB Content-Length with no body: 413 at once, without
    // reading 10 MB first (the sender may then see its connection closed mid-body).
    for (size, send) in [
        (100 * 1024, true),
        (10 * 1024 * 1024, true),
        (10 * 1024 * 1024, false),
    ] {
        let mut request = format!(
            "POST /auth/code HTTP/1.1\r\nHost: {addr}\r\nOrigin: {base}\r\nContent-Length: {size}\r\n\r\n"
        )
        .into_bytes();
        if send {
            request.resize(request.len() + size, b'a');
        }
        let answer = raw(addr, &request, Duration::from_secs(10)).await;
        assert!(answer.starts_with("HTTP/1.1 413"), "{size} bytes: {answer}");
        cases += 1;
    }

    // DNS rebinding and cross-origin posts.
    let rebound = client
        .get(format!("{base}/auth/code"))
        .header(HOST, "attacker.example:3000")
        .send()
        .await
        .unwrap();
    assert_eq!(rebound.status(), StatusCode::MISDIRECTED_REQUEST);
    cases += 1;
    for origin in ["http://attacker.example", "null", "https://127.0.0.1"] {
        let response = client
            .post(format!("{base}/auth/code"))
            .header(ORIGIN, origin)
            .body(real())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{origin}");
        cases += 1;
    }

    // Garbage that is not HTTP: a 400 or a closed connection, never a hang.
    let answer = raw(
        addr,
        b"\x16\x03\x01\x02\x00GARBAGE\r\n\r\n",
        Duration::from_secs(10),
    )
    .await;
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    cases += 1;

    // Slow clients (slowloris): more than the listener serves at once, each sending a header
    // byte a second. The listener drops them once headers take too long.
    let slow_started = Instant::now();
    let mut slow = Vec::new();
    for client in 0..SLOW_CLIENTS {
        // Half drip a header line a second; half connect and say nothing at all.
        let drip = client % 2 == 0;
        slow.push(tokio::spawn(async move {
            let Ok(mut stream) = TcpStream::connect(addr).await else {
                return Duration::ZERO;
            };
            let opened = Instant::now();
            if drip {
                let request_line = format!("GET /auth/code HTTP/1.1\r\nHost: {addr}\r\n");
                let _ = stream.write_all(request_line.as_bytes()).await;
            }
            for _ in 0..60 {
                tokio::time::sleep(Duration::from_secs(1)).await;
                if drip && stream.write_all(b"X-Slow: 1\r\n").await.is_err() {
                    break;
                }
                // Any answer (a 408, EOF or a reset) means the listener let go of us.
                let mut probe = [0u8; 64];
                if tokio::time::timeout(Duration::from_millis(1), stream.read(&mut probe))
                    .await
                    .is_ok()
                {
                    break;
                }
            }
            opened.elapsed()
        }));
    }
    // While they hold on, 1,000 forged callbacks with the real one sent in the middle of them.
    let forge = |i: usize| {
        let client = client.clone();
        let base = base.clone();
        tokio::spawn(async move {
            let body = format!("access_token=forged{i}&token_type=Bearer&state=forged{i}");
            post(&client, &base, body).await.0
        })
    };
    let mut forged: Vec<_> = (0..FORGED / 2).map(forge).collect();
    let real_task = {
        let client = client.clone();
        let base = base.clone();
        tokio::spawn(async move {
            let sent = Instant::now();
            let answer = post(&client, &base, real()).await;
            (answer, sent.elapsed())
        })
    };
    forged.extend((FORGED / 2..FORGED).map(forge));
    let ((status, text), real_latency) = tokio::time::timeout(Duration::from_secs(60), real_task)
        .await
        .expect("the real callback is answered in bounded time")
        .unwrap();
    assert_eq!(status, StatusCode::OK, "{text}");
    assert!(text.contains("captured") && !text.contains(TOKEN), "{text}");
    let mut forged_rejected = 0;
    for task in forged {
        let status = tokio::time::timeout(Duration::from_secs(60), task)
            .await
            .expect("forged callbacks are answered in bounded time")
            .unwrap();
        // Refused as forged, or (once the real one is in) as "already done".
        assert!(
            status == StatusCode::BAD_REQUEST || status == StatusCode::CONFLICT,
            "{status}"
        );
        forged_rejected += 1;
    }

    // After the capture: a clear "already done", not a second token.
    let (status, text) = post(&client, &base, real()).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    let (status, _) = post(&client, &base, "access_token=late&state=late".to_owned()).await;
    assert_eq!(status, StatusCode::CONFLICT);
    cases += 2;

    let mut slow_longest = Duration::ZERO;
    for task in slow {
        slow_longest = slow_longest.max(task.await.unwrap());
    }
    // Dropped within the header timeout plus waits for a free slot, not held for the 60 s.
    assert!(
        slow_longest < Duration::from_secs(40),
        "a slow client was held {slow_longest:?}"
    );

    let captured = listener.wait().await.unwrap();
    assert_eq!(captured.token.expose_secret(), TOKEN);
    std::net::TcpListener::bind(addr).expect("the port is released");
    assert!(
        TcpStream::connect(addr).await.is_err(),
        "nothing answers after the login"
    );

    eprintln!(
        "listener matrix: {cases} malformed/hostile cases, {forged_rejected} concurrent forged callbacks \
         rejected, {SLOW_CLIENTS} slow clients dropped (longest held {:.1} s, phase {:.1} s), real capture \
         among them answered in {} ms; port released",
        slow_longest.as_secs_f64(),
        slow_started.elapsed().as_secs_f64(),
        real_latency.as_millis()
    );
}

#[tokio::test]
async fn a_broker_error_after_noise_ends_the_login_cleanly() {
    let (listener, base, addr) = start().await;
    let client = reqwest::Client::new();
    let (status, _) = post(&client, &base, "access_token=x&state=nope".to_owned()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let body = format!("error=access_denied&error_description=The+user+denied&state={STATE}");
    let (status, text) = post(&client, &base, body).await;
    assert_eq!(status, StatusCode::OK);
    assert!(text.contains("denied"), "{text}");
    let err = listener.wait().await.unwrap_err();
    assert!(matches!(err, ListenerError::Callback(_)), "{err:?}");
    assert!(err.to_string().contains("denied"), "{err}");
    std::net::TcpListener::bind(addr).expect("the port is released");
}
