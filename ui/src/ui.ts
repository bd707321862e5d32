// What every panel of the dashboard shares: finding its elements, unwrapping a command's typed
// result, showing an error, and a spinner while it waits.

import type { CommandError } from "./bindings";

/** The element `selector` names (below `root`); its absence is a bug, thrown. */
export const $ = <T extends HTMLElement>(selector: string, root: ParentNode = document): T => {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
};

/** A command's failure: core's typed error, thrown so a caller's catch gets it whole. */
class CommandFailure extends Error {
  constructor(readonly error: CommandError) {
    super(error.message);
  }
}

/** A command's data, or its typed error thrown. Tauri's own refusals (an argument it cannot
 * read, a permission) arrive as plain text, not a CommandError: they are wrapped, never lost. */
export function ok<T>(result: { status: "ok"; data: T } | { status: "error"; error: CommandError }): T {
  if (result.status === "ok") return result.data;
  const error: unknown = result.error;
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    throw new CommandFailure(result.error);
  }
  throw new CommandFailure({ kind: "invalid-argument", message: String(error) });
}

/** What to show for a failure: a command's message, a typed error's, or the exception's. */
export function messageOf(error: unknown): string {
  if (error instanceof CommandFailure) return error.error.message;
  if (error instanceof Error) return error.message;
  if (typeof error === "object" && error !== null && "message" in error && typeof error.message === "string") {
    return error.message;
  }
  return String(error);
}

export function showError(error: unknown): void {
  const box = $("#error");
  box.textContent = messageOf(error);
  box.hidden = false;
}

export function clearError(): void {
  $("#error").hidden = true;
}

/** A spinner followed by text, as elements. */
export function withSpinner(target: HTMLElement, text: string): void {
  const spinner = document.createElement("span");
  spinner.className = "spinner";
  target.replaceChildren(spinner, document.createTextNode(text));
}


/** Fills a select with Rust's choices. */
export function fillSelect(select: HTMLSelectElement, options: { key: string; label: string }[]): void {
  select.replaceChildren(
    ...options.map((c) => {
      const option = document.createElement("option");
      option.value = c.key;
      option.textContent = c.label;
      return option;
    }),
  );
}
