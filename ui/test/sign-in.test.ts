import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/bindings", () => ({
  commands: {
    cancelSignIn: vi.fn(async () => ({ status: "ok", data: null })),
    copySignInLink: vi.fn(),
  },
}));

import { commands, type SignInStarted } from "../src/bindings";
import { SignInLifecycle, type SignInView } from "../src/sign-in";
import { loadPage } from "./page";

type Outcome = { outcome: "signed-in" } | { outcome: "failed"; error: { kind: string; message: string } };

/** A promise and the function that resolves it. */
function pending<T>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

let waiting: boolean[];
let view: SignInView;

beforeEach(() => {
  loadPage();
  vi.clearAllMocks();
  waiting = [];
  view = { status: document.querySelector<HTMLElement>("#entra-status")!, browserPanel: "#entra-browser-sign-in", setWaiting: (w) => waiting.push(w) };
});

const started = (id: number, browser: SignInStarted["browser"] = null) => ({ status: "ok" as const, data: { id, note: `Waiting for sign-in ${id}…`, browser } });

describe("one sign-in lifecycle", () => {
  it("shows the note while waiting and asks for the outcome by the id the start gave", async () => {
    const outcome = pending<{ status: "ok"; data: Outcome }>();
    const asked = vi.fn((_id: number) => outcome.promise);
    const sign = new SignInLifecycle("entra", view);
    const result = sign.signIn("browser", async () => started(4, { link: "https://login.example/authorize", private_window_commands: ["chromium --incognito …"] }), asked);
    await vi.waitFor(() => expect(asked).toHaveBeenCalledWith(4));
    expect(view.status.textContent).toBe("Waiting for sign-in 4…");
    expect(document.querySelector<HTMLElement>("#entra-browser-sign-in")!.hidden).toBe(false);
    expect(document.querySelector("#entra-browser-sign-in .browser-link")!.textContent).toBe("https://login.example/authorize");
    expect(waiting).toEqual([true]);
    outcome.resolve({ status: "ok", data: { outcome: "signed-in" } });
    expect(await result).toEqual({ outcome: "signed-in" });
    expect(waiting).toEqual([true, false]);
    expect(document.querySelector<HTMLElement>("#entra-browser-sign-in")!.hidden).toBe(true);
  });

  it("cancels a sign-in whose start has not replied, and drops its late outcome", async () => {
    const start = pending<ReturnType<typeof started>>();
    const asked = vi.fn(async () => ({ status: "ok" as const, data: { outcome: "failed", error: { kind: "cancelled", message: "Cancelled." } } as Outcome }));
    const sign = new SignInLifecycle("webex", view);
    const result = sign.signIn("window", () => start.promise, asked);
    await sign.cancel();
    expect(commands.cancelSignIn).toHaveBeenCalledWith("webex");
    start.resolve(started(9));
    expect(await result).toBeNull();
    expect(asked).not.toHaveBeenCalled();
    expect(view.status.textContent).toBe("");
    expect(waiting.at(-1)).toBe(false);
  });

  it("lets a newer sign-in's outcome through and not an older one's", async () => {
    const first = pending<{ status: "ok"; data: Outcome }>();
    const sign = new SignInLifecycle("entra", view);
    const older = sign.signIn("window", async () => started(1), () => first.promise);
    await vi.waitFor(() => expect(sign.id).toBe(1));
    const newer = sign.signIn("window", async () => started(2), async () => ({ status: "ok" as const, data: { outcome: "signed-in" } as Outcome }));
    first.resolve({ status: "ok", data: { outcome: "failed", error: { kind: "cancelled", message: "replaced" } } });
    expect(await older).toBeNull();
    expect(await newer).toEqual({ outcome: "signed-in" });
  });

  it("shows why a sign-in did not start and gives the buttons back", async () => {
    const sign = new SignInLifecycle("webex", view);
    const result = await sign.signIn("window", async () => ({ status: "error" as const, error: { kind: "port-in-use", message: "Port 3000 is in use." } }) as never, vi.fn());
    expect(result).toBeNull();
    expect(document.querySelector("#error")!.textContent).toBe("Port 3000 is in use.");
    expect(waiting).toEqual([true, false]);
  });
});
