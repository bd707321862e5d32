import { describe, expect, it, vi } from "vitest";

vi.mock("../src/bindings", () => ({ commands: {} }));

import type { DoctorReport } from "../src/bindings";
import { renderReport } from "../src/network";
import { loadPage } from "./page";

const step = (ok: boolean, detail: string) => ({ ok, millis: 12, detail });

describe("the network check's report", () => {
  it("shows a row per host with its steps, then the keyring, port 3000 and the clock", () => {
    loadPage();
    const report = {
      setup: null,
      hosts: [
        {
          url: "https://webexapis.com/",
          needed_for: ["Webex's API"],
          route: "proxy http://proxy.example:3128",
          ok: false,
          dns: step(true, "resolved by the proxy"),
          connect: step(true, "tunnel open"),
          tls: step(false, "issued by Contoso Inspection CA, which this computer does not trust"),
          http: step(false, "not tried"),
        },
      ],
      keyring: { ok: true, detail: "unlocked" },
      port_3000: { ok: true, detail: "free" },
      clock: { ok: true, detail: "within 2 s" },
    } as unknown as DoctorReport;
    const into = document.querySelector<HTMLElement>("#network-report")!;
    renderReport(report, into);
    const host = into.querySelector<HTMLElement>("li.host")!;
    expect(host.dataset.url).toBe("https://webexapis.com/");
    expect(host.querySelector("strong")!.textContent).toBe("✗ https://webexapis.com/");
    const steps = [...host.querySelectorAll("ul li")].map((li) => li.textContent);
    expect(steps).toEqual([
      "✓ name (12 ms): resolved by the proxy",
      "✓ connection (12 ms): tunnel open",
      "✗ TLS (12 ms): issued by Contoso Inspection CA, which this computer does not trust",
      "✗ HTTP (12 ms): not tried",
    ]);
    expect([...into.children].slice(1).map((li) => li.textContent)).toEqual(["✓ Keyring: unlocked", "✓ Port 3000: free", "✓ Clock: within 2 s"]);
  });
});
