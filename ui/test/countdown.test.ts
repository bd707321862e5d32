import { describe, expect, it } from "vitest";

import { countdown, secondsLeftNow } from "../src/countdown";

describe("countdown", () => {
  it("names days, hours, minutes and seconds left", () => {
    expect(countdown(3 * 86_400 + 2 * 3_600 + 5 * 60 + 7)).toBe("3 days 2 h 05 min 07 s left");
  });

  it("says how long ago an expired token expired", () => {
    expect(countdown(-(86_400 + 61))).toBe("expired 1 days 0 h 01 min 01 s ago");
    expect(countdown(0)).toBe("expired 0 days 0 h 00 min 00 s ago");
  });

  it("counts on from core's seconds with the monotonic clock", () => {
    expect(secondsLeftNow(100, 5_000, 15_000)).toBe(90);
  });
});
