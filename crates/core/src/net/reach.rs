//! One host's reachability, step by step, by the route its requests take: the name (DNS), the
//! connection (to the host, or to the proxy and through its `CONNECT` tunnel), TLS (who issued
//! the certificate, and whether this computer trusts it) and an HTTP answer (its status and
//! `Date`), each timed and bounded.

use std::time::{Duration, Instant};

use serde::Serialize;
use url::Url;

use super::tls_peek::{self, host_port};
use super::{Http, NetworkFailure, Problem, Route};

/// How long each step may take.
const STEP_LIMIT: Duration = Duration::from_secs(10);

/// One step's outcome.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Step {
    /// Whether it succeeded.
    pub ok: bool,
    /// How long it took, in milliseconds.
    pub millis: u32,
    /// What it found, or what went wrong, in words.
    pub detail: String,
}

impl Step {
    fn skipped(because: &str) -> Self {
        Self {
            ok: false,
            millis: 0,
            detail: format!("not tried: {because}"),
        }
    }

    fn timed(started: Instant, ok: bool, detail: String) -> Self {
        Self {
            ok,
            millis: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
            detail,
        }
    }
}

/// What one host answered, step by step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HostReach {
    /// Whether every step succeeded.
    pub ok: bool,
    /// The origin checked (`https://graph.microsoft.com/`).
    pub url: String,
    /// "direct", or the proxy (never its password).
    pub route: String,
    /// The name, resolved on this computer.
    pub dns: Step,
    /// The connection (through the proxy's tunnel when there is one).
    pub connect: Step,
    /// The TLS handshake and the certificate's issuer (https only).
    pub tls: Option<Step>,
    /// An HTTP request through the same client every request uses.
    pub http: Step,
    /// The server's `Date`, RFC 3339, for the clock check.
    #[serde(skip)]
    pub server_date: Option<time::OffsetDateTime>,
}

/// Checks `url`'s origin with `http`'s proxy decision and client.
pub async fn check(http: &Http, url: &Url) -> HostReach {
    let mut origin = url.clone();
    origin.set_path("/");
    origin.set_query(None);
    origin.set_fragment(None);
    let route = http.route(&origin);
    let failure = |problem: Problem| {
        NetworkFailure::new(origin.host_str().unwrap_or("?"), problem, &route, http.proxy())
    };
    let dns = dns_step(&origin, &route).await;
    if !dns.ok {
        let skipped = Step::skipped("the name does not resolve");
        return HostReach::new(
            &origin,
            &route,
            dns,
            skipped.clone(),
            tls_skipped(&origin, &skipped),
            skipped,
            None,
        );
    }
    if let Route::Proxy(proxy) = &route
        && !proxy.is_plain_http()
    {
        // A SOCKS proxy (or one reached over TLS) is for reqwest to speak: only the request
        // itself can tell whether the way through it works.
        let unchecked = Step {
            ok: true,
            millis: 0,
            detail: format!("not checked on its own through {proxy}: the HTTP request below goes through it"),
        };
        let tls = tls_skipped(&origin, &unchecked);
        let (http_step, server_date) = http_step(http, &origin).await;
        return HostReach::new(&origin, &route, dns, unchecked, tls, http_step, server_date);
    }
    let connect = connect_step(&origin, &route, &failure).await;
    if !connect.ok {
        let skipped = Step::skipped("no connection");
        return HostReach::new(
            &origin,
            &route,
            dns,
            connect,
            tls_skipped(&origin, &skipped),
            skipped,
            None,
        );
    }
    let tls = if origin.scheme() == "https" {
        Some(tls_step(&origin, &route, &failure).await)
    } else {
        None
    };
    let (http_step, server_date) = http_step(http, &origin).await;
    HostReach::new(&origin, &route, dns, connect, tls, http_step, server_date)
}

fn tls_skipped(origin: &Url, skipped: &Step) -> Option<Step> {
    (origin.scheme() == "https").then(|| skipped.clone())
}

async fn connect_step(
    origin: &Url,
    route: &Route,
    failure: &(dyn Fn(Problem) -> NetworkFailure + Sync),
) -> Step {
    let started = Instant::now();
    let connected = match (route, origin.scheme()) {
        // Plain http goes to the proxy as a whole request: no tunnel to open.
        (Route::Proxy(proxy), "http") => bounded(async {
            tokio::net::TcpStream::connect(proxy.authority())
                .await
                .map_err(|e| Problem::ProxyUnreachable {
                    detail: e.to_string(),
                })
        })
        .await
        .map(|_| format!("connected to the proxy {proxy}")),
        (Route::Proxy(proxy), _) => bounded(tls_peek::connect(origin, route))
            .await
            .map(|_| format!("the proxy {proxy} opened a tunnel")),
        (Route::Direct, _) => bounded(tls_peek::connect(origin, route))
            .await
            .map(|_| "connected".to_owned()),
    };
    let connected = match (connected, route) {
        // Silence on a proxy route is the proxy's: it neither answered nor opened the tunnel.
        (Err(Problem::TimedOut), Route::Proxy(_)) => Err(Problem::ProxyUnreachable {
            detail: format!("no answer within {} s", STEP_LIMIT.as_secs()),
        }),
        (connected, _) => connected,
    };
    match connected {
        Ok(detail) => Step::timed(started, true, detail),
        Err(problem) => Step::timed(started, false, failure(problem).to_string()),
    }
}

impl HostReach {
    fn new(
        origin: &Url,
        route: &Route,
        dns: Step,
        connect: Step,
        tls: Option<Step>,
        http: Step,
        server_date: Option<time::OffsetDateTime>,
    ) -> Self {
        Self {
            ok: dns.ok && connect.ok && tls.as_ref().is_none_or(|t| t.ok) && http.ok,
            url: origin.to_string(),
            route: match route {
                Route::Direct => "direct".to_owned(),
                Route::Proxy(proxy) => proxy.to_string(),
            },
            dns,
            connect,
            tls,
            http,
            server_date,
        }
    }
}

async fn tls_step(origin: &Url, route: &Route, failure: &(dyn Fn(Problem) -> NetworkFailure + Sync)) -> Step {
    let started = Instant::now();
    match tls_peek::peek(origin, route, STEP_LIMIT).await {
        Ok(seen) => match seen.trust {
            Ok(()) => Step::timed(started, true, format!("issued by {} (trusted)", seen.issuer)),
            Err(problem @ (Problem::UntrustedIssuer { .. } | Problem::Unverifiable { .. })) => Step::timed(
                started,
                false,
                failure(problem.with_issuer(seen.issuer)).to_string(),
            ),
            Err(problem) => Step::timed(started, false, failure(problem).to_string()),
        },
        Err(problem) => Step::timed(started, false, failure(problem).to_string()),
    }
}

async fn bounded<T>(future: impl Future<Output = Result<T, Problem>>) -> Result<T, Problem> {
    tokio::time::timeout(STEP_LIMIT, future)
        .await
        .unwrap_or(Err(Problem::TimedOut))
}

async fn dns_step(origin: &Url, route: &Route) -> Step {
    let started = Instant::now();
    // Through an HTTP proxy, socks4a or socks5h the name is the proxy's to resolve, as every
    // request's is: many company networks resolve only their own names, and asking here would
    // tell nothing about the route. socks4 and socks5 take an address, resolved here.
    if let Route::Proxy(proxy) = route
        && proxy.resolves_names()
    {
        return Step::timed(started, true, format!("resolved by the proxy {proxy}"));
    }
    let (host, port) = host_port(origin);
    match tokio::time::timeout(STEP_LIMIT, tokio::net::lookup_host((host.as_str(), port))).await {
        Ok(Ok(addresses)) => {
            let mut addresses: Vec<String> = addresses.map(|a| a.ip().to_string()).collect();
            addresses.dedup();
            Step::timed(started, true, addresses.join(", "))
        }
        Ok(Err(e)) => Step::timed(started, false, format!("{host} does not resolve here: {e}")),
        Err(_) => Step::timed(started, false, format!("{host}: no answer from DNS in time")),
    }
}

async fn http_step(http: &Http, origin: &Url) -> (Step, Option<time::OffsetDateTime>) {
    let started = Instant::now();
    let sent = http.client().get(origin.clone()).timeout(STEP_LIMIT).send().await;
    match sent {
        Ok(response) => {
            let status = response.status();
            if let Some(refusal) = http.refusal(origin, status) {
                return (Step::timed(started, false, refusal.to_string()), None);
            }
            // A plain-http request through a proxy gets the proxy's own 502 or 504 when the
            // proxy could not reach the host.
            if let Route::Proxy(proxy) = http.route(origin)
                && origin.scheme() == "http"
                && matches!(status.as_u16(), 502 | 504)
            {
                let host = origin.host_str().unwrap_or("?");
                return (
                    Step::timed(
                        started,
                        false,
                        format!("the proxy {proxy} answered {status}: it could not reach {host}"),
                    ),
                    None,
                );
            }
            let date = response
                .headers()
                .get(reqwest::header::DATE)
                .and_then(|d| d.to_str().ok())
                .and_then(http_date);
            // Any answer is reachability: a root path often answers 404 or a redirect.
            (Step::timed(started, true, format!("answered {status}")), date)
        }
        Err(e) => (
            Step::timed(started, false, http.explain(&e, origin).await.to_string()),
            None,
        ),
    }
}

/// An HTTP `Date` (RFC 9110's IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`).
pub(crate) fn http_date(text: &str) -> Option<time::OffsetDateTime> {
    let format = time::macros::format_description!(
        "[weekday repr:short], [day] [month repr:short] [year] [hour]:[minute]:[second] GMT"
    );
    time::PrimitiveDateTime::parse(text.trim(), &format)
        .ok()
        .map(|t| t.assume_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn http_dates_are_read() {
        let date = http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(date.unix_timestamp(), 784_111_777);
        assert_eq!(http_date("yesterday"), None);
    }
}
