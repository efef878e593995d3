import assert from 'node:assert/strict';
import { test } from 'node:test';
import kleur from 'kleur';
import { arrivalEffect, recordArrival } from '../../../../src/client/windows/activity.js';
import { HOTLIST_MAX_WINDOWS, hotlistEntries, renderHotlist } from '../../../../src/client/windows/hotlist.js';
import { type ChatWindow, WindowList } from '../../../../src/client/windows/window-list.js';

function windows(): { list: WindowList; ops: ChatWindow; dev: ChatWindow; bob: ChatWindow } {
  const list = new WindowList('host');
  const ops = list.openGroup('ops').window;
  const dev = list.openGroup('dev').window;
  const bob = list.openConversation('bob').window;
  list.show(dev);
  return { list, ops, dev, bob };
}

test('a mention (the server\'s rule: the name as a word, with or without @, any case) in a window not shown counts, is marked and rings', () => {
  const { list, ops } = windows();
  for (const text of ['alice: look', 'hi @Alice', 'thanks ALICE.']) {
    assert.deepEqual(arrivalEffect(ops, list.current, 'carol', text, 'alice'), { counted: true, mention: true, bell: true }, text);
  }
  for (const text of ['mail me@alice', 'alicex is here', 'alice.bob did it', 'hello']) {
    assert.deepEqual(arrivalEffect(ops, list.current, 'carol', text, 'alice'), { counted: true, mention: false, bell: false }, text);
  }
});

test('in the window shown nothing counts, and a mention rings as it does today', () => {
  const { list, dev } = windows();
  assert.deepEqual(arrivalEffect(dev, list.current, 'carol', 'alice?', 'alice'), { counted: false, mention: true, bell: true });
  assert.deepEqual(arrivalEffect(dev, list.current, 'carol', 'hello', 'alice'), { counted: false, mention: false, bell: false });
});

test('a direct message rings, shown or not; it counts when its window is not shown', () => {
  const { list, bob } = windows();
  assert.deepEqual(arrivalEffect(bob, list.current, 'Bob', 'hi', 'alice'), { counted: true, mention: false, bell: true });
  list.show(bob);
  assert.deepEqual(arrivalEffect(bob, list.current, 'bob', 'hi', 'alice'), { counted: false, mention: false, bell: true });
});

test('the user\'s own messages (this device or another) and the status window count for nothing', () => {
  const { list, ops, bob } = windows();
  assert.deepEqual(arrivalEffect(ops, list.current, 'Alice', 'alice: note to self', 'alice'), { counted: false, mention: false, bell: false });
  assert.deepEqual(arrivalEffect(bob, list.current, 'alice', 'sent from my phone', 'alice'), { counted: false, mention: false, bell: false });
  assert.deepEqual(arrivalEffect(list.status, list.current, 'server', 'alice', 'alice'), { counted: false, mention: false, bell: false });
});

test('the hotlist reads [2:ops 3 @1, 4:bob 1], by window number, the shown window left out; showing a window takes it off', () => {
  kleur.enabled = false;
  try {
    const { list, ops, dev, bob } = windows();
    recordArrival(bob, list.current, 'bob', 'hi', 'alice');
    for (const text of ['one', 'alice: two', 'three']) recordArrival(ops, list.current, 'carol', text, 'alice');
    recordArrival(dev, list.current, 'carol', 'in the shown window', 'alice');
    assert.equal(renderHotlist(hotlistEntries(list.all(), list.current)), '[2:ops 3 @1, 4:bob 1]');
    list.show(ops);
    assert.equal(renderHotlist(hotlistEntries(list.all(), list.current)), '[4:bob 1]');
    list.show(bob);
    assert.equal(renderHotlist(hotlistEntries(list.all(), list.current)), '');
  } finally {
    kleur.enabled = true;
  }
});

test('the hotlist names at most 8 windows, counts the rest, and shows a name with no escape sequence', () => {
  kleur.enabled = false;
  try {
    const list = new WindowList('host');
    for (let n = 0; n < HOTLIST_MAX_WINDOWS + 2; n++) list.openGroup(`g${n}`).window.activity.messages = 1;
    const rendered = renderHotlist(hotlistEntries(list.all(), list.current));
    assert.match(rendered, /^\[2:g0 1, .*, 9:g7 1, \+2 more\]$/);
    assert.equal(renderHotlist([{ number: 2, title: 'x\u001b[2Jy', conversation: false, messages: 1, mentions: 0 }]), '[2:xy 1]');
  } finally {
    kleur.enabled = true;
  }
});
