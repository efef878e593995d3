import assert from 'node:assert/strict';
import { test } from 'node:test';
import { backoffDelay } from '../../../src/client/backoff.js';
import { parseInput } from '../../../src/client/commands.js';
import { normalizeFingerprint } from '../../../src/client/connect.js';

test('typed lines become commands; wrong usage gets a hint', () => {
  assert.deepEqual(parseInput('hello there'), { kind: 'say', text: 'hello there' });
  assert.deepEqual(parseInput('  '), { kind: 'empty' });
  assert.deepEqual(parseInput('exit'), { kind: 'quit' });
  assert.deepEqual(parseInput('/quit'), { kind: 'quit' });
  assert.deepEqual(parseInput('//not a command'), { kind: 'say', text: '/not a command' });
  assert.deepEqual(parseInput('/join dev'), { kind: 'join', group: 'dev' });
  assert.deepEqual(parseInput('/JOIN dev'), { kind: 'join', group: 'dev' });
  assert.deepEqual(parseInput('/create ops'), { kind: 'create', group: 'ops' });
  assert.deepEqual(parseInput('/msg bob  hi  there'), { kind: 'msg', to: 'bob', text: 'hi  there' });
  assert.deepEqual(parseInput('/history'), { kind: 'history', count: 20 });
  assert.deepEqual(parseInput('/history 5'), { kind: 'history', count: 5 });
  for (const wrong of ['/join', '/join a b', '/create', '/msg', '/msg bob', '/history x', '/history 0', '/history 201']) {
    const command = parseInput(wrong);
    assert.equal(command.kind, 'usage', wrong);
    assert.match(command.kind === 'usage' ? command.usage : '', /^usage: \//);
  }
  assert.deepEqual(parseInput('/frobnicate'), { kind: 'unknown', name: 'frobnicate' });
  for (const name of ['help', 'groups', 'leave', 'who']) assert.equal(parseInput(`/${name}`).kind, name);
});

test('a text the server would refuse is not sent, and the user is told why', () => {
  assert.deepEqual(parseInput('x'.repeat(4097)), { kind: 'unsendable', problem: 'not sent: text is over 4096 bytes (this one is 4097)' });
  assert.deepEqual(parseInput(`/msg bob ${'é'.repeat(2049)}`), { kind: 'unsendable', problem: 'not sent: text is over 4096 bytes (this one is 4098)' });
  assert.deepEqual(parseInput('bell \u0007 here'), { kind: 'unsendable', problem: 'not sent: text holds a control character' });
  assert.equal(parseInput('x'.repeat(4096)).kind, 'say');
  assert.equal(parseInput(`/msg bob ${'é'.repeat(2048)}`).kind, 'msg');
});

test('fingerprints are accepted with or without colons, in any case', () => {
  const hex = 'ab'.repeat(32);
  const canonical = Array.from({ length: 32 }, () => 'AB').join(':');
  assert.equal(normalizeFingerprint(hex), canonical);
  assert.equal(normalizeFingerprint(canonical.toLowerCase()), canonical);
  assert.equal(normalizeFingerprint(`sha256:${hex}`), canonical);
  assert.equal(normalizeFingerprint('ab:cd'), undefined);
  assert.equal(normalizeFingerprint('zz'.repeat(32)), undefined);
});

test('reconnect backoff doubles, is capped, and jitters within [ceiling/2, ceiling]', () => {
  const low = { initialMs: 500, maxMs: 30_000, random: () => 0 };
  const high = { ...low, random: () => 0.999999 };
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, low)), [250, 500, 1000, 2000]);
  assert.deepEqual([0, 1, 2, 3].map((n) => backoffDelay(n, high)), [500, 1000, 2000, 4000]);
  assert.equal(backoffDelay(20, high), 30_000);
  assert.equal(backoffDelay(1000, low), 15_000);
});
