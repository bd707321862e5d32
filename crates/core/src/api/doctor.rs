//! `doctor`: what a support ticket needs to know about this computer's way to Webex and Entra,
//! without a secret in it. The proxy in force and where it came from; for each host a real setup
//! needs (Webex's ID broker and API, Entra's sign-in and Graph for the clouds in use, every
//! stored Tenant URL's host) the name, the connection, TLS and an HTTP answer; the keyring; port
//! 3000; the clock against the servers' `Date`; the version.

use std::collections::BTreeMap;
use std::fmt;

use serde::Serialize;
use url::Url;

use super::Api;
use crate::broker::{Broker, BrokerId};
use crate::entra::Cloud;
use crate::listener::{PortOwner, REDIRECT_PORT};
use crate::net::Http;
use crate::net::reach::{self, HostReach, Step};

/// The most a clock may be off before sign-ins and tokens fail (Entra allows five minutes).
const CLOCK_TOLERANCE_SECONDS: i64 = 300;

/// What to check beside what the records name.
#[derive(Debug, Clone, Default)]
pub struct DoctorRequest {
    /// A broker the admin is about to use.
    pub broker: Option<BrokerId>,
    /// An Entra cloud the admin is about to use.
    pub cloud: Option<Cloud>,
}

/// The proxy in force, in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct ProxySummary {
    /// Where it came from.
    pub source: String,
    /// The proxy for https (never its password).
    pub https: Option<String>,
    /// The proxy for http.
    pub http: Option<String>,
    /// The hosts that go direct.
    pub bypass: Vec<String>,
    /// A PAC or WPAD configuration scim-token cannot run, with what to do.
    pub auto_config: Option<String>,
    /// Proxy variables set to something scim-token cannot use.
    pub unusable_variables: Vec<String>,
    /// Why scim-token's kept proxy choice is not in force, if it is not.
    pub setting_problem: Option<String>,
}

/// One host, why it is checked, and what it answered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct HostCheck {
    /// What needs it ("Webex ID broker", "Tenant URL of org …").
    pub needed_for: Vec<String>,
    /// The steps.
    #[serde(flatten)]
    pub reach: HostReach,
}

/// A check that passed or not, with its words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct Finding {
    /// Whether it is fine.
    pub ok: bool,
    /// What was found.
    pub detail: String,
}

/// The whole report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "specta", derive(specta::Type))]
pub struct DoctorReport {
    /// Whether everything checked is fine.
    pub ok: bool,
    /// scim-token's version.
    pub version: String,
    /// The OS and architecture.
    pub platform: String,
    /// The proxy in force.
    pub proxy: ProxySummary,
    /// Each host.
    pub hosts: Vec<HostCheck>,
    /// The OS keyring.
    pub keyring: Finding,
    /// Port 3000, where the Webex sign-in's redirect arrives.
    pub port_3000: Finding,
    /// This computer's clock against the servers'.
    pub clock: Finding,
    /// Why no host could be checked at all, if none could.
    pub setup: Option<String>,
}

impl Api {
    /// Checks this computer's way to every host a setup needs; never fails, every problem is
    /// in the report.
    pub async fn doctor(&self, request: &DoctorRequest) -> DoctorReport {
        let needed = self.hosts_needed(request);
        let http = self.http();
        // Side by side: a host that never answers costs its bounds once, not once per host.
        let tasks: Vec<_> = match &http {
            Ok(http) => needed
                .keys()
                .map(|url| {
                    let (http, url) = (Http::clone(http), url.clone());
                    tokio::spawn(async move { reach::check(&http, &url).await })
                })
                .collect(),
            Err(_) => Vec::new(),
        };
        let mut hosts = Vec::with_capacity(tasks.len());
        for task in tasks {
            match task.await {
                Ok(reach) => hosts.push(reach),
                Err(join) => std::panic::resume_unwind(join.into_panic()),
            }
        }
        let clock = self.clock_finding(&hosts);
        let hosts: Vec<HostCheck> = hosts
            .into_iter()
            .zip(needed.into_values())
            .map(|(reach, needed_for)| HostCheck { needed_for, reach })
            .collect();
        let keyring = self.keyring_finding().await;
        let port_3000 = port_finding();
        let setup = http.err().map(|e| e.to_string());
        DoctorReport {
            ok: setup.is_none()
                && hosts.iter().all(|h: &HostCheck| h.reach.ok)
                && keyring.ok
                && port_3000.ok
                && clock.ok,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            platform: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            proxy: self.proxy_summary(),
            hosts,
            keyring,
            port_3000,
            clock,
            setup,
        }
    }

    /// The proxy in force, in words.
    pub fn proxy_summary(&self) -> ProxySummary {
        let proxy = self.proxy();
        ProxySummary {
            source: proxy.source.description().to_owned(),
            https: proxy.https.as_ref().map(ToString::to_string),
            http: proxy.http.as_ref().map(ToString::to_string),
            bypass: proxy.bypass.entries().to_vec(),
            auto_config: proxy.auto_config.as_ref().map(|auto| {
                format!(
                    "this computer also names {auto}, which scim-token cannot run: requests not sent to the proxy above go direct; set HTTPS_PROXY or scim-token's proxy setting to the proxy it names"
                )
            }),
            unusable_variables: crate::net::proxy::unusable_variables(),
            setting_problem: self.proxy_setting_problem(),
        }
    }

    /// Every origin a setup needs, with what needs it, in a stable order.
    fn hosts_needed(&self, request: &DoctorRequest) -> BTreeMap<Url, Vec<String>> {
        let mut needed: BTreeMap<Url, Vec<String>> = BTreeMap::new();
        let mut add = |url: Url, why: String| {
            let mut origin = url;
            origin.set_path("/");
            origin.set_query(None);
            let list = needed.entry(origin).or_default();
            if !list.contains(&why) {
                list.push(why);
            }
        };
        let records = self.records().unwrap_or_default();
        let mut brokers = vec![BrokerId::Webex];
        brokers.extend(request.broker.clone());
        brokers.extend(records.iter().map(|r| r.broker.clone()));
        for broker in brokers {
            let resolved = Broker::resolve(&broker);
            add(
                resolved.authorize_url.clone(),
                format!("{} sign-in", broker.label()),
            );
            add(resolved.people_me_url.clone(), format!("{} API", broker.label()));
        }
        for record in &records {
            add(
                record.tenant_url(),
                format!("Tenant URL of org {}", record.org_id),
            );
        }
        let mut clouds = vec![Cloud::Global];
        clouds.extend(request.cloud.clone());
        clouds.extend(
            records
                .iter()
                .flat_map(|r| r.entra_links.iter().map(|l| l.target.cloud.clone())),
        );
        clouds.extend(
            self.vault()
                .entra_sessions()
                .unwrap_or_default()
                .into_iter()
                .map(|s| s.target.cloud),
        );
        for cloud in clouds {
            add(cloud.login_base(), format!("Entra sign-in ({cloud})"));
            add(cloud.graph_base(), format!("Microsoft Graph ({cloud})"));
        }
        needed
    }

    fn clock_finding(&self, hosts: &[HostReach]) -> Finding {
        let now = self.now();
        // A server on this machine (the sandbox) shares its clock: only a far one can tell.
        let far = |h: &&HostReach| {
            Url::parse(&h.url).is_ok_and(|u| {
                !u.host()
                    .is_some_and(|host| crate::net::proxy::is_loopback_host(&host))
            })
        };
        let Some((url, date)) = hosts
            .iter()
            .filter(far)
            .find_map(|h| h.server_date.map(|d| (h.url.clone(), d)))
        else {
            return Finding {
                ok: true,
                detail: "not compared: no server answered with its time".into(),
            };
        };
        let skew = (now - date).whole_seconds();
        let ok = skew.abs() <= CLOCK_TOLERANCE_SECONDS;
        let detail = if ok {
            format!("within {} s of {url}", skew.abs().max(1))
        } else {
            format!(
                "this computer's clock is {} s {} {url}: sign-ins and tokens fail when it is more than five minutes off; set the clock (or turn on automatic time)",
                skew.abs(),
                if skew > 0 { "ahead of" } else { "behind" }
            )
        };
        Finding { ok, detail }
    }

    /// Whether the keyring answers and is unlocked: a stored token is read (and dropped) where
    /// there is one, since only a read of a real secret meets a locked keyring (and may show its
    /// unlock prompt, bounded like every keyring call).
    async fn keyring_finding(&self) -> Finding {
        let vault = self.vault().clone();
        let stored = vault
            .records()
            .ok()
            .and_then(|records| records.into_iter().next());
        let checked = super::tokens::blocking(move || match &stored {
            Some(record) => vault.token(record).map(|_| Some(record.org_id)),
            None => vault.keyring_reachable().map(|()| None),
        })
        .await;
        match checked {
            Ok(Some(org)) => Finding {
                ok: true,
                detail: format!("reachable and unlocked (the token of org {org} was read, not shown)"),
            },
            Ok(None) => Finding {
                ok: true,
                detail: "reachable (no token is stored yet, so whether it is unlocked was not checked)"
                    .into(),
            },
            Err(problem) => Finding {
                ok: false,
                detail: problem.to_string(),
            },
        }
    }
}

/// Whether the sign-in's redirect port is free, or who holds it.
fn port_finding() -> Finding {
    let addr = std::net::SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, REDIRECT_PORT));
    match std::net::TcpListener::bind(addr) {
        Ok(_) => Finding {
            ok: true,
            detail: "free".into(),
        },
        Err(_) => Finding {
            ok: false,
            detail: match PortOwner::find(addr) {
                Some(owner) => {
                    format!("held by {owner}: a Webex sign-in cannot catch its redirect until it ends")
                }
                None => {
                    "held by another program: a Webex sign-in cannot catch its redirect until it ends".into()
                }
            },
        },
    }
}

/// The proxy in force, a line each: where it comes from, each scheme's proxy, the hosts that go
/// direct, and any note (a PAC file, a broken setting, an unusable variable).
impl ProxySummary {
    /// Where requests go, in one sentence: "Requests go https through http://proxy:3128, http
    /// direct (from Windows' proxy settings); direct for .corp.example."
    pub fn in_one_line(&self) -> String {
        if self.https.is_none() && self.http.is_none() {
            return format!(
                "Requests go direct ({}). Loopback never goes through a proxy.",
                self.source
            );
        }
        let route = |scheme: &str, proxy: &Option<String>| match proxy {
            Some(proxy) => format!("{scheme} through {proxy}"),
            None => format!("{scheme} direct"),
        };
        let direct = if self.bypass.is_empty() {
            String::new()
        } else {
            format!("; direct for {}", self.bypass.join(", "))
        };
        format!(
            "Requests go {}, {} (from {}){direct}.",
            route("https", &self.https),
            route("http", &self.http),
            self.source
        )
    }

    /// What the admin should know besides: a PAC file or WPAD not followed, a broken setting,
    /// variables that hold no usable address.
    pub fn notes(&self) -> Vec<String> {
        self.auto_config
            .iter()
            .chain(&self.setting_problem)
            .cloned()
            .chain(self.unusable_variables.iter().map(|variable| {
                format!("{variable} is not a proxy address scim-token can use (http://host:port)")
            }))
            .collect()
    }
}

impl fmt::Display for ProxySummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Proxy: {}", self.source)?;
        for (scheme, proxy) in [("https", &self.https), ("http", &self.http)] {
            writeln!(f, "  {scheme}: {}", proxy.as_deref().unwrap_or("direct"))?;
        }
        if !self.bypass.is_empty() {
            writeln!(f, "  direct for: {}", self.bypass.join(", "))?;
        }
        for note in self.notes() {
            writeln!(f, "  note: {note}")?;
        }
        Ok(())
    }
}

impl fmt::Display for DoctorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mark = |ok: bool| if ok { "ok  " } else { "FAIL" };
        writeln!(f, "scim-token {} on {}", self.version, self.platform)?;
        write!(f, "{}", self.proxy)?;
        if let Some(setup) = &self.setup {
            writeln!(f, "FAIL no host checked: {setup}")?;
        }
        for host in &self.hosts {
            let reach = &host.reach;
            writeln!(
                f,
                "{} {} ({}) via {}",
                mark(reach.ok),
                reach.url,
                host.needed_for.join("; "),
                reach.route
            )?;
            let mut step = |name: &str, step: &Step| {
                writeln!(
                    f,
                    "     {} {name:<8} {:>5} ms  {}",
                    mark(step.ok),
                    step.millis,
                    step.detail
                )
            };
            step("name", &reach.dns)?;
            step("connect", &reach.connect)?;
            if let Some(tls) = &reach.tls {
                step("tls", tls)?;
            }
            step("http", &reach.http)?;
        }
        writeln!(f, "{} keyring: {}", mark(self.keyring.ok), self.keyring.detail)?;
        writeln!(
            f,
            "{} port 3000: {}",
            mark(self.port_3000.ok),
            self.port_3000.detail
        )?;
        write!(f, "{} clock: {}", mark(self.clock.ok), self.clock.detail)
    }
}
