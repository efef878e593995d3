/** The framing benchmark runs and reports consistent figures (a correctness check, never a timing assertion). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runFramingBench } from '../../../scripts/bench/framing.js';

test('framing bench reports every case, direction and implementation', () => {
  const cases = runFramingBench({ durationMs: 30, rounds: 1, chunkBytes: 1400 });
  assert.deepEqual(cases.map((c) => c.textBytes), [100, 4096]);
  for (const result of cases) {
    assert.ok(result.frameBytes > result.textBytes);
    for (const direction of [result.encode, result.decode]) {
      for (const rate of [direction.codec, direction.bare, direction.json]) {
        assert.ok(rate.opsPerSecond > 0 && Number.isFinite(rate.opsPerSecond));
        assert.ok(rate.mbPerSecond > 0);
      }
      assert.equal(direction.ratio, direction.codec.opsPerSecond / direction.bare.opsPerSecond);
    }
  }
});
