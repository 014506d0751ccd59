/**
 * Spreads an interval by up to ±`fraction` of it, so many objects with the same interval do not
 * reconcile in lockstep. `random` returns a uniform number in [0, 1).
 */
export function jitter(ms: number, fraction: number, random: () => number = Math.random): number {
  if (ms <= 0 || fraction <= 0) return ms;
  const spread = ms * Math.min(fraction, 1);
  return Math.max(0, Math.round(ms - spread + 2 * spread * random()));
}

/** The delay before retry number `failures + 1`: `baseMs × 2^failures`, capped at `maxMs`. */
export function exponentialBackoff(failures: number, baseMs: number, maxMs: number): number {
  if (failures > 60) return maxMs;
  return Math.min(maxMs, baseMs * 2 ** failures);
}
