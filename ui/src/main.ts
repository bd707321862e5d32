// The scim-token dashboard. Every action is a Tauri command implemented in Rust (src-tauri);
// this file only renders what they return. Errors arrive as {kind, message}.

interface TauriGlobal {
  core: { invoke<T>(cmd: string, args?: Record<string, unknown>): Promise<T> };
  event: { listen<T>(name: string, handler: (event: { payload: T }) => void): Promise<() => void> };
}

interface TokenSummary {
  org_id: string; broker: string; broker_label: string; account: string | null; tenant_url: string;
  issued_at: string; broker_expires_at: string | null; documented_expires_at: string; expires_at: string;
  days_left: number; state: "fresh" | "renew-soon" | "expiring" | "expired"; fingerprint: string;
}
interface CommandError { kind: string; message: string }
interface LoginFinished { ok: boolean; summary?: TokenSummary; warning?: string; error?: CommandError }
interface SandboxInfo { running: boolean; base: string | null; tenant_url: string | null }
interface LogEntry { method: string; path: string; status: number; latency_ms: number }

const tauri = (window as unknown as { __TAURI__: TauriGlobal }).__TAURI__;
const { invoke } = tauri.core;
const { listen } = tauri.event;
const $ = <T extends HTMLElement>(selector: string, root: ParentNode = document): T => {
  const found = root.querySelector<T>(selector);
  if (!found) throw new Error(`missing ${selector}`);
  return found;
};

let summaries: TokenSummary[] = [];

function showError(error: unknown): void {
  const box = $("#error");
  const e = error as Partial<CommandError>;
  box.textContent = e && e.message ? e.message : String(error);
  box.hidden = false;
}

function clearError(): void {
  $("#error").hidden = true;
}

/** "12 days 4 h 03 min left" or "expired 2 days ago". */
function countdown(expiresAt: string, now: number): string {
  const ms = Date.parse(expiresAt) - now;
  const abs = Math.abs(ms);
  const days = Math.floor(abs / 86_400_000);
  const hours = Math.floor((abs % 86_400_000) / 3_600_000);
  const minutes = Math.floor((abs % 3_600_000) / 60_000);
  const seconds = Math.floor((abs % 60_000) / 1000);
  const text = `${days} days ${hours} h ${String(minutes).padStart(2, "0")} min ${String(seconds).padStart(2, "0")} s`;
  return ms > 0 ? `${text} left` : `expired ${text} ago`;
}

function stateLabel(state: TokenSummary["state"]): string {
  return { fresh: "valid", "renew-soon": "renew soon", expiring: "expiring", expired: "expired" }[state];
}

function render(): void {
  const list = $("#orgs");
  list.replaceChildren();
  $("#empty").hidden = summaries.length > 0;
  const template = $<HTMLTemplateElement>("#org-card");
  for (const s of summaries) {
    const card = template.content.firstElementChild!.cloneNode(true) as HTMLElement;
    card.dataset.org = s.org_id;
    $(".org-id", card).textContent = s.org_id;
    const badge = $(".state", card);
    badge.textContent = stateLabel(s.state);
    badge.classList.add(s.state);
    $(".broker", card).textContent = s.broker_label;
    $(".account", card).textContent = s.account ?? "account unknown";
    $(".fingerprint", card).textContent = s.fingerprint;
    $(".tenant-url", card).textContent = s.tenant_url;
    $(".countdown", card).dataset.expires = s.expires_at;
    $(".countdown", card).title = `Expires ${s.expires_at}; broker said ${s.broker_expires_at ?? "nothing"}, documented limit ${s.documented_expires_at}`;
    $(".copy-url", card).addEventListener("click", () => copy(card, s.org_id, "url"));
    $(".copy-token", card).addEventListener("click", () => copy(card, s.org_id, "token"));
    $(".test", card).addEventListener("click", () => testConnection(card, s.org_id));
    $(".renew", card).addEventListener("click", () => openLogin(s.broker, s.account));
    $(".forget", card).addEventListener("click", () => forget(s.org_id));
    list.append(card);
  }
  tick();
}

function tick(): void {
  const now = Date.now();
  document.querySelectorAll<HTMLElement>(".countdown").forEach((el) => {
    el.textContent = countdown(el.dataset.expires!, now);
  });
}

async function refresh(): Promise<void> {
  try {
    summaries = await invoke<TokenSummary[]>("list_tokens");
    render();
  } catch (e) {
    showError(e);
  }
}

async function copy(card: HTMLElement, org: string, what: "url" | "token"): Promise<void> {
  clearError();
  const status = $(".clipboard", card);
  try {
    const clearAfter = await invoke<number>("copy_to_clipboard", { org, what });
    const label = what === "url" ? "Tenant URL" : "Secret Token";
    let left = clearAfter;
    status.textContent = `${label} copied — clipboard clears in ${left} s`;
    window.clearInterval(Number(status.dataset.timer ?? 0));
    const timer = window.setInterval(() => {
      left -= 1;
      if (left <= 0) {
        window.clearInterval(timer);
      } else {
        status.textContent = `${label} copied — clipboard clears in ${left} s`;
      }
    }, 1000);
    status.dataset.timer = String(timer);
    status.dataset.copied = what;
  } catch (e) {
    showError(e);
  }
}

async function testConnection(card: HTMLElement, org: string): Promise<void> {
  const result = $(".test-result", card);
  result.className = "test-result";
  result.innerHTML = '<span class="spinner"></span>Running Azure\'s Test Connection…';
  try {
    const message = await invoke<string>("test_connection", { org });
    result.textContent = message;
    result.classList.add("ok");
  } catch (e) {
    result.textContent = (e as CommandError).message ?? String(e);
    result.classList.add("bad");
  }
}

async function forget(org: string): Promise<void> {
  if (!window.confirm(`Remove the token for org ${org} from this computer? Azure keeps working until the token expires.`)) return;
  try {
    await invoke("forget_token", { org });
    await refresh();
  } catch (e) {
    showError(e);
  }
}

function openLogin(broker?: string, account?: string | null): void {
  clearError();
  $("#login-panel").hidden = false;
  const select = $<HTMLSelectElement>("#broker");
  if (broker && [...select.options].some((o) => o.value === broker)) select.value = broker;
  if (broker && broker.startsWith("http")) select.value = "sandbox";
  if (account) $<HTMLInputElement>("#email").value = account;
  select.focus();
}

function setWaiting(waiting: boolean, text: string): void {
  $<HTMLButtonElement>("#start-login").disabled = waiting;
  $("#login-status").innerHTML = waiting ? `<span class="spinner"></span>${text}` : text;
}

async function startLogin(event: Event): Promise<void> {
  event.preventDefault();
  clearError();
  const broker = $<HTMLSelectElement>("#broker").value;
  const email = $<HTMLInputElement>("#email").value.trim();
  try {
    const note = await invoke<string>("start_login", { broker, email: email || null });
    setWaiting(true, note || "Waiting for you to finish signing in…");
  } catch (e) {
    setWaiting(false, "");
    showError(e);
  }
}

async function cancelLogin(): Promise<void> {
  try {
    await invoke("cancel_login");
  } catch (e) {
    showError(e);
  }
  setWaiting(false, "");
  $("#login-panel").hidden = true;
}

async function refreshSandbox(): Promise<void> {
  const info = await invoke<SandboxInfo>("sandbox_info");
  $("#sandbox-panel").hidden = !info.running;
  if (!info.running) return;
  $("#sandbox-tenant").textContent = info.tenant_url ?? "";
  const entries = await invoke<LogEntry[]>("sandbox_log");
  const body = $("#sandbox-log tbody");
  body.replaceChildren(
    ...entries.slice(-12).reverse().map((e) => {
      const row = document.createElement("tr");
      for (const cell of [e.method, e.path, String(e.status), e.latency_ms.toFixed(1)]) {
        const td = document.createElement("td");
        td.textContent = cell;
        row.append(td);
      }
      return row;
    }),
  );
}

async function setupStartAtLogin(): Promise<void> {
  const box = $<HTMLInputElement>("#start-at-login");
  box.checked = await invoke<boolean>("start_at_login");
  box.addEventListener("change", async () => {
    clearError();
    try {
      box.checked = await invoke<boolean>("set_start_at_login", { enabled: box.checked });
    } catch (e) {
      box.checked = !box.checked;
      showError(e);
    }
  });
}

async function main(): Promise<void> {
  $("#get-token").addEventListener("click", () => openLogin());
  void setupStartAtLogin().catch(showError);
  $("#login-form").addEventListener("submit", startLogin);
  $("#cancel-login").addEventListener("click", cancelLogin);
  await listen<LoginFinished>("login-finished", async ({ payload }) => {
    if (payload.ok) {
      setWaiting(false, payload.warning ? `Token stored, with a warning: ${payload.warning}` : "Token stored in your OS keyring.");
      $("#login-panel").hidden = true;
    } else {
      setWaiting(false, "");
      showError(payload.error);
    }
    await refresh();
  });
  await listen<unknown>("tokens-changed", refresh);
  await listen<boolean>("clipboard-cleared", ({ payload: cleared }) => {
    document.querySelectorAll<HTMLElement>(".clipboard[data-copied]").forEach((el) => {
      window.clearInterval(Number(el.dataset.timer ?? 0));
      el.textContent = cleared ? "Clipboard cleared." : "Clipboard left as it is: it holds something else now.";
      delete el.dataset.copied;
    });
  });
  let secondLaunches = 0;
  await listen<unknown>("second-instance", () => {
    secondLaunches += 1;
    document.body.dataset.secondLaunches = String(secondLaunches);
    $("#notice").textContent = "scim-token is already running — here it is.";
  });
  const info = await invoke<SandboxInfo>("sandbox_info");
  if (info.running) $<HTMLSelectElement>("#broker").value = "sandbox";
  await refresh();
  await refreshSandbox();
  window.setInterval(tick, 1000);
  window.setInterval(() => void refreshSandbox().catch(() => undefined), 2000);
}

void main();

export {};
