// A card's Entra section: the jobs its token feeds with their health, linking another app's job,
// unlinking, and pushing (a first push shows its plan and asks before anything is written).

import { commands, type AfterRenewalView, type JobHealthView, type PushView, type RenewalPushed, type RenewFor, type TokenView } from "./bindings";
import { cardKey, cardOf, state } from "./state";
import { $, clearError, messageOf, ok, showError, withSpinner } from "./ui";

/** What a card asks of the rest of the dashboard. */
export interface CardDeps {
  /** Opens the sign-in panel for a Renew (and push, with `renewFor`). */
  openSignIn(broker: TokenView["broker_id"], account: string | null, renewFor: RenewFor | null): void;
  /** Lists the tokens again. */
  refresh(): Promise<void>;
}

/** Shows a push result in the card and keeps it for the next redraw. `offerStart`: a job was (or
 * would be) left paused, so the card offers Push and start, the one way the app starts it. */
export function showResult(card: HTMLElement, text: string, bad: boolean, offerStart = false): void {
  const result = $(".entra-result", card);
  result.textContent = text;
  result.classList.remove("ok", "bad");
  result.classList.add(bad ? "bad" : "ok");
  $(".push-start", card).hidden = !offerStart;
  if (card.dataset.key) state.lastResults.set(card.dataset.key, { text, bad, offerStart });
}

/** A job's badge class, by core's verdict. */
function jobBadgeClass(h: JobHealthView): string {
  return { healthy: "job-active", stopped: "job-other", quarantined: "job-quarantine", "last-cycle-failed": "job-quarantine", "sign-in-needed": "job-unknown", unreadable: "job-unknown" }[h.verdict];
}

/** Reads and lists the health of the jobs `s` feeds. */
export async function showHealth(card: HTMLElement, s: TokenView, deps: CardDeps): Promise<void> {
  const list = $(".entra-jobs", card);
  withSpinner(list, "Reading the jobs' health…");
  try {
    const health = ok(await commands.entraHealth(s.org_id, s.broker_id));
    list.replaceChildren(...health.map((h) => jobItem(s, h, deps)));
  } catch (e) {
    list.textContent = messageOf(e);
  }
}

function jobItem(s: TokenView, h: JobHealthView, deps: CardDeps): HTMLElement {
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
  unlink.addEventListener("click", () => void run(async () => ok(await commands.entraUnlink(s.org_id, s.broker_id, h.app_id)), deps));
  item.append(badge, what, unlink);
  return item;
}

/** Runs a change, then lists the tokens again; a failure is shown. */
async function run(change: () => Promise<unknown>, deps: CardDeps): Promise<void> {
  try {
    await change();
    await deps.refresh();
  } catch (e) {
    showError(e);
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

/** Shows the dry run's plan in the card and resolves with the admin's answer. */
function confirmPlan(card: HTMLElement, reports: PushView[]): Promise<boolean> {
  const panel = $(".entra-plan", card);
  $(".entra-plan-text", card).textContent = `First push to this job — nothing has been written yet. ${reports.map((r) => r.text).join(" ")}`;
  const confirm = $<HTMLButtonElement>(".entra-plan-confirm", card);
  const cancel = $<HTMLButtonElement>(".entra-plan-cancel", card);
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
    confirm.addEventListener("click", yes);
    cancel.addEventListener("click", no);
  });
}

function showReports(card: HTMLElement, reports: PushView[]): void {
  showResult(card, reports.map((r) => r.text).join(" "), reports.some((r) => r.failed), reports.some((r) => r.left_paused));
}

async function push(card: HTMLElement, s: TokenView, deps: CardDeps, startPaused = false): Promise<void> {
  clearError();
  const result = $(".entra-result", card);
  result.classList.remove("ok", "bad");
  const key = cardKey(s.org_id, s.broker_id);
  state.busyCards.add(key);
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
    showReports(card, reports);
    // Core noted each stored push in the record; the card's copy learns it without a redraw
    // (which would drop the result above), so the next push does not ask again.
    for (const r of reports.filter((r) => r.stored === true)) {
      for (const l of s.links.filter((l) => l.app_id === r.app_id && l.job_id === r.job_id)) l.pushed = true;
    }
    await showHealth(card, s, deps);
  } catch (e) {
    showResult(card, messageOf(e), true);
  } finally {
    state.busyCards.delete(key);
    $<HTMLButtonElement>(".push", card).disabled = false;
  }
}

/** Wires the card's Entra section for token `s`. */
export function setupEntra(card: HTMLElement, s: TokenView, deps: CardDeps): void {
  const linked = s.links.length > 0;
  $(".push", card).hidden = !linked;
  $(".renew-push", card).hidden = !linked;
  $(".entra-refresh", card).hidden = !linked;
  $(".entra-refresh", card).addEventListener("click", () => void showHealth(card, s, deps));
  $(".entra-pick", card).textContent = linked ? "Link another Entra app…" : "Link to an Entra app…";
  $(".entra-pick", card).addEventListener("click", () => void pickEntraApp(card));
  $(".entra-link", card).addEventListener("click", () => {
    const [appId, jobId] = $<HTMLSelectElement>(".entra-choice", card).value.split("|");
    void run(async () => ok(await commands.entraLink(s.org_id, s.broker_id, appId, jobId ?? null)), deps);
  });
  $(".push", card).addEventListener("click", () => void push(card, s, deps));
  $(".push-start", card).addEventListener("click", () => void push(card, s, deps, true));
  $(".renew-push", card).addEventListener("click", () => deps.openSignIn(s.broker_id, s.account, { org: s.org_id, broker: s.broker_id }));
  if (linked) void showHealth(card, s, deps);
}

/** A renewed token's card while core pushes it: busy, with a spinner; or, when the push already
 * ended, what it did. */
export function markPushing(summary: TokenView, deps: CardDeps): void {
  const key = cardKey(summary.org_id, summary.broker_id);
  const ended = state.earlyRenewals.get(key);
  if (ended) {
    state.earlyRenewals.delete(key);
    void renewalPushed(ended, deps);
    return;
  }
  const card = cardOf(summary.org_id, summary.broker_id);
  if (!card) return;
  state.busyCards.add(key);
  withSpinner($(".entra-result", card), "Token renewed; pushing it into the linked jobs…");
  $<HTMLButtonElement>(".push", card).disabled = true;
}

/** What core's "renew and push" did once the renewal was stored. */
export async function renewalPushed(event: RenewalPushed, deps: CardDeps): Promise<void> {
  const key = cardKey(event.renewed.org, event.renewed.broker);
  if (!state.busyCards.has(key) && !state.earlyRenewals.has(key) && state.pendingRenewal === key) {
    // The sign-in's outcome has not reached the panel yet: kept for markPushing.
    state.earlyRenewals.set(key, event);
    return;
  }
  state.busyCards.delete(key);
  const card = cardOf(event.renewed.org, event.renewed.broker);
  if (!card) return;
  $<HTMLButtonElement>(".push", card).disabled = false;
  if (event.card) {
    await showRenewalPush(card, event.card, event.outcome, deps);
  } else {
    // The record could not be read back; what the push did is still told.
    showResult(card, event.outcome.outcome === "not-pushed" ? `Token renewed, not pushed: ${event.outcome.reason}` : "Token renewed; reload the card to see the push.", true);
  }
}

async function showRenewalPush(card: HTMLElement, s: TokenView, after: AfterRenewalView, deps: CardDeps): Promise<void> {
  $(".entra-result", card).classList.remove("ok", "bad");
  switch (after.outcome) {
    case "plan-first":
      // A job never pushed to shows its plan before anything is written.
      await push(card, s, deps);
      return;
    case "not-pushed":
      showResult(card, `Token renewed, not pushed: ${after.reason}`, true);
      return;
    case "pushed":
      showReports(card, after.reports);
      await showHealth(card, s, deps);
  }
}
