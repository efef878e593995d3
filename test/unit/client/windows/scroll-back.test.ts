import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DELETED_TEXT } from '../../../../src/protocol/messages.js';
import { DEFAULT_SCROLL_BACK_LINES, type ScrollLine, ScrollBack } from '../../../../src/client/windows/scroll-back.js';

const message = (seq: number, from = 'bob', text = `m${seq}`): { seq: number; from: string; text: string; ts: number } => ({ seq, from, text, ts: 1_000 * seq });
const seqs = (lines: readonly ScrollLine[]): Array<number | string | undefined> => lines.map((line) => (line.kind === 'message' ? line.seq : line.text));
const range = (from: number, to: number): number[] => Array.from({ length: to - from + 1 }, (_, i) => from + i);

test('a resume page that brings back messages already held adds only the new ones, exactly once by seq', () => {
  const scroll = new ScrollBack();
  assert.equal(scroll.addMessages(range(1, 5).map((seq) => message(seq))).length, 5);
  const added = scroll.addMessages(range(3, 8).map((seq) => message(seq)));
  assert.deepEqual(added.map((line) => line.seq), [6, 7, 8]);
  assert.deepEqual(seqs(scroll.lines()), range(1, 8));
  assert.equal(scroll.addMessage(message(8)), undefined, 'a live copy of a message the page brought is not added');
  assert.deepEqual([scroll.firstSeq(), scroll.lastSeq()], [1, 8]);
});

test('an older page (dm_history before, /history) goes in front, in seq order, and twice is once', () => {
  const scroll = new ScrollBack();
  scroll.addMessages([message(10), message(11), message(12)]);
  scroll.addMessages([message(7), message(8), message(9)]);
  assert.deepEqual(seqs(scroll.lines()), range(7, 12));
  assert.deepEqual(scroll.addMessages([message(8), message(9), message(10)]), []);
  scroll.addMessages([message(1), message(2)]);
  scroll.addMessage(message(5));
  assert.deepEqual(seqs(scroll.lines()), [1, 2, 5, 7, 8, 9, 10, 11, 12]);
});

test('an event line stays where it arrived; a page older than every message goes before it', () => {
  const scroll = new ScrollBack();
  scroll.addEvent('-- you joined ops', 500);
  scroll.addMessages([message(4), message(5)]);
  scroll.addEvent('-- carol left', 6_000);
  scroll.addMessage(message(6));
  scroll.addMessages([message(2), message(3)]);
  assert.deepEqual(seqs(scroll.lines()), [2, 3, '-- you joined ops', 4, 5, '-- carol left', 6]);
  assert.equal(scroll.addMessage({ from: 'bob', text: 'no seq', ts: 7_000 })?.seq, undefined);
  assert.equal(scroll.addMessage({ from: 'bob', text: 'no seq', ts: 7_000 })?.text, 'no seq', 'a line without seq is never taken for another');
  assert.equal(scroll.size, 9);
});

test('the scroll-back is bounded: the oldest lines go, and one older than all it keeps is not taken back', () => {
  const scroll = new ScrollBack(3);
  scroll.addMessages(range(1, 5).map((seq) => message(seq)));
  assert.deepEqual(seqs(scroll.lines()), [3, 4, 5]);
  assert.equal(scroll.has(1), false);
  assert.equal(scroll.addMessage(message(1)), undefined);
  assert.equal(scroll.addMessage(message(4)), undefined);
  scroll.addEvent('-- topic', 9_000);
  assert.deepEqual(seqs(scroll.lines()), [4, 5, '-- topic']);
  assert.equal(scroll.has(3), false, 'a line that went is forgotten by seq too');
  assert.throws(() => new ScrollBack(0), RangeError);
});

test('by default a window keeps 1,000 lines', () => {
  const scroll = new ScrollBack();
  assert.equal(DEFAULT_SCROLL_BACK_LINES, 1_000);
  scroll.addMessages(range(1, 1_500).map((seq) => message(seq)));
  assert.equal(scroll.size, 1_000);
  assert.equal(scroll.firstSeq(), 501);
});

test('message_deleted replaces the text in place; a page bringing it back changes nothing; a stored deleted one arrives deleted', () => {
  const scroll = new ScrollBack();
  scroll.addMessages([message(1), message(2, 'bob', 'oops, my password'), message(3)]);
  const changed = scroll.markDeleted(2, 'bob');
  assert.deepEqual(changed, { kind: 'message', seq: 2, from: 'bob', text: DELETED_TEXT, ts: 2_000, deletedBy: 'bob' });
  assert.deepEqual(seqs(scroll.lines()), [1, 2, 3]);
  assert.equal(scroll.markDeleted(2, 'bob'), undefined, 'already deleted');
  assert.equal(scroll.markDeleted(99, 'bob'), undefined, 'never held');
  assert.equal(scroll.addMessage(message(2, 'bob', 'oops, my password')), undefined);
  assert.equal(DELETED_TEXT, '(message deleted)');
  const stored = scroll.addMessage({ seq: 4, from: 'carol', text: '(message deleted)', ts: 4_000, deleted: { by: 'mod' } });
  assert.equal(stored?.deletedBy, 'mod');
});

test('/delete without a seq finds the user\'s last message not deleted', () => {
  const scroll = new ScrollBack();
  scroll.addMessages([message(1, 'Alice'), message(2, 'bob'), message(3, 'alice'), message(4, 'bob')]);
  const isAlice = (from: string): boolean => from.toLowerCase() === 'alice';
  assert.equal(scroll.lastMessageBy(isAlice)?.seq, 3);
  scroll.markDeleted(3, 'alice');
  assert.equal(scroll.lastMessageBy(isAlice)?.seq, 1);
  assert.equal(scroll.lastMessageBy(() => false), undefined);
});
