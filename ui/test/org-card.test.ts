import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/bindings", () => ({
  commands: {
    listTokens: vi.fn(),
    copyToClipboard: vi.fn(),
    testConnection: vi.fn(),
    entraHealth: vi.fn(),
  },
}));

import { commands } from "../src/bindings";
import type { CardDeps } from "../src/card-entra";
import { clipboardCleared, refresh, render, tick } from "../src/org-card";
import { cardKey, state } from "../src/state";
import { loadPage, settle, token } from "./page";

const deps: CardDeps = { openSignIn: vi.fn(), refresh: vi.fn(async () => undefined) };

beforeEach(() => {
  loadPage();
  vi.clearAllMocks();
  state.summaries = [];
  state.busyCards.clear();
  state.lastResults.clear();
  state.listedAt = 0;
});

describe("the org cards", () => {
  it("draw a card per token from the app's views, countdown included", () => {
    state.summaries = [token(), token({ org_id: "other-org", broker_id: { kind: "government" }, broker_label: "Webex for Government", account: null })];
    render(deps);
    const cards = document.querySelectorAll<HTMLElement>(".card");
    expect(cards).toHaveLength(2);
    expect(cards[0].querySelector(".org-id")!.textContent).toBe(token().org_id);
    expect(cards[0].querySelector(".tenant-url")!.textContent).toBe(token().tenant_url);
    expect(cards[0].querySelector(".state")!.classList.contains("fresh")).toBe(true);
    expect(cards[1].querySelector(".account")!.textContent).toBe("account unknown");
    tick(0);
    expect(cards[0].querySelector(".countdown")!.textContent).toBe("3 days 2 h 05 min 07 s left");
    tick(10_000);
    expect(cards[0].querySelector(".countdown")!.textContent).toBe("3 days 2 h 04 min 57 s left");
    expect(document.querySelector<HTMLElement>("#empty")!.hidden).toBe(true);
  });

  it("say so when there is no token", () => {
    render(deps);
    expect(document.querySelector<HTMLElement>("#empty")!.hidden).toBe(false);
  });

  it("keep a card with a push under way as it is, and show a card's last result again", () => {
    state.summaries = [token()];
    render(deps);
    const busy = document.querySelector<HTMLElement>(".card")!;
    busy.querySelector(".entra-result")!.textContent = "pushing…";
    state.busyCards.add(cardKey(token().org_id, token().broker_id));
    render(deps);
    expect(document.querySelector(".card")).toBe(busy);
    state.busyCards.clear();
    state.lastResults.set(cardKey(token().org_id, token().broker_id), { text: "Pushed.", bad: false, offerStart: true });
    render(deps);
    const card = document.querySelector<HTMLElement>(".card")!;
    expect(card).not.toBe(busy);
    expect(card.querySelector(".entra-result")!.textContent).toBe("Pushed.");
    expect(card.querySelector<HTMLElement>(".push-start")!.hidden).toBe(false);
  });

  it("list the tokens again and show a problem beside those kept in memory", async () => {
    vi.mocked(commands.listTokens).mockResolvedValue({
      status: "ok",
      data: { tokens: [token()], problem: { kind: "records-unreadable", message: "The records file is unreadable." } },
    } as never);
    await refresh(deps);
    expect(document.querySelectorAll(".card")).toHaveLength(1);
    expect(document.querySelector("#error")!.textContent).toBe("The records file is unreadable.");
  });

  it("count the clipboard down after a copy and say what became of it", async () => {
    vi.mocked(commands.copyToClipboard).mockResolvedValue({ status: "ok", data: { copy: 7, clears_in_secs: 30 } });
    state.summaries = [token()];
    render(deps);
    const card = document.querySelector<HTMLElement>(".card")!;
    card.querySelector<HTMLButtonElement>(".copy-token")!.click();
    await settle();
    const status = card.querySelector<HTMLElement>(".clipboard")!;
    expect(status.textContent).toBe("Secret Token copied — clipboard clears in 30 s");
    expect(commands.copyToClipboard).toHaveBeenCalledWith(token().org_id, token().broker_id, "token");
    clipboardCleared({ copy: 7, outcome: "cleared", message: "Clipboard cleared." } as never);
    expect(status.textContent).toBe("Clipboard cleared.");
    expect(status.dataset.copy).toBeUndefined();
  });

  it("show Test Connection's words, or its failure", async () => {
    vi.mocked(commands.testConnection).mockResolvedValueOnce({ status: "ok", data: { elapsed_ms: 12, message: "Test Connection succeeded." } });
    vi.mocked(commands.testConnection).mockResolvedValueOnce({ status: "error", error: { kind: "unauthorized", message: "The token was refused." } } as never);
    state.summaries = [token()];
    render(deps);
    const card = document.querySelector<HTMLElement>(".card")!;
    const result = card.querySelector<HTMLElement>(".test-result")!;
    card.querySelector<HTMLButtonElement>(".test")!.click();
    await settle();
    expect(result.textContent).toBe("Test Connection succeeded.");
    expect(result.classList.contains("ok")).toBe(true);
    card.querySelector<HTMLButtonElement>(".test")!.click();
    await settle();
    expect(result.textContent).toBe("The token was refused.");
    expect(result.classList.contains("bad")).toBe(true);
  });

  it("open the sign-in for Renew with the token's broker and account", () => {
    state.summaries = [token()];
    render(deps);
    document.querySelector<HTMLButtonElement>(".card .renew")!.click();
    expect(deps.openSignIn).toHaveBeenCalledWith(token().broker_id, token().account, null);
  });
});
