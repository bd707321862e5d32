// The Entra panel: which Entra sign-in the app keeps, a sign-in to a cloud and tenant in the
// app's window or the browser, and sign-out.

import { commands, type Cloud, type EntraSignInOutcome, type SignInPlace } from "./bindings";
import { SignInLifecycle, copyBrowserLink } from "./sign-in";
import { state } from "./state";
import { $, clearError, ok, showError } from "./ui";

function chosenCloud(): Cloud {
  const key = $<HTMLSelectElement>("#entra-cloud").value;
  const chosen = state.choices?.clouds.find((c) => c.key === key) ?? state.choices?.clouds[0];
  return chosen ? chosen.value : { kind: "global" };
}

/** Shows the kept Entra sign-in, if any. */
export async function refreshEntraSession(): Promise<void> {
  const sessions = ok(await commands.entraSessions());
  const line = $("#entra-session");
  if (sessions.length === 0) return;
  const s = sessions[0];
  line.textContent = s.description;
  line.dataset.signedIn = "true";
  $("#entra-sign-out").hidden = false;
}

/** Wires the panel's controls; `refresh` lists the tokens again (their jobs' health changes). */
export function setupEntraPanel(refresh: () => Promise<void>): void {
  const status = $("#entra-status");
  const sign = new SignInLifecycle("entra", {
    status,
    browserPanel: "#entra-browser-sign-in",
    setWaiting(waiting) {
      $<HTMLButtonElement>("#entra-sign-in").disabled = waiting;
      $<HTMLButtonElement>("#entra-sign-in-browser").disabled = waiting;
      $("#entra-cancel").hidden = !waiting;
    },
  });

  async function finished(outcome: EntraSignInOutcome): Promise<void> {
    if (outcome.outcome === "signed-in") {
      sign.finish("Signed in to Entra; the refresh token is in your OS keyring.");
      await refreshEntraSession();
      await refresh();
    } else if (outcome.error.kind === "entra-policy") {
      // The window is what the policy refused: the browser is the way out.
      sign.finish("Your organisation's sign-in policy refused the sign-in window: sign in with Use my browser.");
      showError(outcome.error);
      $<HTMLButtonElement>("#entra-sign-in-browser").focus();
    } else if (outcome.error.kind === "cancelled") {
      // A window closed on a page that refused it looks the same as one closed by hand.
      sign.finish("If the sign-in page refused the window, press Use my browser.");
      showError(outcome.error);
    } else {
      sign.finish("");
      showError(outcome.error);
    }
  }

  async function signIn(place: SignInPlace): Promise<void> {
    clearError();
    const tenant = $<HTMLInputElement>("#entra-tenant").value.trim();
    const client = $<HTMLInputElement>("#entra-client").value.trim();
    const outcome = await sign.signIn(
      place,
      () => commands.startEntraSignIn({ cloud: chosenCloud(), tenant: tenant || null, client_id: client || null }, place),
      (id) => commands.entraSignInOutcome(id),
    );
    if (outcome) await finished(outcome);
  }

  async function signOut(): Promise<void> {
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

  $("#entra-sign-in").addEventListener("click", () => void signIn("window"));
  $("#entra-sign-in-browser").addEventListener("click", () => void signIn("browser"));
  $("#entra-cancel").addEventListener("click", () => void sign.cancel());
  $("#copy-entra-browser-link").addEventListener("click", () => void copyBrowserLink("#entra-browser-sign-in", "#entra-status"));
  $("#entra-sign-out").addEventListener("click", () => void signOut());
}
