/**
 * A tiny timing harness. Implementations that are compared run in turns,
 * round after round (A B C, B C A, …), so that a slow spell of a noisy machine
 * hits all of them; each rate is the median round, and a ratio is the median
 * of the ratios of the same rounds. Time is the process's CPU time (user +
 * system), not the wall clock: on a shared machine, the spells this process
 * waits for a core are not billed to whichever implementation was running.
 */
export interface Rate {
  /** Operations per second (median round). */
  opsPerSecond: number;
  /** Megabytes (10^6 bytes) per second (median round). */
  mbPerSecond: number;
}

export interface MeasureOptions {
  /** Time per implementation, split into rounds. */
  durationMs: number;
  rounds: number;
}

/** Does some operations; says how many and how many bytes they covered. */
export type Batch = () => { ops: number; bytes: number };

/** With `node --expose-gc`, the garbage of one turn is collected before the next, not billed to it. */
const collectGarbage: () => void = (globalThis as { gc?: () => void }).gc ?? (() => undefined);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

function timeRound(batch: Batch, roundMs: number): Rate {
  let ops = 0;
  let bytes = 0;
  const start = process.cpuUsage();
  const end = performance.now() + roundMs;
  do {
    const done = batch();
    ops += done.ops;
    bytes += done.bytes;
  } while (performance.now() < end);
  const used = process.cpuUsage(start);
  const seconds = Math.max(1e-6, (used.user + used.system) / 1e6);
  return { opsPerSecond: ops / seconds, mbPerSecond: bytes / seconds / 1e6 };
}

export interface Comparison<K extends string> {
  rates: Record<K, Rate>;
  /** Median over rounds of `rates[of] / rates[to]` measured in the same round. */
  ratio(of: K, to: K): number;
}

export function compare<K extends string>(batches: Record<K, Batch>, options: MeasureOptions): Comparison<K> {
  const names = Object.keys(batches) as K[];
  const roundMs = options.durationMs / options.rounds;
  for (const name of names) {
    const warmUntil = performance.now() + Math.min(200, roundMs);
    while (performance.now() < warmUntil) batches[name]();
  }
  const rounds: Array<Record<K, Rate>> = [];
  for (let round = 0; round < options.rounds; round++) {
    const results = {} as Record<K, Rate>;
    for (let turn = 0; turn < names.length; turn++) {
      const name = names[(round + turn) % names.length]!;
      collectGarbage();
      results[name] = timeRound(batches[name], roundMs);
    }
    rounds.push(results);
  }
  const rates = {} as Record<K, Rate>;
  for (const name of names) {
    const ops = median(rounds.map((round) => round[name].opsPerSecond));
    const mb = median(rounds.map((round) => round[name].mbPerSecond));
    rates[name] = { opsPerSecond: ops, mbPerSecond: mb };
  }
  return { rates, ratio: (of, to) => median(rounds.map((round) => round[of].opsPerSecond / round[to].opsPerSecond)) };
}
