/** Latency histogram with 10 µs buckets up to 10 s: constant memory, percentiles by walking buckets. */
const BUCKET_MS = 0.01;
const BUCKETS = 1_000_000;

export class LatencyHistogram {
  private readonly counts = new Uint32Array(BUCKETS + 1);
  count = 0;
  max = 0;

  record(ms: number): void {
    const bucket = Math.min(BUCKETS, Math.max(0, Math.floor(ms / BUCKET_MS)));
    this.counts[bucket] = this.counts[bucket]! + 1;
    this.count += 1;
    if (ms > this.max) this.max = ms;
  }

  /** The latency below which `fraction` of the samples lie, in ms. */
  percentile(fraction: number): number {
    if (this.count === 0) return 0;
    const target = Math.ceil(this.count * fraction);
    let seen = 0;
    for (let bucket = 0; bucket <= BUCKETS; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= target) return (bucket + 1) * BUCKET_MS;
    }
    return this.max;
  }
}
