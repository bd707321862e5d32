import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/bindings", () => ({
  commands: {
    entraHealth: vi.fn(async () => ({ status: "ok", data: [] })),
    pushToEntra: vi.fn(),
  },
}));

import type { RenewalPushed } from "../src/bindings";
import { type CardDeps, markPushing, renewalPushed } from "../src/card-entra";
import { render } from "../src/org-card";
import { cardKey, state } from "../src/state";
import { loadPage, token } from "./page";

const linked = token({ links: [{ app_id: "sp", app_name: "Cisco Webex", job_id: "job", pushed: true }] });
const deps: CardDeps = { openSignIn: vi.fn(), refresh: vi.fn(async () => undefined) };
const key = cardKey(linked.org_id, linked.broker_id);

function pushed(text: string): RenewalPushed {
  return {
    renewed: { org: linked.org_id, broker: linked.broker_id },
    card: linked,
    outcome: { outcome: "pushed", reports: [{ app_id: "sp", job_id: "job", failed: false, stored: true, text, left_paused: false }] },
  } as RenewalPushed;
}

beforeEach(() => {
  loadPage();
  state.summaries = [linked];
  state.busyCards.clear();
  state.lastResults.clear();
  state.earlyRenewals.clear();
  state.pendingRenewal = null;
  render(deps);
});

describe("a renewal's push", () => {
  it("shows a spinner while core pushes, then what it did", async () => {
    markPushing(linked, deps);
    const result = document.querySelector<HTMLElement>(".card .entra-result")!;
    expect(result.querySelector(".spinner")).not.toBeNull();
    expect(document.querySelector<HTMLButtonElement>(".card .push")!.disabled).toBe(true);
    await renewalPushed(pushed("Cisco Webex (job job): The token is stored."), deps);
    expect(result.textContent).toBe("Cisco Webex (job job): The token is stored.");
    expect(state.busyCards.has(key)).toBe(false);
    expect(document.querySelector<HTMLButtonElement>(".card .push")!.disabled).toBe(false);
  });

  it("that ends before its card is marked is shown when it is, not left spinning", async () => {
    state.pendingRenewal = key;
    await renewalPushed(pushed("Cisco Webex (job job): The token is stored."), deps);
    expect(state.earlyRenewals.has(key)).toBe(true);
    state.pendingRenewal = null;
    markPushing(linked, deps);
    await vi.waitFor(() =>
      expect(document.querySelector(".card .entra-result")!.textContent).toBe("Cisco Webex (job job): The token is stored."),
    );
    expect(state.busyCards.has(key)).toBe(false);
    expect(document.querySelector(".card .entra-result .spinner")).toBeNull();
  });
});
