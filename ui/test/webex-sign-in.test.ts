import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/bindings", () => ({
  commands: {
    startWebexSignIn: vi.fn(),
    webexSignInOutcome: vi.fn(),
    fileToken: vi.fn(),
    cancelSignIn: vi.fn(async () => ({ status: "ok", data: null })),
    copySignInLink: vi.fn(),
  },
}));

import { commands } from "../src/bindings";
import { state } from "../src/state";
import { setupWebexSignIn } from "../src/webex-sign-in";
import { loadPage, settle, token } from "./page";

const refresh = vi.fn(async () => undefined);
const markPushing = vi.fn();

beforeEach(() => {
  loadPage();
  vi.clearAllMocks();
  const brokers = [
    { key: "webex", label: "Webex", value: { kind: "webex" as const } },
    { key: "gov", label: "Webex for Government (FedRAMP)", value: { kind: "government" as const } },
  ];
  state.choices = { brokers, clouds: [], preferred: "webex" } as never;
  state.pushAfterRenewal = null;
  document.querySelector<HTMLSelectElement>("#broker")!.replaceChildren(...brokers.map((b) => new Option(b.label, b.key)));
  vi.mocked(commands.startWebexSignIn).mockResolvedValue({ status: "ok", data: { id: 3, note: "Waiting for you to finish signing in…", browser: null } });
});

function submit(): void {
  document.querySelector<HTMLFormElement>("#sign-in-form")!.dispatchEvent(new Event("submit", { cancelable: true }));
}

describe("the Webex sign-in panel", () => {
  it("files a token without an org ID under the org typed, and closes", async () => {
    vi.mocked(commands.webexSignInOutcome).mockResolvedValue({ status: "ok", data: { outcome: "needs-org", reason: "The token carries no org ID." } });
    vi.mocked(commands.fileToken).mockResolvedValue({ status: "ok", data: { outcome: "stored", summary: token(), warning: null, pushing: false } });
    const panel = setupWebexSignIn({ refresh, markPushing });
    panel.open({ kind: "government" }, "admin@agency.example");
    expect(document.querySelector<HTMLSelectElement>("#broker")!.value).toBe("gov");
    submit();
    await vi.waitFor(() => expect(document.querySelector<HTMLElement>("#org-form")!.hidden).toBe(false));
    expect(commands.startWebexSignIn).toHaveBeenCalledWith({ kind: "government" }, "admin@agency.example", null, "window");
    expect(document.querySelector("#org-reason")!.textContent).toBe("The token carries no org ID.");
    document.querySelector<HTMLInputElement>("#org-input")!.value = " 9d5f1c2e-0000-4000-8000-0000000000aa ";
    document.querySelector<HTMLFormElement>("#org-form")!.dispatchEvent(new Event("submit", { cancelable: true }));
    await vi.waitFor(() => expect(document.querySelector<HTMLElement>("#sign-in-panel")!.hidden).toBe(true));
    expect(commands.fileToken).toHaveBeenCalledWith(3, "9d5f1c2e-0000-4000-8000-0000000000aa");
    expect(document.querySelector("#sign-in-status")!.textContent).toBe("Token stored in your OS keyring.");
    expect(refresh).toHaveBeenCalled();
  });

  it("hands a Renew and push's renewed card to the push and forgets the wish", async () => {
    vi.mocked(commands.webexSignInOutcome).mockResolvedValue({ status: "ok", data: { outcome: "stored", summary: token(), warning: null, pushing: true } });
    const panel = setupWebexSignIn({ refresh, markPushing });
    const renewFor = { org: token().org_id, broker: token().broker_id };
    panel.open(token().broker_id, token().account, renewFor);
    submit();
    await vi.waitFor(() => expect(markPushing).toHaveBeenCalledWith(token()));
    expect(commands.startWebexSignIn).toHaveBeenCalledWith({ kind: "webex" }, token().account, renewFor, "window");
    expect(state.pushAfterRenewal).toBeNull();
  });

  it("shows a failed sign-in's error and keeps the panel open to try again", async () => {
    vi.mocked(commands.webexSignInOutcome).mockResolvedValue({ status: "ok", data: { outcome: "failed", error: { kind: "access-denied", message: "The sign-in was declined." } } } as never);
    const panel = setupWebexSignIn({ refresh, markPushing });
    panel.open();
    submit();
    await vi.waitFor(() => expect(document.querySelector("#error")!.textContent).toBe("The sign-in was declined."));
    expect(document.querySelector<HTMLElement>("#sign-in-panel")!.hidden).toBe(false);
    expect(document.querySelector<HTMLButtonElement>("#start-sign-in")!.disabled).toBe(false);
  });

  it("cancels through Rust and closes", async () => {
    vi.mocked(commands.webexSignInOutcome).mockReturnValue(new Promise(() => undefined));
    const panel = setupWebexSignIn({ refresh, markPushing });
    panel.open();
    submit();
    await settle();
    document.querySelector<HTMLButtonElement>("#cancel-sign-in")!.click();
    await settle();
    expect(commands.cancelSignIn).toHaveBeenCalledWith("webex");
    expect(document.querySelector<HTMLElement>("#sign-in-panel")!.hidden).toBe(true);
    expect(document.querySelector<HTMLButtonElement>("#start-sign-in")!.disabled).toBe(false);
  });
});
