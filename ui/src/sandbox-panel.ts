// The sandbox panel: whether the app's own sandbox runs, its Tenant URL and local Entra, and the
// requests it served last.

import { commands } from "./bindings";
import { $, ok } from "./ui";

/** Shows the sandbox's state and its recent requests. */
export async function refreshSandbox(): Promise<void> {
  const info = ok(await commands.sandboxInfo());
  $("#sandbox-panel").hidden = !info.running && info.problem === null;
  $("#sandbox-problem").hidden = info.problem === null;
  $("#sandbox-problem").textContent = info.problem ?? "";
  $("#sandbox-running").hidden = !info.running;
  if (!info.running) return;
  $("#sandbox-tenant").textContent = info.tenant_url ?? "";
  $("#sandbox-entra").textContent = info.entra_base ?? "";
  const entries = ok(await commands.sandboxLog());
  $("#sandbox-log tbody").replaceChildren(
    ...entries.slice(-12).reverse().map((e) => {
      const row = document.createElement("tr");
      for (const cell of [e.origin, e.method, e.path, String(e.status), (e.latency_ms ?? 0).toFixed(1)]) {
        const td = document.createElement("td");
        td.textContent = cell;
        row.append(td);
      }
      return row;
    }),
  );
}
