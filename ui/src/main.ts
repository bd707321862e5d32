// The scim-token dashboard. Every action is a command implemented in Rust (src-tauri), called
// through the generated, typed bindings in ./bindings.ts; the panels (a module each) only render
// what the commands return, and keep what they must in one state object (state.ts). The DOM is
// built with elements and textContent, never from HTML strings. This file wires the panels.

import { commands, events } from "./bindings";
import { type CardDeps, markPushing, renewalPushed } from "./card-entra";
import { refreshEntraSession, setupEntraPanel } from "./entra-panel";
import { setupNetworkPanel } from "./network";
import { clipboardCleared, refresh, refreshHealth, resync, tick } from "./org-card";
import { refreshSandbox } from "./sandbox-panel";
import { setupSettings } from "./settings";
import { state } from "./state";
import { $, fillSelect, ok, showError } from "./ui";
import { setupWebexSignIn } from "./webex-sign-in";

async function main(): Promise<void> {
  const cards: CardDeps = {
    openSignIn: (broker, account, renewFor) => webex.open(broker, account, renewFor),
    refresh: () => refresh(cards),
  };
  const webex = setupWebexSignIn({ refresh: cards.refresh, markPushing: (summary) => markPushing(summary, cards) });
  setupEntraPanel(cards.refresh);
  $("#get-token").addEventListener("click", () => webex.open());
  $("#quit").addEventListener("click", () => void commands.quitApp().then((r) => r.status === "error" && showError(r.error)));
  void setupSettings().catch(showError);
  void setupNetworkPanel().catch(showError);
  await events.renewalPushed.listen(({ payload }) => void renewalPushed(payload, cards));
  await events.tokensChanged.listen(() => void cards.refresh());
  await events.clipboardCleared.listen(({ payload }) => clipboardCleared(payload));
  let secondLaunches = 0;
  await events.secondInstance.listen(() => {
    secondLaunches += 1;
    document.body.dataset.secondLaunches = String(secondLaunches);
    $("#notice").textContent = "scim-token is already running — here it is.";
  });
  await refreshSandbox();
  state.choices = ok(await commands.signInChoices());
  fillSelect($<HTMLSelectElement>("#broker"), state.choices.brokers);
  fillSelect($<HTMLSelectElement>("#entra-cloud"), state.choices.clouds);
  $<HTMLSelectElement>("#broker").value = state.choices.preferred;
  if (state.choices.preferred === "sandbox") $<HTMLSelectElement>("#entra-cloud").value = "sandbox";
  await refreshEntraSession().catch(showError);
  await cards.refresh();
  window.setInterval(() => tick(), 1000);
  // Core's seconds again now and then, and when the window comes back (after the computer slept).
  window.setInterval(() => void resync(cards), 60_000);
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible") void resync(cards);
  });
  // Each read redeems a refresh token at Entra: a few minutes apart is plenty for a glance.
  window.setInterval(() => refreshHealth(cards), 300_000);
  window.setInterval(() => void refreshSandbox().catch(() => undefined), 2000);
}

void main();
