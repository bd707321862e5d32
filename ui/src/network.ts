// The network panel: which proxy the app's own requests use and where that comes from, the
// admin's choice of proxy, and the check of the way to Webex and Entra (core's `doctor`). The
// words are core's; this file only places them.

import { commands, type DoctorReport, type Finding, type NetworkView, type Step } from "./bindings";
import { $, clearError, ok, showError, withSpinner } from "./ui";

function showView(view: NetworkView): void {
  $("#network-proxy").textContent = view.line;
  $("#network-notes").replaceChildren(...view.notes.map((note) => {
    const item = document.createElement("li");
    item.textContent = note;
    return item;
  }));
  const select = $<HTMLSelectElement>("#proxy-choice");
  const url = $<HTMLInputElement>("#proxy-url");
  if (view.choice === "system" || view.choice === "direct") {
    select.value = view.choice;
  } else {
    select.value = "url";
    url.value = view.choice;
  }
  url.hidden = select.value !== "url";
}

function stepItem(name: string, step: Step): HTMLElement {
  const item = document.createElement("li");
  item.className = step.ok ? "step ok" : "step bad";
  item.textContent = `${step.ok ? "✓" : "✗"} ${name} (${step.millis} ms): ${step.detail}`;
  return item;
}

/** The report as a list: a host a row, its steps below; then the keyring, port 3000, clock. */
export function renderReport(report: DoctorReport, into: HTMLElement): void {
  const rows: HTMLElement[] = [];
  if (report.setup) {
    const row = document.createElement("li");
    row.className = "bad";
    row.textContent = `No host checked: ${report.setup}`;
    rows.push(row);
  }
  for (const host of report.hosts) {
    const row = document.createElement("li");
    row.className = "host";
    row.dataset.url = host.url;
    const title = document.createElement("strong");
    title.textContent = `${host.ok ? "✓" : "✗"} ${host.url}`;
    const why = document.createElement("span");
    why.className = "why";
    why.textContent = ` — ${host.needed_for.join("; ")}, via ${host.route}`;
    const steps = document.createElement("ul");
    steps.append(stepItem("name", host.dns), stepItem("connection", host.connect));
    if (host.tls) steps.append(stepItem("TLS", host.tls));
    steps.append(stepItem("HTTP", host.http));
    row.append(title, why, steps);
    rows.push(row);
  }
  const findings: [string, Finding][] = [["Keyring", report.keyring], ["Port 3000", report.port_3000], ["Clock", report.clock]];
  for (const [name, finding] of findings) {
    const row = document.createElement("li");
    row.className = finding.ok ? "ok" : "bad";
    row.textContent = `${finding.ok ? "✓" : "✗"} ${name}: ${finding.detail}`;
    rows.push(row);
  }
  into.replaceChildren(...rows);
}

async function checkNetwork(): Promise<void> {
  const status = $("#network-status");
  const button = $<HTMLButtonElement>("#check-network");
  button.disabled = true;
  clearError();
  withSpinner(status, "Checking the way to Webex and Entra (each step waits at most 10 s)…");
  try {
    const report = ok(await commands.checkNetwork());
    renderReport(report, $("#network-report"));
    status.textContent = `scim-token ${report.version} on ${report.platform}: ${
      report.ok ? "everything checked is fine." : "not everything is fine; each row says why."
    }`;
  } catch (e) {
    status.textContent = "";
    showError(e);
  } finally {
    button.disabled = false;
  }
}

async function saveChoice(event: Event): Promise<void> {
  event.preventDefault();
  clearError();
  const select = $<HTMLSelectElement>("#proxy-choice");
  const choice = select.value === "url" ? $<HTMLInputElement>("#proxy-url").value.trim() : select.value;
  if (choice === "") {
    showError(new Error("Give the proxy's address, such as http://proxy.example.com:8080."));
    return;
  }
  try {
    showView(ok(await commands.setProxy(choice)));
    $("#network-status").textContent = "Kept: scim-token's requests, here and from the command line, follow it.";
  } catch (e) {
    showError(e);
  }
}

/** Fills the panel and wires its controls. */
export async function setupNetworkPanel(): Promise<void> {
  const select = $<HTMLSelectElement>("#proxy-choice");
  select.addEventListener("change", () => {
    $<HTMLInputElement>("#proxy-url").hidden = select.value !== "url";
  });
  $("#proxy-form").addEventListener("submit", (e) => void saveChoice(e));
  $("#check-network").addEventListener("click", () => void checkNetwork());
  showView(ok(await commands.networkStatus()));
}
