// A token's countdown, from the seconds core measured with its clock and the time since.

/** "12 days 4 h 03 min 09 s left" or "expired 2 days 0 h 00 min 05 s ago". */
export function countdown(secondsLeft: number): string {
  const abs = Math.abs(Math.trunc(secondsLeft));
  const days = Math.floor(abs / 86_400);
  const hours = Math.floor((abs % 86_400) / 3_600);
  const minutes = Math.floor((abs % 3_600) / 60);
  const seconds = abs % 60;
  const text = `${days} days ${hours} h ${String(minutes).padStart(2, "0")} min ${String(seconds).padStart(2, "0")} s`;
  return secondsLeft > 0 ? `${text} left` : `expired ${text} ago`;
}

/** Seconds left now for a token that had `secondsLeft` at `listedAt` (both from
 * `performance.now()`, which the wall clock's changes do not move). */
export function secondsLeftNow(secondsLeft: number, listedAt: number, now: number): number {
  return secondsLeft - (now - listedAt) / 1000;
}
