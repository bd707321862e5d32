// The settings: start at login, and the background watch (the OS scheduler's daily check).

import { commands } from "./bindings";
import { $, clearError, ok, showError } from "./ui";

/** A checkbox bound to a setting: written on change (and put back if that fails), read once. The
 * change is listened for before the read returns, so a click in the meantime is not lost (and the
 * read does not undo it). */
async function bindSetting(selector: string, read: () => Promise<boolean>, write: (on: boolean) => Promise<boolean>, unavailable: string): Promise<void> {
  const box = $<HTMLInputElement>(selector);
  let changed = false;
  box.addEventListener("change", async () => {
    changed = true;
    clearError();
    try {
      box.checked = await write(box.checked);
    } catch (e) {
      box.checked = !box.checked;
      showError(e);
    }
  });
  try {
    const on = await read();
    if (!changed) box.checked = on;
  } catch {
    if (changed) return;
    box.disabled = true;
    box.parentElement!.title = unavailable;
  }
}

/** Wires both settings, side by side. */
export async function setupSettings(): Promise<void> {
  await Promise.all([
    bindSetting(
      "#start-at-login",
      async () => ok(await commands.startAtLogin()),
      async (on) => ok(await commands.setStartAtLogin(on)),
      "Starting at login is not available here.",
    ),
    bindSetting(
      "#background-watch",
      async () => ok(await commands.watchStatus()).enabled,
      async (on) => ok(await commands.setWatch(on)).enabled,
      "The background watch is not available here.",
    ),
  ]);
}
