// The scim-token dashboard. Every action is a command implemented in Rust (src-tauri), called
// through the generated, typed bindings in ./bindings.ts; this file only renders what they
// return. The DOM is built with elements and textContent, never from HTML strings.

import {
  commands,
  events,
  type AfterRenewalView as AfterRenewal,
  type BrokerId,
  type BrowserSignIn,
  type Choices,
  type Cloud,
  type CopyWhat,
  type EntraLoginFinished,
  type JobHealthView,
  type LoginFinished,
  type PushView,
  type RenewalPushed,
  type RenewFor,
  type SignInPlace,
  type TokenView,
} from "./bindings";
import { $, clearError, messageOf, ok, showError, withSpinner } from "./ui";
import { setupNetworkPanel } from "./network";


let summaries: TokenView[] = [];
/** The sign-in in progress; results of earlier ones are ignored. */
let currentLogin: number | null = null;
/** Results that arrived before their start call returned (a sign-in can finish that fast). */
const earlyResults = new Map<number, LoginFinished>();
/** The broker a Renew asked for, when the select cannot name it (a custom broker). */
let renewBroker: BrokerId | null = null;
/** Cards with a push (or its plan) in progress: a redraw keeps them as they are, so nothing
 * clears their spinner, their plan or their result half-way, and their Push stays disabled. */
const busyCards = new Set<string>();
/** Each card's last push result, so a redraw shows it again (with its Push and start). */
const lastResults = new Map<string, { text: string; bad: boolean; offerStart: boolean }>();

/** Shows a push result in the card and keeps it for the next redraw. `offerStart`: a job was (or
 * would be) left paused, so the card offers Push and start, the one way the app starts it. */
function showResult(card: HTMLElement, text: string, bad: boolean, offerStart = false): void {
  const result = $(".entra-result", card);
  result.textContent = text;
  result.classList.remove("ok", "bad");
  result.classList.add(bad ? "bad" : "ok");
  $(".push-start", card).hidden = !offerStart;
  if (card.dataset.key) lastResults.set(card.dataset.key, { text, bad, offerStart });
}
/** A Cancel pressed while a start call had not returned: honoured as soon as it returns. */
let cancelWhenStarted = false;
let cancelEntraWhenStarted = false;
/** Whether a start call is on its way. */
let startingLogin = false;
let startingEntraLogin = false;
/** The brokers and clouds to sign in at, with their words, from the app. */
let choices: Choices | null = null;
/** The Entra sign-in in progress. */
let currentEntraLogin: number | null = null;
/** Entra sign-in results that arrived before their start call returned (auto-approval is fast). */
const earlyEntraResults = new Map<number, EntraLoginFinished>();
/** The token a "Renew and push" renews: core pushes only if the sign-in gives this one. */
let pushAfterRenewal: RenewFor | null = null;

/** "12 days 4 h 03 min left" or "expired 2 days ago". */
function countdown(expiresAt: string, now: number): string {
  const ms = Date.parse(expiresAt) - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = Math.floor((abs % 60_000) / 1000);
  const text = `${days} days ${hours} h ${String(minutes).padStart(2, "0")} min ${String(seconds).padStart(2, "0")} s`;
  return ms > 0 ? `${text} left` : `expired ${text} ago`;
}

function render(): void {
  const list = $("#orgs");
  const kept = new Map([...list.querySelectorAll<HTMLElement>(".card")].map((c) => [c.dataset.key ?? "", c]));
  list.replaceChildren();
  $("#empty").hidden = summaries.length > 0;
  const template = $<HTMLTemplateElement>("#org-card");
  for (const s of summaries) {
    const busy = kept.get(cardKey(s.org_id, s.broker_id));
    if (busy && busyCards.has(busy.dataset.key ?? "")) {
      list.append(busy);
      continue;
    }
    const card = template.content.firstElementChild!.cloneNode(true) as HTMLElement;
    card.dataset.org = s.org_id;
    card.dataset.key = cardKey(s.org_id, s.broker_id);
    $(".org-id", card).textContent = s.org_id;
    const badge = $(".state", card);
    badge.textContent = s.state_label;
    badge.classList.add(s.state);
    $(".broker", card).textContent = s.broker_label;
    $(".account", card).textContent = s.account ?? "account unknown";
    $(".fingerprint", card).textContent = s.fingerprint;
    $(".tenant-url", card).textContent = s.tenant_url;
    $(".countdown", card).dataset.expires = s.expires_at;
    $(".countdown", card).title = `Expires ${s.expires_at}; broker said ${s.broker_expires_at ?? "nothing"}, documented limit ${s.documented_expires_at}`;
    $(".copy-url", card).addEventListener("click", () => copy(card, s, "url"));
    $(".copy-token", card).addEventListener("click", () => copy(card, s, "token"));
    $(".test", card).addEventListener("click", () => testConnection(card, s));
    $(".renew", card).addEventListener("click", () => openLogin(s.broker_id, s.account, null));
    $(".forget", card).addEventListener("click", () => forget(s));
    setupEntra(card, s);
    const last = lastResults.get(cardKey(s.org_id, s.broker_id));
    if (last) showResult(card, last.text, last.bad, last.offerStart);
    list.append(card);
  }
  tick();
}

/** The card's Entra section: linked jobs with their health, push, renew and push, link. */
function setupEntra(card: HTMLElement, s: TokenView): void {
  const linked = s.links.length > 0;
  $(".push", card).hidden = !linked;
  $(".renew-push", card).hidden = !linked;
  $(".entra-refresh", card).hidden = !linked;
  $(".entra-refresh", card).addEventListener("click", () => void showHealth(card, s));
  $(".entra-pick", card).textContent = linked ? "Link another Entra app…" : "Link to an Entra app…";
  $(".entra-pick", card).addEventListener("click", () => void pickEntraApp(card));
  $(".entra-link", card).addEventListener("click", () => void linkEntraApp(card, s));
  $(".push", card).addEventListener("click", () => void push(card, s));
  $(".push-start", card).addEventListener("click", () => void push(card, s, true));
  $(".renew-push", card).addEventListener("click", () => openLogin(s.broker_id, s.account, { org: s.org_id, broker: s.broker_id }));
  if (linked) void showHealth(card, s);
}

/** A job's badge class, by core's verdict. */
function jobBadgeClass(h: JobHealthView): string {
  return { healthy: "job-active", stopped: "job-other", quarantined: "job-quarantine", "last-cycle-failed": "job-quarantine", "sign-in-needed": "job-unknown", unreadable: "job-unknown" }[h.verdict];
}

async function showHealth(card: HTMLElement, s: TokenView): Promise<void> {
  const list = $(".entra-jobs", card);
  withSpinner(list, "Reading the jobs' health…");
  try {
    const health = ok(await commands.entraHealth(s.org_id, s.broker_id));
    list.replaceChildren(
      ...health.map((h) => {
        const item = document.createElement("li");
        const badge = document.createElement("span");
        badge.className = `badge ${jobBadgeClass(h)}`;
        badge.textContent = h.label;
        const what = document.createElement("span");
        const name = document.createElement("strong");
        name.textContent = h.app_name;
        const details = document.createElement("span");
        details.className = "job-details hint";
        details.textContent = ` — ${h.details}`;
        what.append(name, details);
        const unlink = document.createElement("button");
        unlink.className = "unlink";
        unlink.textContent = "Unlink";
        unlink.addEventListener("click", () => void unlinkApp(s, h.app_id));
        item.append(badge, what, unlink);
        return item;
      }),
    );
  } catch (e) {
    list.textContent = messageOf(e);
  }
}

async function pickEntraApp(card: HTMLElement): Promise<void> {
  clearError();
  const result = $(".entra-result", card);
  withSpinner(result, "Looking for Webex enterprise apps…");
  try {
    const jobs = ok(await commands.entraApps());
    const choice = $<HTMLSelectElement>(".entra-choice", card);
    choice.replaceChildren(
      ...jobs.map((job) => {
        const option = document.createElement("option");
        option.value = `${job.app_id}|${job.job_id}`;
        option.textContent = job.label;
        return option;
      }),
    );
    if (choice.options.length === 0) {
      result.textContent = "No Webex enterprise app with a provisioning job in this tenant: add Cisco Webex from the Entra gallery and set up provisioning first.";
      return;
    }
    $(".entra-picker", card).hidden = false;
    result.textContent = "";
  } catch (e) {
    result.textContent = "";
    showError(e);
  }
}

async function linkEntraApp(card: HTMLElement, s: TokenView): Promise<void> {
  const [appId, jobId] = $<HTMLSelectElement>(".entra-choice", card).value.split("|");
  try {
    ok(await commands.entraLink(s.org_id, s.broker_id, appId, jobId ?? null));
    await refresh();
  } catch (e) {
    showError(e);
  }
}

async function unlinkApp(s: TokenView, appId: string): Promise<void> {
  try {
    ok(await commands.entraUnlink(s.org_id, s.broker_id, appId));
    await refresh();
  } catch (e) {
    showError(e);
  }
}

/** Shows the dry run's plan in the card and resolves with the admin's answer. */
function confirmPlan(card: HTMLElement, reports: PushView[]): Promise<boolean> {
  const panel = $(".entra-plan", card);
  $(".entra-plan-text", card).textContent = `First push to this job — nothing has been written yet. ${reports.map((r) => r.text).join(" ")}`;
  const confirm = $<HTMLButtonElement>(".entra-plan-confirm", card);
  confirm.disabled = reports.some((r) => r.failed);
  panel.hidden = false;
  return new Promise((resolve) => {
    const done = (answer: boolean) => {
      panel.hidden = true;
      confirm.removeEventListener("click", yes);
      cancel.removeEventListener("click", no);
      resolve(answer);
    };
    const yes = () => done(true);
    const no = () => done(false);
    const cancel = $<HTMLButtonElement>(".entra-plan-cancel", card);
    confirm.addEventListener("click", yes);
    cancel.addEventListener("click", no);
  });
}

async function push(card: HTMLElement, s: TokenView, startPaused = false): Promise<void> {
  clearError();
  const result = $(".entra-result", card);
  result.classList.remove("ok", "bad");
  const key = cardKey(s.org_id, s.broker_id);
  busyCards.add(key);
  $<HTMLButtonElement>(".push", card).disabled = true;
  $(".push-start", card).hidden = true;
  try {
    if (s.links.some((l) => !l.pushed)) {
      withSpinner(result, "Reading the job and its settings, and checking the token with Test Connection (nothing is written)…");
      const plan = ok(await commands.pushToEntra(s.org_id, s.broker_id, true, startPaused));
      result.textContent = "";
      if (!(await confirmPlan(card, plan))) {
        result.textContent = "Push cancelled: nothing was written.";
        return;
      }
    }
    withSpinner(result, startPaused ? "Checking the token with Entra's Test Connection, pushing it and starting the paused job…" : "Checking the token with Entra's Test Connection and pushing it…");
    const reports = ok(await commands.pushToEntra(s.org_id, s.broker_id, false, startPaused));
    showResult(card, reports.map((r) => r.text).join(" "), reports.some((r) => r.failed), reports.some((r) => r.left_paused));
    // Core noted each stored push in the record; the card's copy learns it without a redraw
    // (which would drop the result above), so the next push does not ask again.
    for (const r of reports.filter((r) => r.stored === true)) {
      for (const l of s.links.filter((l) => l.app_id === r.app_id && l.job_id === r.job_id)) {
        l.pushed = true;
      }
    }
    await showHealth(card, s);
  } catch (e) {
    showResult(card, messageOf(e), true);
  } finally {
    busyCards.delete(key);
    $<HTMLButtonElement>(".push", card).disabled = false;
  }
}

/** What core's "renew and push" did once the renewal was stored. */
async function renewalPushed(event: RenewalPushed): Promise<void> {
  const key = cardKey(event.renewed.org, event.renewed.broker);
  busyCards.delete(key);
  const card = cardOf(event.renewed.org, event.renewed.broker);
  if (!card) return;
  $<HTMLButtonElement>(".push", card).disabled = false;
  if (event.card) {
    await showRenewalPush(card, event.card, event.outcome);
  } else {
    // The record could not be read back; what the push did is still told.
    showResult(card, event.outcome.outcome === "not-pushed" ? `Token renewed, not pushed: ${event.outcome.reason}` : "Token renewed; reload the card to see the push.", true);
  }
}

async function showRenewalPush(card: HTMLElement, s: TokenView, after: AfterRenewal): Promise<void> {
  const result = $(".entra-result", card);
  result.classList.remove("ok", "bad");
  switch (after.outcome) {
    case "plan-first":
      // A job never pushed to shows its plan before anything is written.
      await push(card, s);
      return;
    case "not-pushed":
      showResult(card, `Token renewed, not pushed: ${after.reason}`, true);
      return;
    case "pushed":
      showResult(card, after.reports.map((r) => r.text).join(" "), after.reports.some((r) => r.failed), after.reports.some((r) => r.left_paused));
      await showHealth(card, s);
  }
}

function chosenCloud(): Cloud {
  const key = $<HTMLSelectElement>("#entra-cloud").value;
  const chosen = choices?.clouds.find((c) => c.key === key) ?? choices?.clouds[0];
  return chosen ? chosen.value : { kind: "global" };
}

/** Fills a select with Rust's choices. */
function fillSelect(select: HTMLSelectElement, options: { key: string; label: string }[]): void {
  select.replaceChildren(
    ...options.map((c) => {
      const option = document.createElement("option");
      option.value = c.key;
      option.textContent = c.label;
      return option;
    }),
  );
}

async function refreshEntraSession(): Promise<void> {
  const sessions = ok(await commands.entraSessions());
  const line = $("#entra-session");
  if (sessions.length === 0) return;
  const s = sessions[0];
  const who = s.account ?? "an account Entra did not name";
  const tenant = s.tenant_id ?? "not named: sign in again";
  line.textContent = `Signed in to Entra as ${who} (tenant ${tenant}, ${s.cloud_label}) since ${new Date(s.signed_in_at).toLocaleString()}.`;
  line.dataset.signedIn = "true";
  $("#entra-sign-out").hidden = false;
}

async function signInToEntra(place: SignInPlace): Promise<void> {
  clearError();
  const status = $("#entra-status");
  withSpinner(status, place === "browser" ? "Opening your browser…" : "Opening the Entra sign-in window…");
  try {
    const tenant = $<HTMLInputElement>("#entra-tenant").value.trim();
    const client = $<HTMLInputElement>("#entra-client").value.trim();
    currentEntraLogin = null;
    setEntraWaiting(true);
    startingEntraLogin = true;
    cancelEntraWhenStarted = false;
    const started = ok(await commands.startEntraLogin({ cloud: chosenCloud(), tenant: tenant || null, client_id: client || null }, place));
    currentEntraLogin = started.id;
    startingEntraLogin = false;
    if (cancelEntraWhenStarted) {
      await cancelEntraLogin();
      return;
    }
    withSpinner(status, started.note);
    showBrowserSignIn("#entra-browser-sign-in", started.browser);
    const early = earlyEntraResults.get(started.id);
    earlyEntraResults.clear();
    if (early) await entraLoginFinished(early);
  } catch (e) {
    status.textContent = "";
    setEntraWaiting(false);
    showError(e);
  } finally {
    startingEntraLogin = false;
  }
}

/** While an Entra sign-in runs, its buttons wait and Cancel shows. */
function setEntraWaiting(waiting: boolean): void {
  $<HTMLButtonElement>("#entra-sign-in").disabled = waiting;
  $<HTMLButtonElement>("#entra-sign-in-browser").disabled = waiting;
  $("#entra-cancel").hidden = !waiting;
}

async function cancelEntraLogin(): Promise<void> {
  if (startingEntraLogin) cancelEntraWhenStarted = true;
  const id = currentEntraLogin;
  currentEntraLogin = null;
  setEntraWaiting(false);
  showBrowserSignIn("#entra-browser-sign-in", null);
  $("#entra-status").textContent = "";
  if (id !== null) {
    try {
      ok(await commands.cancelEntraLogin(id));
    } catch (e) {
      showError(e);
    }
  }
}

async function signOutOfEntra(): Promise<void> {
  try {
    ok(await commands.entraSignOut());
    const line = $("#entra-session");
    line.textContent = "Signed out of Entra on this computer: the refresh token is gone from your OS keyring. Nothing was revoked at Microsoft.";
    delete line.dataset.signedIn;
    $("#entra-sign-out").hidden = true;
    await refresh();
  } catch (e) {
    showError(e);
  }
}

async function setupBackgroundWatch(): Promise<void> {
  const box = $<HTMLInputElement>("#background-watch");
  try {
    box.checked = (ok(await commands.watchStatus())).enabled;
  } catch {
    box.disabled = true;
    box.parentElement!.title = "The background watch is not available here.";
  }
  box.addEventListener("change", async () => {
    clearError();
    try {
      box.checked = (ok(await commands.setWatch(box.checked))).enabled;
    } catch (e) {
      box.checked = !box.checked;
      showError(e);
    }
  });
}

async function entraLoginFinished(result: EntraLoginFinished): Promise<void> {
  if (result.id !== currentEntraLogin) {
    earlyEntraResults.set(result.id, result);
    return;
  }
  currentEntraLogin = null;
  setEntraWaiting(false);
  showBrowserSignIn("#entra-browser-sign-in", null);
  const status = $("#entra-status");
  if (result.outcome === "signed-in") {
    status.textContent = "Signed in to Entra; the refresh token is in your OS keyring.";
    await refreshEntraSession();
    await refresh();
  } else if (result.error.kind === "entra-policy") {
    // The window is what the policy refused: the browser is the way out.
    status.textContent = "Your organisation's sign-in policy refused the sign-in window. Press Use my browser to sign in there.";
    showError(result.error);
    $<HTMLButtonElement>("#entra-sign-in-browser").focus();
  } else if (result.error.kind === "cancelled") {
    // A window closed on a page that refused it looks the same as one closed by hand.
    status.textContent = "If the sign-in page refused the window, press Use my browser.";
    showError(result.error);
  } else {
    status.textContent = "";
    showError(result.error);
  }
}

function tick(): void {
  const now = Date.now();
  document.querySelectorAll<HTMLElement>(".countdown").forEach((el) => {
    el.textContent = countdown(el.dataset.expires!, now);
  });
}

async function refresh(): Promise<void> {
  try {
    const list = ok(await commands.listTokens());
    summaries = list.tokens;
    render();
    if (list.problem) showError(list.problem);
  } catch (e) {
    showError(e);
  }
}

async function copy(card: HTMLElement, s: TokenView, what: CopyWhat): Promise<void> {
  clearError();
  const status = $(".clipboard", card);
  try {
    const started = ok(await commands.copyToClipboard(s.org_id, s.broker_id, what));
    const label = what === "url" ? "Tenant URL" : "Secret Token";
    let left = started.clears_in_secs;
    // Only one copy is on the clipboard: other cards stop counting down.
    document.querySelectorAll<HTMLElement>(".clipboard[data-copy]").forEach((el) => {
      window.clearInterval(Number(el.dataset.timer ?? 0));
      el.textContent = "";
      delete el.dataset.copy;
    });
    status.textContent = `${label} copied — clipboard clears in ${left} s`;
    const timer = window.setInterval(() => {
      left -= 1;
      if (left <= 0) {
        window.clearInterval(timer);
      } else {
        status.textContent = `${label} copied — clipboard clears in ${left} s`;
      }
    }, 1000);
    status.dataset.timer = String(timer);
    status.dataset.copy = String(started.copy);
    status.dataset.copied = what;
  } catch (e) {
    showError(e);
  }
}

async function testConnection(card: HTMLElement, s: TokenView): Promise<void> {
  const result = $(".test-result", card);
  result.className = "test-result";
  withSpinner(result, "Running Azure's Test Connection…");
  try {
    result.textContent = ok(await commands.testConnection(s.org_id, s.broker_id)).message;
    result.classList.add("ok");
  } catch (e) {
    result.textContent = messageOf(e);
    result.classList.add("bad");
  }
}

async function forget(s: TokenView): Promise<void> {
  if (!window.confirm(`Remove the token for org ${s.org_id} (${s.broker_label}) from this computer? Azure keeps working until the token expires.`)) return;
  try {
    ok(await commands.forgetToken(s.org_id, s.broker_id));
    await refresh();
  } catch (e) {
    showError(e);
  }
}

/** The select's value for a broker. */
function brokerChoice(broker: BrokerId): string {
  if (broker.kind === "custom") return "custom";
  return choices?.brokers.find((c) => c.value.kind === broker.kind)?.key ?? "webex";
}

/** Offers the custom broker a Renew asks for as an option of its own. */
function offerCustom(broker: BrokerId): void {
  if (broker.kind !== "custom") return;
  renewBroker = broker;
  const select = $<HTMLSelectElement>("#broker");
  let option = select.querySelector<HTMLOptionElement>('option[value="custom"]');
  if (!option) {
    option = document.createElement("option");
    option.value = "custom";
    select.append(option);
  }
  option.textContent = `Custom broker (${broker.base})`;
}

function chosenBroker(): BrokerId {
  const key = $<HTMLSelectElement>("#broker").value;
  if (key === "custom" && renewBroker) return renewBroker;
  const chosen = choices?.brokers.find((c) => c.key === key) ?? choices?.brokers[0];
  return chosen ? chosen.value : { kind: "webex" };
}

/** A card's key: the same org can have a token from two brokers (sandbox and Webex). */
function cardKey(org: string, broker: BrokerId): string {
  return `${org} ${JSON.stringify(broker)}`;
}

function cardOf(org: string, broker: BrokerId): HTMLElement | null {
  return [...document.querySelectorAll<HTMLElement>(".card")].find((c) => c.dataset.key === cardKey(org, broker)) ?? null;
}

function openLogin(broker?: BrokerId, account?: string | null, renewFor?: RenewFor | null): void {
  clearError();
  // Only a "Renew and push" pushes; any other sign-in forgets an earlier one's wish.
  pushAfterRenewal = renewFor ?? null;
  $("#login-panel").hidden = false;
  $("#org-form").hidden = true;
  const select = $<HTMLSelectElement>("#broker");
  if (broker) {
    offerCustom(broker);
    select.value = brokerChoice(broker);
  }
  if (account) $<HTMLInputElement>("#email").value = account;
  select.focus();
}

function setWaiting(waiting: boolean, text: string): void {
  $<HTMLButtonElement>("#start-login").disabled = waiting;
  $<HTMLButtonElement>("#start-login-browser").disabled = waiting;
  const status = $("#login-status");
  if (waiting) withSpinner(status, text);
  else status.textContent = text;
}

async function startLogin(event: Event, place: SignInPlace): Promise<void> {
  event.preventDefault();
  clearError();
  // Disabled before the call: a second click must not start a second sign-in.
  setWaiting(true, place === "browser" ? "Opening your browser…" : "Opening the sign-in window…");
  const email = $<HTMLInputElement>("#email").value.trim();
  startingLogin = true;
  cancelWhenStarted = false;
  try {
    const started = ok(await commands.startLogin(chosenBroker(), email || null, pushAfterRenewal, place));
    currentLogin = started.id;
    startingLogin = false;
    if (cancelWhenStarted) {
      // Cancel was pressed while the start call was on its way.
      await cancelLogin();
      return;
    }
    setWaiting(true, started.note || "Waiting for you to finish signing in…");
    showBrowserSignIn("#browser-sign-in", started.browser);
    const early = earlyResults.get(started.id);
    earlyResults.clear();
    if (early) await loginFinished(early);
  } catch (e) {
    setWaiting(false, "");
    showError(e);
  } finally {
    startingLogin = false;
  }
}

/** The link and private-window commands of a sign-in in the browser, in the panel `at` (hidden
 * for a window). */
function showBrowserSignIn(at: string, browser: BrowserSignIn | null): void {
  const panel = $(at);
  panel.hidden = browser === null;
  if (!browser) return;
  $(".browser-link", panel).textContent = browser.link;
  $(".private-commands", panel).replaceChildren(
    ...browser.private_window_commands.map((command) => {
      const item = document.createElement("li");
      const code = document.createElement("code");
      code.textContent = command;
      item.append(code);
      return item;
    }),
  );
}

async function copyBrowserLink(at: string, status: string): Promise<void> {
  try {
    ok(await commands.copySignInLink($(".browser-link", $(at)).textContent ?? ""));
    $(status).textContent = "Sign-in link copied: paste it into a private window of the browser your organisation allows.";
  } catch (e) {
    showError(e);
  }
}

async function cancelLogin(): Promise<void> {
  if (startingLogin) cancelWhenStarted = true;
  if (currentLogin !== null) {
    try {
      ok(await commands.cancelLogin(currentLogin));
    } catch (e) {
      showError(e);
    }
  }
  currentLogin = null;
  pushAfterRenewal = null;
  setWaiting(false, "");
  showBrowserSignIn("#browser-sign-in", null);
  $("#login-panel").hidden = true;
}

async function fileToken(event: Event): Promise<void> {
  event.preventDefault();
  clearError();
  if (currentLogin === null) return;
  try {
    ok(await commands.fileToken(currentLogin, $<HTMLInputElement>("#org-input").value.trim()));
  } catch (e) {
    showError(e);
  }
}

async function loginFinished(result: LoginFinished): Promise<void> {
  if (result.id !== currentLogin) {
    // Possibly the one whose start call has not returned yet; an older one's result is dropped
    // when the next start returns.
    earlyResults.set(result.id, result);
    return;
  }
  if (result.outcome !== "needs-org") {
    pushAfterRenewal = null;
    showBrowserSignIn("#browser-sign-in", null);
  }
  switch (result.outcome) {
    case "stored":
      currentLogin = null;
      setWaiting(false, result.warning ? `Token stored, with a warning: ${result.warning}` : "Token stored in your OS keyring.");
      $("#login-panel").hidden = true;
      if (result.pushing) {
        await refresh();
        const card = cardOf(result.summary.org_id, result.summary.broker_id);
        if (card) {
          busyCards.add(cardKey(result.summary.org_id, result.summary.broker_id));
          withSpinner($(".entra-result", card), "Token renewed; pushing it into the linked jobs…");
          $<HTMLButtonElement>(".push", card).disabled = true;
        }
        return;
      }
      break;
    case "in-memory-only":
      currentLogin = null;
      setWaiting(false, "");
      $("#login-panel").hidden = true;
      showError(result.warning);
      break;
    case "needs-org":
      setWaiting(false, "Token captured; it carries no org ID.");
      $("#org-reason").textContent = result.reason;
      $("#org-form").hidden = false;
      $<HTMLInputElement>("#org-input").focus();
      break;
    case "failed":
      currentLogin = null;
      setWaiting(false, "");
      showError(result.error);
      break;
  }
  await refresh();
}

async function refreshSandbox(): Promise<void> {
  const info = ok(await commands.sandboxInfo());
  $("#sandbox-panel").hidden = !info.running && info.problem === null;
  $("#sandbox-problem").hidden = info.problem === null;
  $("#sandbox-problem").textContent = info.problem ?? "";
  $("#sandbox-running").hidden = !info.running;
  if (!info.running) return;
  $("#sandbox-tenant").textContent = info.tenant_url ?? "";
  $("#sandbox-entra").textContent = info.entra_base ?? "";
  const entries = ok(await commands.sandboxLog());
  const body = $("#sandbox-log tbody");
  body.replaceChildren(
    ...entries.slice(-12).reverse().map((e) => {
      const row = document.createElement("tr");
      const origin = e.origin === "entra" ? "Entra" : "Webex";
      for (const cell of [origin, e.method, e.path, String(e.status), (e.latency_ms ?? 0).toFixed(1)]) {
        const td = document.createElement("td");
        td.textContent = cell;
        row.append(td);
      }
      return row;
    }),
  );
}

async function setupStartAtLogin(): Promise<void> {
  const box = $<HTMLInputElement>("#start-at-login");
  box.checked = ok(await commands.startAtLogin());
  box.addEventListener("change", async () => {
    clearError();
    try {
      box.checked = ok(await commands.setStartAtLogin(box.checked));
    } catch (e) {
      box.checked = !box.checked;
      showError(e);
    }
  });
}

async function main(): Promise<void> {
  $("#get-token").addEventListener("click", () => openLogin());
  void setupStartAtLogin().catch(showError);
  $("#login-form").addEventListener("submit", (e) => void startLogin(e, "window"));
  $("#start-login-browser").addEventListener("click", (e) => void startLogin(e, "browser"));
  $("#copy-browser-link").addEventListener("click", () => void copyBrowserLink("#browser-sign-in", "#login-status"));
  $("#copy-entra-browser-link").addEventListener("click", () => void copyBrowserLink("#entra-browser-sign-in", "#entra-status"));
  $("#org-form").addEventListener("submit", fileToken);
  $("#cancel-login").addEventListener("click", cancelLogin);
  $("#quit").addEventListener("click", () => void commands.quitApp().then((r) => r.status === "error" && showError(r.error)));
  await events.loginFinished.listen(({ payload }) => void loginFinished(payload));
  await events.entraLoginFinished.listen(({ payload }) => void entraLoginFinished(payload));
  await events.renewalPushed.listen(({ payload }) => void renewalPushed(payload));
  $("#entra-sign-in").addEventListener("click", () => void signInToEntra("window"));
  $("#entra-sign-in-browser").addEventListener("click", () => void signInToEntra("browser"));
  $("#entra-cancel").addEventListener("click", () => void cancelEntraLogin());
  $("#entra-sign-out").addEventListener("click", () => void signOutOfEntra());
  void setupBackgroundWatch();
  void setupNetworkPanel().catch(showError);
  await events.tokensChanged.listen(() => void refresh());
  await events.clipboardCleared.listen(({ payload }) => {
    const el = document.querySelector<HTMLElement>(`.clipboard[data-copy="${payload.copy}"]`);
    if (!el) return;
    window.clearInterval(Number(el.dataset.timer ?? 0));
    el.textContent = payload.message;
    delete el.dataset.copy;
    delete el.dataset.copied;
  });
  let secondLaunches = 0;
  await events.secondInstance.listen(() => {
    secondLaunches += 1;
    document.body.dataset.secondLaunches = String(secondLaunches);
    $("#notice").textContent = "scim-token is already running — here it is.";
  });
  await refreshSandbox();
  choices = ok(await commands.signInChoices());
  fillSelect($<HTMLSelectElement>("#broker"), choices.brokers);
  fillSelect($<HTMLSelectElement>("#entra-cloud"), choices.clouds);
  $<HTMLSelectElement>("#broker").value = choices.preferred;
  if (choices.preferred === "sandbox") $<HTMLSelectElement>("#entra-cloud").value = "sandbox";
  await refreshEntraSession().catch(showError);
  await refresh();
  window.setInterval(tick, 1000);
  // Each read redeems a refresh token at Entra: a few minutes apart is plenty for a glance.
  window.setInterval(() => {
    for (const s of summaries) {
      const card = cardOf(s.org_id, s.broker_id);
      if (card && s.links.length > 0) void showHealth(card, s);
    }
  }, 300_000);
  window.setInterval(() => void refreshSandbox().catch(() => undefined), 2000);
}

void main();
