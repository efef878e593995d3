import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ChatWindow, WindowList } from '../../../../src/client/windows/window-list.js';

const titles = (list: WindowList): string[] => list.all().map((window) => window.title);

test('window 1 is the status window; groups and conversations open after it, in order, not shown', () => {
  const list = new WindowList('chat.example.org');
  assert.equal(list.current, list.status);
  assert.equal(list.numberOf(list.status), 1);
  assert.deepEqual(list.openGroup('ops').number, 2);
  assert.deepEqual(list.openConversation('bob').number, 3);
  assert.deepEqual(list.openGroup('dev').number, 4);
  assert.deepEqual(titles(list), ['chat.example.org', 'ops', 'bob', 'dev']);
  assert.equal(list.current, list.status, 'opening does not show');
});

test('a name opens one window in any case; a group and a user of the same name are two windows', () => {
  const list = new WindowList('host');
  const ops = list.openGroup('ops').window;
  assert.deepEqual(list.openGroup('OPS'), { number: 2, window: ops });
  assert.equal(ops.title, 'OPS', 'the title follows the server\'s latest spelling');
  assert.equal(list.findGroup('Ops'), ops);
  assert.notEqual(list.openConversation('ops').window, ops);
  assert.equal(list.findConversation('OPS')?.target.kind, 'conversation');
  assert.equal(list.findConversation('nobody'), undefined);
});

test('showing a window by number (Alt-N, /window N) makes it current and clears its activity; no such window changes nothing', () => {
  const list = new WindowList('host');
  const ops = list.openGroup('ops').window;
  ops.activity.messages = 3;
  ops.activity.mentions = 1;
  assert.equal(list.showNumber(2), ops);
  assert.equal(list.current, ops);
  assert.deepEqual(ops.activity, { messages: 0, mentions: 0 });
  for (const number of [0, 3, 9, 1.5, -1]) assert.equal(list.showNumber(number), undefined, String(number));
  assert.equal(list.current, ops);
  assert.equal(list.at(1), list.status);
});

test('closing a window moves the later ones down a number (irssi windows_auto_renumber); a new window is the last number', () => {
  const list = new WindowList('host');
  list.openGroup('ops');
  const bob = list.openConversation('bob').window;
  const dev = list.openGroup('dev').window;
  assert.equal(list.close(bob), true);
  assert.deepEqual(titles(list), ['host', 'ops', 'dev']);
  assert.equal(list.numberOf(dev), 3);
  assert.equal(list.numberOf(bob), undefined);
  assert.equal(list.close(bob), false, 'closed already');
  assert.equal(list.openConversation('carol').number, 4);
  assert.equal(list.openConversation('bob').number, 5, 'a conversation opened again is new, at the end');
});

test('closing the shown window shows the one shown before it; the status window never closes', () => {
  const list = new WindowList('host');
  const ops = list.openGroup('ops').window;
  const dev = list.openGroup('dev').window;
  const bob = list.openConversation('bob').window;
  list.show(dev);
  list.show(bob);
  dev.activity.messages = 2;
  list.close(bob);
  assert.equal(list.current, dev);
  assert.equal(dev.activity.messages, 0, 'shown again: its news are read');
  list.close(dev);
  assert.equal(list.current, list.status, 'ops was never shown: back to where the user was before');
  list.close(ops);
  assert.equal(list.close(list.status), false);
  assert.deepEqual(titles(list), ['host']);
  assert.throws(() => list.show(ops), RangeError);
});

test('the group and conversation windows, in window order, are what a reconnect restores', () => {
  const list = new WindowList('host');
  list.openGroup('ops');
  list.openConversation('bob');
  list.openGroup('dev');
  const names = (windows: ChatWindow[]): string[] => windows.map((window) => window.title);
  assert.deepEqual(names(list.groupWindows()), ['ops', 'dev']);
  assert.deepEqual(names(list.conversationWindows()), ['bob']);
});

test('each window has its own scroll-back of the limit given', () => {
  const list = new WindowList('host', 2);
  const ops = list.openGroup('ops').window;
  const bob = list.openConversation('bob').window;
  ops.scrollBack.addMessages([1, 2, 3].map((seq) => ({ seq, from: 'x', text: 't', ts: seq })));
  assert.equal(ops.scrollBack.size, 2);
  assert.equal(bob.scrollBack.size, 0);
  assert.equal(list.status.scrollBack.limit, 2);
});
