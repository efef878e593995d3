/** The in-memory FrameLink pair: frames cross encoded, the server's Connection runs on one end. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameEncoder } from '../../../src/protocol/frame.js';
import { parseServerMessage } from '../../../src/protocol/server-message-parse.js';
import type { ServerMessage } from '../../../src/protocol/messages.js';
import { Connection } from '../../../src/server/connection.js';
import type { FrameLinkHandler } from '../../../src/transport/frame-link.js';
import { MemoryFrameLink } from '../../../src/transport/memory-link.js';
import { testContext } from '../../helpers/server-context.js';

test('a memory pair carries encoded frames both ways, and ending one end closes both', async () => {
  const [a, b] = MemoryFrameLink.pair({ maxFrame: 1024 });
  const encoder = new FrameEncoder();
  const got: unknown[] = [];
  let closed = 0;
  const handler = (link: MemoryFrameLink): FrameLinkHandler => ({
    received: () => { for (let body = link.next(); body !== undefined; body = link.next()) got.push(body); },
    flushed: () => undefined,
    failed: () => undefined,
    closed: () => { closed += 1; },
  });
  a.start(handler(a));
  b.start(handler(b));
  a.send(encoder.encode({ type: 'ping', id: 1 }));
  a.send(encoder.encode({ type: 'ping', id: 2 }));
  assert.equal(a.backlog > 0, true, 'sent this turn, not yet taken');
  await a.drained();
  assert.deepEqual(got, [{ type: 'ping', id: 1 }, { type: 'ping', id: 2 }]);
  assert.equal(a.backlog, 0);
  b.end();
  b.send(encoder.encode({ type: 'ping', id: 3 })); // after end: dropped
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(a.closed && b.closed, true);
  assert.equal(closed, 2);
  assert.equal(got.length, 2);
});

test('a Connection runs on a memory link: welcome, ping, bye', async (t) => {
  const { context } = await testContext(t);
  const [serverEnd, clientEnd] = MemoryFrameLink.pair({ maxFrame: context.config.limits.maxFrame });
  const received: ServerMessage[] = [];
  let wake: () => void = () => undefined;
  let ended = false;
  clientEnd.start({
    received: () => {
      for (let body = clientEnd.next(); body !== undefined; body = clientEnd.next()) received.push(parseServerMessage(body));
      wake();
    },
    flushed: () => undefined,
    failed: () => undefined,
    closed: () => { ended = true; wake(); },
  });
  const closed = new Promise<Connection>((resolve) => new Connection(serverEnd, context, resolve).start());
  const next = async (): Promise<ServerMessage | undefined> => {
    while (received.length === 0 && !ended) await new Promise<void>((resolve) => { wake = resolve; });
    return received.shift();
  };
  assert.equal((await next())?.type, 'welcome');
  const encoder = new FrameEncoder();
  clientEnd.send(encoder.encode({ type: 'ping', id: 7 }));
  assert.deepEqual(await next(), { type: 'pong', id: 7 });
  clientEnd.send(encoder.encode({ type: 'bye' }));
  assert.equal((await closed).isOpen, false);
  assert.equal(await next(), undefined, 'nothing after bye');
});
