// The Webex sign-in panel: the broker and the admin's e-mail, a sign-in in the app's window or the
// browser, the org ID a token without one is filed under, and how the sign-in ended.

import { commands, type BrokerId, type RenewFor, type SignInPlace, type TokenView, type WebexSignInOutcome } from "./bindings";
import { SignInLifecycle, copyBrowserLink } from "./sign-in";
import { cardKey, state } from "./state";
import { $, clearError, ok, showError, withSpinner } from "./ui";

/** What the panel asks of the rest of the dashboard. */
export interface WebexSignInDeps {
  /** Lists the tokens again. */
  refresh(): Promise<void>;
  /** A renewed token's card shows its push under way. */
  markPushing(summary: TokenView): void;
}

export interface WebexSignInPanel {
  /** Opens the panel, for a Renew with its broker and account filled in. */
  open(broker?: BrokerId, account?: string | null, renewFor?: RenewFor | null): void;
}

/** The select's value for a broker. */
function brokerChoice(broker: BrokerId): string {
  if (broker.kind === "custom") return "custom";
  return state.choices?.brokers.find((c) => c.value.kind === broker.kind)?.key ?? "webex";
}

/** Offers the custom broker a Renew asks for as an option of its own. */
function offerCustom(broker: BrokerId): void {
  if (broker.kind !== "custom") return;
  state.renewBroker = broker;
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
  if (key === "custom" && state.renewBroker) return state.renewBroker;
  const chosen = state.choices?.brokers.find((c) => c.key === key) ?? state.choices?.brokers[0];
  return chosen ? chosen.value : { kind: "webex" };
}

/** Wires the panel's controls. */
export function setupWebexSignIn(deps: WebexSignInDeps): WebexSignInPanel {
  const status = $("#sign-in-status");
  const sign = new SignInLifecycle("webex", {
    status,
    browserPanel: "#browser-sign-in",
    setWaiting(waiting) {
      $<HTMLButtonElement>("#start-sign-in").disabled = waiting;
      $<HTMLButtonElement>("#start-sign-in-browser").disabled = waiting;
    },
  });

  function close(): void {
    state.pushAfterRenewal = null;
    $("#sign-in-panel").hidden = true;
  }

  async function finished(outcome: WebexSignInOutcome): Promise<void> {
    if (outcome.outcome !== "needs-org") state.pushAfterRenewal = null;
    const renewal = state.pendingRenewal;
    if (outcome.outcome !== "needs-org") state.pendingRenewal = null;
    switch (outcome.outcome) {
      case "stored":
        sign.finish(outcome.warning ? `Token stored, with a warning: ${outcome.warning}` : "Token stored in your OS keyring.");
        close();
        if (outcome.pushing) {
          // Still pending while the cards are drawn: a push that ends meanwhile waits for them.
          state.pendingRenewal = renewal;
          await deps.refresh();
          state.pendingRenewal = null;
          deps.markPushing(outcome.summary);
          return;
        }
        break;
      case "in-memory-only":
        sign.finish("");
        close();
        showError(outcome.warning);
        break;
      case "needs-org":
        status.textContent = "Token captured; it carries no org ID.";
        $("#org-reason").textContent = outcome.reason;
        $("#org-form").hidden = false;
        $<HTMLInputElement>("#org-input").focus();
        break;
      case "failed":
        sign.finish("");
        showError(outcome.error);
        break;
    }
    await deps.refresh();
  }

  async function start(event: Event, place: SignInPlace): Promise<void> {
    event.preventDefault();
    clearError();
    $("#org-form").hidden = true;
    const email = $<HTMLInputElement>("#email").value.trim();
    const renewFor = state.pushAfterRenewal;
    state.pendingRenewal = renewFor ? cardKey(renewFor.org, renewFor.broker) : null;
    const outcome = await sign.signIn(
      place,
      () => commands.startWebexSignIn(chosenBroker(), email || null, renewFor, place),
      (id) => commands.webexSignInOutcome(id),
    );
    if (outcome) await finished(outcome);
  }

  async function fileToken(event: Event): Promise<void> {
    event.preventDefault();
    clearError();
    if (sign.id === null) return;
    try {
      withSpinner(status, "Filing the token…");
      await finished(ok(await commands.fileToken(sign.id, $<HTMLInputElement>("#org-input").value.trim())));
    } catch (e) {
      status.textContent = "";
      showError(e);
    }
  }

  $("#sign-in-form").addEventListener("submit", (e) => void start(e, "window"));
  $("#start-sign-in-browser").addEventListener("click", (e) => void start(e, "browser"));
  $("#copy-browser-link").addEventListener("click", () => void copyBrowserLink("#browser-sign-in", "#sign-in-status"));
  $("#org-form").addEventListener("submit", (e) => void fileToken(e));
  $("#cancel-sign-in").addEventListener("click", () => {
    close();
    void sign.cancel();
  });

  return {
    open(broker, account, renewFor) {
      clearError();
      // Only a "Renew and push" pushes; any other sign-in forgets an earlier one's wish.
      state.pushAfterRenewal = renewFor ?? null;
      $("#sign-in-panel").hidden = false;
      $("#org-form").hidden = true;
      const select = $<HTMLSelectElement>("#broker");
      if (broker) {
        offerCustom(broker);
        select.value = brokerChoice(broker);
      }
      if (account) $<HTMLInputElement>("#email").value = account;
      select.focus();
    },
  };
}
