/** The handshake pacer: at most `perTurn` handshakes start per event-loop turn, in order of arrival; closed sockets are skipped. */
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { test } from 'node:test';
import { HandshakePacer } from '../../../src/server/handshake-pacer.js';

/** A scheduler run by hand: `step()` runs the turn scheduled last. */
function manualTurns() {
  const turns: Array<() => void> = [];
  return { nextTurn: (run: () => void) => { turns.push(run); }, step: () => turns.shift()?.(), get pending() { return turns.length; } };
}

function fakeSocket(): Socket & { destroyed: boolean } {
  return { destroyed: false } as Socket & { destroyed: boolean };
}

test('a burst starts perTurn handshakes a turn, oldest first, and skips sockets closed while they waited', () => {
  const turns = manualTurns();
  const pacer = new HandshakePacer(4, turns.nextTurn);
  const started: number[] = [];
  const sockets = Array.from({ length: 10 }, fakeSocket);
  sockets.forEach((socket, i) => pacer.admit(socket, () => started.push(i)));
  assert.deepEqual([...started], [], 'nothing starts inside the accepting turn');
  assert.equal(pacer.waiting, 10);
  turns.step();
  assert.deepEqual([...started], [0, 1, 2, 3]);
  sockets[4]!.destroyed = true;
  turns.step();
  assert.deepEqual([...started], [0, 1, 2, 3, 5, 6, 7, 8]);
  turns.step();
  assert.deepEqual([...started], [0, 1, 2, 3, 5, 6, 7, 8, 9]);
  assert.equal(turns.pending, 0, 'no turn scheduled once the queue is empty');
  pacer.admit(fakeSocket(), () => started.push(10));
  turns.step();
  assert.equal(started[started.length - 1], 10);
});

test('perTurn 0 starts every handshake at once; close drops the waiters', () => {
  const unpaced = new HandshakePacer(0, () => assert.fail('no turn needed'));
  let count = 0;
  for (let i = 0; i < 5; i++) unpaced.admit(fakeSocket(), () => { count += 1; });
  assert.equal(count, 5);
  const turns = manualTurns();
  const pacer = new HandshakePacer(1, turns.nextTurn);
  pacer.admit(fakeSocket(), () => assert.fail('closed before its turn'));
  pacer.close();
  turns.step();
});
