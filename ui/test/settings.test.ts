import { beforeEach, describe, expect, it, vi } from "vitest";

vi.mock("../src/bindings", () => ({
  commands: {
    startAtLogin: vi.fn(),
    setStartAtLogin: vi.fn(async (on: boolean) => ({ status: "ok", data: on })),
    watchStatus: vi.fn(async () => ({ status: "error", error: { kind: "unsupported", message: "no scheduler" } })),
    setWatch: vi.fn(),
  },
}));

import { commands } from "../src/bindings";
import { setupSettings } from "../src/settings";
import { loadPage } from "./page";

beforeEach(() => {
  loadPage();
  vi.clearAllMocks();
});

describe("the settings", () => {
  it("keep a click made before the setting was read, and the late read does not undo it", async () => {
    let answer!: (value: unknown) => void;
    vi.mocked(commands.startAtLogin).mockReturnValue(new Promise((resolve) => (answer = resolve)) as never);
    const setup = setupSettings();
    const box = document.querySelector<HTMLInputElement>("#start-at-login")!;
    box.click();
    await vi.waitFor(() => expect(commands.setStartAtLogin).toHaveBeenCalledWith(true));
    answer({ status: "ok", data: false });
    await setup;
    expect(box.checked).toBe(true);
  });

  it("turn a setting this system lacks off, with why", async () => {
    vi.mocked(commands.startAtLogin).mockResolvedValue({ status: "ok", data: false } as never);
    await setupSettings();
    const watch = document.querySelector<HTMLInputElement>("#background-watch")!;
    expect(watch.disabled).toBe(true);
    expect(watch.parentElement!.title).toBe("The background watch is not available here.");
  });
});
