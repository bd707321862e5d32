// The org cards: one per stored token, with its Tenant URL, countdown, copy (and the clipboard's
// timed clear), Test Connection, Renew, Forget, and its Entra section (card-entra.ts).

import { commands, type ClipboardCleared, type CopyWhat, type TokenView } from "./bindings";
import { type CardDeps, setupEntra, showHealth, showResult } from "./card-entra";
import { countdown, secondsLeftNow } from "./countdown";
import { cardKey, cardOf, state } from "./state";
import { $, clearError, messageOf, ok, showError, withSpinner } from "./ui";

/** Updates every countdown to `now` (`performance.now()`). */
export function tick(now: number = performance.now()): void {
  document.querySelectorAll<HTMLElement>(".countdown").forEach((el) => {
    el.textContent = countdown(secondsLeftNow(Number(el.dataset.secondsLeft), state.listedAt, now));
  });
}

/** Draws the cards from `state.summaries`; a card with a push under way is kept as it is. */
export function render(deps: CardDeps): void {
  const list = $("#orgs");
  const kept = new Map([...list.querySelectorAll<HTMLElement>(".card")].map((c) => [c.dataset.key ?? "", c]));
  list.replaceChildren();
  $("#empty").hidden = state.summaries.length > 0;
  const template = $<HTMLTemplateElement>("#org-card");
  for (const s of state.summaries) {
    const key = cardKey(s.org_id, s.broker_id);
    const busy = kept.get(key);
    if (busy && state.busyCards.has(key)) {
      list.append(busy);
      continue;
    }
    const card = template.content.firstElementChild!.cloneNode(true) as HTMLElement;
    fill(card, s, deps);
    list.append(card);
  }
  tick();
}

function fill(card: HTMLElement, s: TokenView, deps: CardDeps): void {
  const key = cardKey(s.org_id, s.broker_id);
  card.dataset.org = s.org_id;
  card.dataset.key = key;
  $(".org-id", card).textContent = s.org_id;
  const badge = $(".state", card);
  badge.textContent = s.state_label;
  badge.classList.add(s.state);
  $(".broker", card).textContent = s.broker_label;
  $(".account", card).textContent = s.account ?? "account unknown";
  $(".fingerprint", card).textContent = s.fingerprint;
  $(".tenant-url", card).textContent = s.tenant_url;
  const clock = $(".countdown", card);
  clock.dataset.secondsLeft = String(s.seconds_left);
  clock.title = `Expires ${s.expires_at}; broker said ${s.broker_expires_at ?? "nothing"}, documented limit ${s.documented_expires_at}`;
  $(".copy-url", card).addEventListener("click", () => void copy(card, s, "url"));
  $(".copy-token", card).addEventListener("click", () => void copy(card, s, "token"));
  $(".test", card).addEventListener("click", () => void testConnection(card, s));
  $(".renew", card).addEventListener("click", () => deps.openSignIn(s.broker_id, s.account, null));
  $(".forget", card).addEventListener("click", () => void forget(s, deps));
  setupEntra(card, s, deps);
  const last = state.lastResults.get(key);
  if (last) showResult(card, last.text, last.bad, last.offerStart);
}

/** Lists the tokens again and redraws. */
export async function refresh(deps: CardDeps): Promise<void> {
  try {
    const list = ok(await commands.listTokens());
    state.summaries = list.tokens;
    state.listedAt = performance.now();
    render(deps);
    if (list.problem) showError(list.problem);
  } catch (e) {
    showError(e);
  }
}

/** Lists the tokens again and moves each card's countdown to core's seconds, without a redraw
 * (a picker or a result on a card stays as it is); a changed set of tokens is drawn anew. The
 * monotonic clock the countdowns tick on stops while the computer sleeps: this puts them right. */
export async function resync(deps: CardDeps): Promise<void> {
  let list;
  try {
    list = ok(await commands.listTokens());
  } catch {
    return;
  }
  const keys = (tokens: TokenView[]) => tokens.map((s) => cardKey(s.org_id, s.broker_id)).join("\n");
  const same = keys(list.tokens) === keys(state.summaries);
  state.summaries = list.tokens;
  state.listedAt = performance.now();
  if (!same) {
    render(deps);
    return;
  }
  for (const s of list.tokens) {
    const card = cardOf(s.org_id, s.broker_id);
    const clock = card?.querySelector<HTMLElement>(".countdown");
    if (clock) clock.dataset.secondsLeft = String(s.seconds_left);
  }
  tick();
}

/** Reads every linked card's job health again. */
export function refreshHealth(deps: CardDeps): void {
  for (const s of state.summaries) {
    const card = cardOf(s.org_id, s.broker_id);
    if (card && s.links.length > 0) void showHealth(card, s, deps);
  }
}

const COPIED: Record<CopyWhat, string> = { url: "Tenant URL", token: "Secret Token" };

async function copy(card: HTMLElement, s: TokenView, what: CopyWhat): Promise<void> {
  clearError();
  const status = $(".clipboard", card);
  try {
    const started = ok(await commands.copyToClipboard(s.org_id, s.broker_id, what));
    let left = started.clears_in_secs;
    // Only one copy is on the clipboard: other cards stop counting down.
    document.querySelectorAll<HTMLElement>(".clipboard[data-copy]").forEach((el) => {
      window.clearInterval(Number(el.dataset.timer ?? 0));
      el.textContent = "";
      delete el.dataset.copy;
    });
    const say = () => (status.textContent = `${COPIED[what]} copied — clipboard clears in ${left} s`);
    say();
    const timer = window.setInterval(() => {
      left -= 1;
      if (left <= 0) window.clearInterval(timer);
      else say();
    }, 1000);
    status.dataset.timer = String(timer);
    status.dataset.copy = String(started.copy);
    status.dataset.copied = what;
  } catch (e) {
    showError(e);
  }
}

/** The card whose copy was due to be cleared says what became of it. */
export function clipboardCleared(event: ClipboardCleared): void {
  const el = document.querySelector<HTMLElement>(`.clipboard[data-copy="${event.copy}"]`);
  if (!el) return;
  window.clearInterval(Number(el.dataset.timer ?? 0));
  el.textContent = event.message;
  delete el.dataset.copy;
  delete el.dataset.copied;
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

async function forget(s: TokenView, deps: CardDeps): Promise<void> {
  if (!window.confirm(`Remove the token for org ${s.org_id} (${s.broker_label}) from this computer? Azure keeps working until the token expires.`)) return;
  try {
    ok(await commands.forgetToken(s.org_id, s.broker_id));
    await deps.refresh();
  } catch (e) {
    showError(e);
  }
}
