import assert from 'node:assert/strict';
import { test } from 'node:test';
import { lastlog } from '../../../../src/client/windows/lastlog.js';
import { plainLine } from '../../../../src/client/windows/plain-line.js';
import { ScrollBack } from '../../../../src/client/windows/scroll-back.js';
import { windowRows } from '../../../../src/client/windows/window-rows.js';

process.env['TZ'] = 'UTC';

test('a line as plain text: <from> text, an action, an event; escapes and controls gone; more lines indented', () => {
  const scroll = new ScrollBack();
  const said = scroll.addMessage({ seq: 1, from: 'bob', text: 'hi \u001b[31mred\u001b[0m\u0007', ts: 0 })!;
  const action = scroll.addMessage({ seq: 2, from: 'bob', text: '/me waves', ts: 0 })!;
  const lines = scroll.addMessage({ seq: 3, from: 'bob', text: 'one\ntwo', ts: 0 })!;
  const event = scroll.addEvent('-- carol \u001b]0;title\u0007joined', 0);
  assert.equal(plainLine(said), '<bob> hi red');
  assert.equal(plainLine(action), '* bob waves');
  assert.equal(plainLine(lines), '<bob> one\n      two');
  assert.equal(plainLine(event), '-- carol joined');
});

test('/lastlog finds the lines holding TEXT in any case, by author or text, oldest first; never a deleted message\'s old text', () => {
  const scroll = new ScrollBack();
  scroll.addMessages([
    { seq: 1, from: 'bob', text: 'the Deploy is done', ts: 0 },
    { seq: 2, from: 'carol', text: 'nothing here', ts: 0 },
    { seq: 3, from: 'deployer', text: 'ok', ts: 0 },
    { seq: 4, from: 'bob', text: 'deploy password is hunter2', ts: 0 },
  ]);
  scroll.addEvent('-- topic: deploy day', 0);
  scroll.markDeleted(4, 'bob');
  assert.deepEqual(lastlog(scroll.lines(), 'DEPLOY').map(plainLine), ['<bob> the Deploy is done', '<deployer> ok', '-- topic: deploy day']);
  assert.deepEqual(lastlog(scroll.lines(), 'hunter2'), []);
  assert.equal(lastlog(scroll.lines(), 'message deleted').length, 1);
  assert.deepEqual(lastlog(scroll.lines(), ''), []);
  assert.deepEqual(lastlog(scroll.lines(), '\u001b[31m'), [], 'what a terminal would act on is not searched');
});

test('switching to a window prints its scroll-back with a day line where the date changes, none before today\'s first', () => {
  const day = 86_400_000;
  const now = Date.UTC(2026, 11, 6, 12);
  const scroll = new ScrollBack();
  scroll.addMessages([
    { seq: 1, from: 'bob', text: 'old', ts: now - 2 * day },
    { seq: 2, from: 'bob', text: 'old too', ts: now - 2 * day + 60_000 },
    { seq: 3, from: 'bob', text: 'yesterday', ts: now - day },
    { seq: 4, from: 'bob', text: 'today', ts: now },
  ]);
  const rows = windowRows(scroll.lines(), now).map((row) => (row.kind === 'day' ? row.text.replace(/\u001b\[[0-9;]*m/g, '') : plainLine(row.line)));
  assert.deepEqual(rows, [
    '-- Friday 4 December 2026 --', '<bob> old', '<bob> old too',
    '-- Saturday 5 December 2026 --', '<bob> yesterday',
    '-- Sunday 6 December 2026 --', '<bob> today',
  ]);
  assert.deepEqual(windowRows(scroll.lines().slice(3), now).map((row) => row.kind), ['line']);
});
