/** The reconnect loop's status line: counts down each second, says which attempt and why the last failed, and goes away. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { GaveUpError } from '../../../src/client/model/events.js';
import { reconnectUntilStopped } from '../../../src/client/model/reconnect.js';
import { statusOf } from '../../../src/client/reconnect-status.js';
import { ProtocolError } from '../../../src/protocol/errors.js';

/** A fixed 1.5 s between tries: two seconds of countdown shown ("in 2 s", "in 1 s"). */
const FIXED = { initialMs: 1_500, maxMs: 1_500, random: () => 1 };

test('one status line per state: countdown, the try, the last failure; removed once connected', async () => {
  const statuses: Array<string | undefined> = [];
  let tries = 0;
  const connection = await reconnectUntilStopped({
    stopped: () => false,
    waiting: (wait) => {
      const text = statusOf(wait);
      statuses.push(text === undefined ? undefined : stripVTControlCharacters(text));
    },
  }, async () => {
    tries += 1;
    if (tries === 1) throw new Error('cannot reach 127.0.0.1:9999 (ECONNREFUSED)');
    return 'connected';
  }, FIXED);
  assert.equal(connection, 'connected');
  assert.deepEqual(statuses, [
    '-- reconnecting in 2 s (attempt 1)…', '-- reconnecting in 1 s (attempt 1)…', '-- reconnecting (attempt 1)…',
    '-- reconnecting in 2 s (attempt 2)… — last try: cannot reach 127.0.0.1:9999 (ECONNREFUSED)',
    '-- reconnecting in 1 s (attempt 2)… — last try: cannot reach 127.0.0.1:9999 (ECONNREFUSED)',
    '-- reconnecting (attempt 2)… — last try: cannot reach 127.0.0.1:9999 (ECONNREFUSED)',
    undefined,
  ]);
});

test('a refusal that retrying will not cure ends the loop with it; a busy server is tried again', async () => {
  let tries = 0;
  const statuses: Array<string | undefined> = [];
  await assert.rejects(reconnectUntilStopped({ stopped: () => false, waiting: (wait) => statuses.push(statusOf(wait)) }, async () => {
    tries += 1;
    throw new ProtocolError(tries === 1 ? 'server_busy' : 'account_disabled', 'no');
  }, { initialMs: 2, maxMs: 2, random: () => 1 }), (error: unknown) => error instanceof GaveUpError && error.cause instanceof ProtocolError && error.cause.code === 'account_disabled');
  assert.equal(tries, 2);
  assert.equal(statuses.at(-1), undefined, 'the status line is removed');
});
