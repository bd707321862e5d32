// The fast UI tier: the panels rendered from data and their events handled, in jsdom, with the
// generated bindings mocked (the WebDriver tests drive the real app).
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    environment: "jsdom",
    include: ["test/**/*.test.ts"],
  },
});
