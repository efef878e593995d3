/** Issue 24 item 6: after a server restart every client reconnects at once; the first retry after a drop is spread over seconds. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay, DEFAULT_BACKOFF, reconnectDelay } from '../../../src/client/backoff.js';

test('the first retry after a drop waits a random delay spread over seconds, the later ones back off as before', () => {
  const at = (random: number, attempt = 0) => reconnectDelay(attempt, { ...DEFAULT_BACKOFF, random: () => random });
  assert.equal(at(0), 250, 'never at once');
  assert.ok(at(0.999) >= 4_900, `up to about 5 s (${at(0.999)})`);
  const firsts = Array.from({ length: 2_000 }, () => reconnectDelay(0));
  const spread = Math.max(...firsts) - Math.min(...firsts);
  assert.ok(spread >= 4_000, `2,000 clients' first retries spread over ${spread} ms`);
  const secondsApart = new Set(firsts.map((delay) => Math.floor(delay / 1000)));
  for (const second of [0, 1, 2, 3, 4]) assert.ok(secondsApart.has(second), `second ${second} of the 5 gets some`);
  for (const attempt of [1, 2, 5]) assert.equal(at(0.5, attempt), backoffDelay(attempt, { ...DEFAULT_BACKOFF, random: () => 0.5 }));
  const fast = { initialMs: 100, maxMs: 100, random: () => 1 };
  assert.equal(reconnectDelay(0, fast), 100, 'backoff options without firstRetryMaxMs keep their first delay');
});
