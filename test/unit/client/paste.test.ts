/** Cutting a paste into messages, and collecting its lines. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PasteCollector, splitPaste } from '../../../src/client/paste.js';

test('a paste under the limit is one message; trailing newlines and control characters go', () => {
  assert.deepEqual(splitPaste('a\nb\tc\r\n\n'), ['a\nb\tc']);
  assert.deepEqual(splitPaste('x\u0007y\nz'), ['xy\nz']);
  assert.deepEqual(splitPaste('\n  \n'), []);
});

test('over the limit it is cut at line ends; a line longer than the limit between characters', () => {
  assert.deepEqual(splitPaste('aaa\nbbb\nccc', 7), ['aaa\nbbb', 'ccc']);
  assert.deepEqual(splitPaste('ab\nééééé\ncd', 4), ['ab', 'éé', 'éé', 'é', 'cd']);
  for (const piece of splitPaste('é'.repeat(5000))) assert.ok(Buffer.byteLength(piece) <= 4096);
});

test('the collector keeps the lines of one paste and what is left on the input line', () => {
  const paste = new PasteCollector();
  assert.equal(paste.take('typed'), false);
  paste.start();
  assert.equal(paste.take('one'), true);
  assert.deepEqual(paste.end('two'), ['one', 'two']);
  assert.equal(paste.active, false);
  paste.start();
  assert.equal(paste.end('no newline'), undefined, 'a paste without a newline stays on the input line');
});
