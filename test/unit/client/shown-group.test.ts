/** The chat screen's shown group (shown-group.ts): each message once by seq, the seq cursor, day markers. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CompletionNames } from '../../../src/client/completion.js';
import { GroupStatus } from '../../../src/client/group-status.js';
import { ShownGroup } from '../../../src/client/shown-group.js';
import { WindowScreen } from '../../../src/client/window-screen.js';
import type { Outgoing } from '../../../src/client/client.js';
import type { JoinedReply, StoredMessage } from '../../../src/protocol/messages.js';
import { FakeTerminal } from '../../helpers/fake-chat.js';

const NOW = Date.now();
const DAY_MS = 24 * 60 * 60 * 1000;

function shownGroup() {
  const terminal = new FakeTerminal();
  const sent: Outgoing[] = [];
  const names = new CompletionNames('alice');
  const status = new GroupStatus({
    call: async (request) => {
      sent.push(request);
      return { type: 'ok', id: 1 };
    },
    print: (text) => terminal.print(text),
    promptChanged: () => view.refreshPrompt(),
  }, 'alice', {});
  const screen = new WindowScreen(terminal, 'alice', 'server', { promptChanged: () => view.refreshPrompt(), bellOn: () => true });
  const view = new ShownGroup(screen, status, names, 'alice');
  return { terminal, sent, names, status, view };
}

function message(seq: number, text: string, ts = NOW): StoredMessage {
  return { group: 'g', seq, from: 'bob', text, ts };
}

function joined(history: StoredMessage[], lastSeq: number, more = false): JoinedReply {
  return { type: 'joined', group: 'g', members: ['alice', 'bob'], last_seq: lastSeq, more, history };
}

test('a message is shown once by seq, and the read marker follows the highest seq shown', () => {
  const { terminal, sent, status, view } = shownGroup();
  assert.equal(view.showJoined(joined([message(1, 'one'), message(2, 'two')], 2), false), 2);
  assert.deepEqual(view.current, { name: 'g', lastSeq: 2, oldestSeq: 1 });
  assert.equal(view.show(message(2, 'two again')), false);
  assert.equal(view.show(message(3, 'three')), true);
  const lines = terminal.printed.filter((line) => /bob/.test(line) && !/online/.test(line));
  assert.equal(lines.length, 3);
  assert.match(lines.at(-1)!, /three$/);
  assert.ok(!terminal.printed.some((line) => /two again/.test(line)));
  status.flush();
  assert.deepEqual(sent, [{ type: 'mark_read', group: 'g', seq: 3 }]);
});

test('a page with more leaves the cursor at the highest seq shown; the last page moves it to last_seq', () => {
  const { view, status } = shownGroup();
  view.showJoined(joined([message(1, 'one')], 5, true), false);
  assert.equal(view.current?.lastSeq, 1);
  assert.equal(view.showJoined(joined([message(1, 'one'), message(2, 'two')], 5, false), true), 1);
  assert.equal(view.current?.lastSeq, 5);
  assert.equal(view.current?.oldestSeq, 1, 'a resumed page of the same group keeps what was shown');
  status.flush();
});

test('a message of another day comes after a day marker, once', () => {
  const { terminal, view, status } = shownGroup();
  view.showJoined(joined([message(1, 'yesterday', NOW - DAY_MS), message(2, 'also yesterday', NOW - DAY_MS)], 2), false);
  assert.equal(terminal.printed.filter((line) => /^-- \w+ \d+ \w+ \d{4} --$/.test(line)).length, 1);
  view.show(message(3, 'today'));
  assert.equal(terminal.printed.filter((line) => /^-- \w+ \d+ \w+ \d{4} --$/.test(line)).length, 2);
  status.flush();
});

test('out of the group nothing is shown, and the members are forgotten', () => {
  const { terminal, names, view } = shownGroup();
  view.showJoined(joined([], 0), false);
  assert.deepEqual([...names.users].sort(), ['bob']);
  view.forget();
  assert.equal(view.current, undefined);
  assert.deepEqual([...names.users], []);
  const printed = terminal.printed.length;
  assert.equal(view.show(message(1, 'late')), false);
  assert.equal(terminal.printed.length, printed);
});
