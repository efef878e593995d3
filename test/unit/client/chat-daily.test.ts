/** /me actions and the bell, with a fake terminal and a fake connection. */
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';
import { type ChatConnection, ChatController } from '../../../src/client/chat.js';
import { fakeChatClient } from '../../helpers/fake-chat.js';
import type { Outgoing, ProtocolClientEvents, ReplyOfType } from '../../../src/client/client.js';
import { parseInput } from '../../../src/client/commands.js';
import type { ChatTerminal } from '../../../src/client/terminal.js';
import type { JoinedReply, ServerMessage } from '../../../src/protocol/messages.js';

class Terminal implements ChatTerminal {
  readonly columns = 80;
  readonly printed: string[] = [];
  bells = 0;
  onLine: (line: string) => void = () => undefined;
  print(text: string): void { this.printed.push(...stripVTControlCharacters(text).split('\n')); }
  eraseEcho(): void {}
  startChat(_prompt: string, onLine: (line: string) => void): void { this.onLine = onLine; }
  setPrompt(): void {}
  setCompleter(): void {}
  onInterrupt(): void {}
  onEnd(): void {}
  bell(): void { this.bells += 1; }
  close(): void {}
}

class Connection extends EventEmitter<ProtocolClientEvents> implements ChatConnection {
  readonly requests: Outgoing[] = [];
  async call<T extends ServerMessage['type']>(request: Outgoing, _expect: T): Promise<ReplyOfType<T>> {
    this.requests.push(request);
    return { type: 'ack', id: 1, seq: this.requests.length + 10, ts: 0 } as unknown as ReplyOfType<T>;
  }
  async bye(): Promise<void> {}
}

function started() {
  const terminal = new Terminal();
  const connection = new Connection();
  const joined: JoinedReply = { type: 'joined', group: 'g', members: ['alice', 'bob'], last_seq: 0, more: false, history: [] };
  const chat = new ChatController(fakeChatClient(connection, async () => connection, joined), terminal);
  chat.start(joined);
  return { terminal, connection };
}

test('/me TEXT is sent as a message starting with "/me " and shown as an action', async () => {
  assert.deepEqual(parseInput('/me waves'), { kind: 'say', text: '/me waves' });
  assert.deepEqual(parseInput('/me'), { kind: 'usage', usage: 'usage: /me TEXT' });
  const { terminal, connection } = started();
  connection.emit('message', { type: 'msg', group: 'g', seq: 1, from: 'bob', text: '/me waves at everyone', ts: 0 });
  assert.match(terminal.printed.at(-1)!, /^\d\d:\d\d \* bob waves at everyone$/);
});

test('a mention or a direct message rings the bell, unless /set bell off', async () => {
  const { terminal, connection } = started();
  connection.emit('message', { type: 'msg', group: 'g', seq: 1, from: 'bob', text: 'no names here', ts: 0 });
  assert.equal(terminal.bells, 0);
  connection.emit('message', { type: 'msg', group: 'g', seq: 2, from: 'bob', text: 'hey @alice', ts: 0 });
  assert.equal(terminal.bells, 1);
  connection.emit('message', { type: 'dm', from: 'bob', to: 'alice', text: 'psst', ts: 0 });
  assert.equal(terminal.bells, 2);
  // Its own dm, sent from another connection of the account: in the conversation's window (not shown), no bell.
  connection.emit('message', { type: 'dm', from: 'Alice', to: 'bob', seq: 3, text: 'from my phone', ts: 0 });
  assert.ok(!terminal.printed.some((line) => /from my phone/.test(line)), 'the conversation window is not shown');
  assert.equal(terminal.bells, 2);
  // /window 3 shows the conversation with bob (window 1: the server, 2: g), both sides, from memory.
  terminal.onLine('/window 3');
  await new Promise((resolve) => setImmediate(resolve));
  assert.ok(terminal.printed.includes('-- window 3: @bob --'));
  assert.match(terminal.printed.at(-2)!, /\[dm\] bob → you: psst$/);
  assert.match(terminal.printed.at(-1)!, /\[dm\] you → bob: from my phone$/);
  terminal.onLine('/window 2');
  await new Promise((resolve) => setImmediate(resolve));
  terminal.onLine('/set bell off');
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(terminal.printed.at(-1), '-- bell off');
  connection.emit('message', { type: 'msg', group: 'g', seq: 3, from: 'bob', text: 'alice?', ts: 0 });
  connection.emit('message', { type: 'dm', from: 'bob', to: 'alice', text: 'again', ts: 0 });
  assert.equal(terminal.bells, 2);
  assert.deepEqual(parseInput('/set bell maybe'), { kind: 'usage', usage: 'usage: /set bell on|off' });
});
