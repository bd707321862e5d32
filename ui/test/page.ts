// The real page (index.html) loaded into jsdom, so tests use the markup and templates the app
// ships; and a token's view as the app sends it.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import type { TokenView } from "../src/bindings";

// fileURLToPath rather than import.meta.dirname: Node 18 (Debian 12, Ubuntu 24.04) has no dirname.
const html = readFileSync(join(dirname(fileURLToPath(import.meta.url)), "..", "index.html"), "utf8");

export function loadPage(): void {
  document.open();
  document.write(html);
  document.close();
}

export function token(overrides: Partial<TokenView> = {}): TokenView {
  return {
    org_id: "9d5f1c2e-0000-4000-8000-0000000000aa",
    broker_id: { kind: "webex" },
    broker_label: "Webex",
    account: "admin@contoso.example",
    tenant_url: "https://webexapis.com/identity/scim/9d5f1c2e-0000-4000-8000-0000000000aa/v2/",
    expires_at: "2027-01-21T10:00:00Z",
    broker_expires_at: "2027-01-21T10:00:00Z",
    documented_expires_at: "2027-12-07T10:00:00Z",
    seconds_left: 3 * 86_400 + 2 * 3_600 + 5 * 60 + 7,
    state: "fresh",
    state_label: "Fresh",
    fingerprint: "ab12cd34",
    links: [],
    ...overrides,
  };
}

/** Resolves once every promise already queued has run. */
export const settle = () => new Promise<void>((resolve) => setTimeout(resolve, 0));
