// The settings: start at login, and the background watch (the OS scheduler's daily check).

import { commands } from "./bindings";
import { $, clearError, ok, showError } from "./ui";

/** A checkbox bound to a setting: read once, written on change (and put back if that fails). */
async function bindSetting(selector: string, read: () => Promise<boolean>, write: (on: boolean) => Promise<boolean>, unavailable: string): Promise<void> {
  const box = $<HTMLInputElement>(selector);
  try {
    box.checked = await read();
  } catch {
    box.disabled = true;
    box.parentElement!.title = unavailable;
    return;
  }
  box.addEventListener("change", async () => {
    clearError();
    try {
      box.checked = await write(box.checked);
    } catch (e) {
      box.checked = !box.checked;
      showError(e);
    }
  });
}

/** Wires both settings. */
export async function setupSettings(): Promise<void> {
  await bindSetting(
    "#start-at-login",
    async () => ok(await commands.startAtLogin()),
    async (on) => ok(await commands.setStartAtLogin(on)),
    "Starting at login is not available here.",
  );
  await bindSetting(
    "#background-watch",
    async () => ok(await commands.watchStatus()).enabled,
    async (on) => ok(await commands.setWatch(on)).enabled,
    "The background watch is not available here.",
  );
}
