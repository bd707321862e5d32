// One sign-in lifecycle for both kinds (Webex and Entra): start it, show its note (and the link
// of a sign-in in the browser) while waiting, then ask for its outcome by id. Rust keeps the
// outcome until asked and Cancel ends whichever sign-in of the kind is in progress, so nothing
// here races a start call.

import { commands, type BrowserSignIn, type CommandError, type SignInKind, type SignInPlace, type SignInStarted } from "./bindings";
import { $, ok, showError, withSpinner } from "./ui";

type Result<T> = { status: "ok"; data: T } | { status: "error"; error: CommandError };

/** Where a kind of sign-in shows itself. */
export interface SignInView {
  /** The status line: the note while waiting. */
  status: HTMLElement;
  /** The panel with a browser sign-in's link and private-window commands. */
  browserPanel: string;
  /** Buttons wait (and Cancel shows) while a sign-in runs. */
  setWaiting(waiting: boolean): void;
}

export class SignInLifecycle {
  /** The sign-in in progress (or waiting for its org), once its start call has replied. */
  id: number | null = null;
  /** Bumped by every start and Cancel: an older run's outcome is not shown. */
  private run = 0;

  constructor(private readonly kind: SignInKind, private readonly view: SignInView) {}

  /** Starts a sign-in and resolves with its outcome; `null` when it did not start (the error is
   * shown) or when a Cancel or a newer sign-in superseded it. */
  async signIn<O>(place: SignInPlace, start: () => Promise<Result<SignInStarted>>, outcome: (id: number) => Promise<Result<O>>): Promise<O | null> {
    const run = ++this.run;
    this.view.setWaiting(true);
    withSpinner(this.view.status, place === "browser" ? "Opening your browser…" : "Opening the sign-in window…");
    const started = await this.awaitCurrent(run, start);
    if (started === null) return null;
    this.id = started.id;
    withSpinner(this.view.status, started.note);
    showBrowserSignIn(this.view.browserPanel, started.browser);
    const result = await this.awaitCurrent(run, () => outcome(started.id));
    if (result === null) return null;
    showBrowserSignIn(this.view.browserPanel, null);
    this.view.setWaiting(false);
    return result;
  }

  /** A command's data, or `null` when run `run` is no longer the current one (a Cancel or a newer
   * sign-in overtook it: they already said enough) or the command failed (shown, buttons back). */
  private async awaitCurrent<T>(run: number, call: () => Promise<Result<T>>): Promise<T | null> {
    let data: T;
    try {
      data = ok(await call());
    } catch (e) {
      if (run !== this.run) return null;
      this.finish("");
      showError(e);
      return null;
    }
    return run === this.run ? data : null;
  }

  /** Cancels the sign-in of this kind in progress, even one whose start has not replied. */
  async cancel(): Promise<void> {
    this.run++;
    this.finish("");
    try {
      ok(await commands.cancelSignIn(this.kind));
    } catch (e) {
      showError(e);
    }
  }

  /** The sign-in is over: buttons back, the status says `text`. */
  finish(text: string): void {
    this.id = null;
    this.view.setWaiting(false);
    this.view.status.textContent = text;
    showBrowserSignIn(this.view.browserPanel, null);
  }
}

/** The link and private-window commands of a sign-in in the browser, in the panel `at` (hidden
 * for a window). */
export function showBrowserSignIn(at: string, browser: BrowserSignIn | null): void {
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

/** Puts the link of the browser sign-in shown in `at` on the clipboard; says so in `status`. */
export async function copyBrowserLink(at: string, status: string): Promise<void> {
  try {
    ok(await commands.copySignInLink($(".browser-link", $(at)).textContent ?? ""));
    $(status).textContent = "Sign-in link copied: paste it into a private window of the browser your organisation allows.";
  } catch (e) {
    showError(e);
  }
}
