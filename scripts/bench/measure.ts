/** A tiny timing harness: warm up, then several timed rounds; the median wins. */
export interface Rate {
  /** Operations per second (median round). */
  opsPerSecond: number;
  /** Megabytes (10^6 bytes) per second (median round). */
  mbPerSecond: number;
}

export interface MeasureOptions {
  durationMs: number;
  rounds: number;
}

/**
 * Runs `batch` repeatedly; each call does some operations and returns how many
 * it did and how many bytes they covered.
 */
export function measure(batch: () => { ops: number; bytes: number }, options: MeasureOptions): Rate {
  const roundMs = options.durationMs / options.rounds;
  const warmUntil = performance.now() + Math.min(200, roundMs);
  while (performance.now() < warmUntil) batch();
  const results: Rate[] = [];
  for (let round = 0; round < options.rounds; round++) {
    let ops = 0;
    let bytes = 0;
    const start = process.hrtime.bigint();
    const end = performance.now() + roundMs;
    do {
      const done = batch();
      ops += done.ops;
      bytes += done.bytes;
    } while (performance.now() < end);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    results.push({ opsPerSecond: ops / seconds, mbPerSecond: bytes / seconds / 1e6 });
  }
  results.sort((a, b) => a.opsPerSecond - b.opsPerSecond);
  return results[Math.floor(results.length / 2)]!;
}
