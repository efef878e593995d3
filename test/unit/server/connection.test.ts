/** The connection shell over an in-memory stream pair: no TLS, no port. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { duplexPair, type Duplex } from 'node:stream';
import { test, type TestContext } from 'node:test';
import { FrameDecoder, FrameEncoder } from '../../../src/protocol/frame.js';
import type { Request, ServerMessage } from '../../../src/protocol/messages.js';
import { parseServerMessage } from '../../../src/protocol/server-message-parse.js';
import { Connection } from '../../../src/server/connection.js';
import { StreamFrameLink } from '../../../src/transport/stream-link.js';
import { WriteBatcher } from '../../../src/transport/write-batcher.js';
import { testContext } from '../../helpers/server-context.js';

/** The client end: frames in, decoded messages out, awaitable. */
class PairClient {
  readonly received: ServerMessage[] = [];
  private readonly encoder = new FrameEncoder();
  private readonly decoder = new FrameDecoder({ maxFrame: 65536 });

  constructor(readonly stream: Duplex) {
    stream.on('data', (chunk: Buffer) => {
      this.decoder.push(chunk);
      for (let body = this.decoder.next(); body !== undefined; body = this.decoder.next()) this.received.push(parseServerMessage(body));
      this.stream.emit('frames');
    });
  }

  send(message: Request): void {
    this.stream.write(this.encoder.encode(message));
  }

  async next(): Promise<ServerMessage> {
    while (this.received.length === 0) await once(this.stream, 'frames');
    const [first] = this.received.splice(0, 1);
    assert.ok(first);
    return first;
  }
}

async function connected(t: TestContext): Promise<{ client: PairClient; closed: Promise<Connection> }> {
  const { context } = await testContext(t);
  const [serverSide, clientSide] = duplexPair();
  t.after(() => {
    clientSide.destroy();
    serverSide.destroy(); // the close path clears the connection's timers
  });
  let onClosed: (connection: Connection) => void = () => undefined;
  const closed = new Promise<Connection>((resolve) => { onClosed = resolve; });
  new Connection(new StreamFrameLink(serverSide, new WriteBatcher(), context.config.limits.maxFrame), context, onClosed).start();
  return { client: new PairClient(clientSide), closed };
}

test('a connection runs on any Duplex: welcome, then requests and replies', async (t) => {
  const { client } = await connected(t);
  assert.equal((await client.next()).type, 'welcome');
  client.send({ type: 'ping', id: 1 });
  client.send({ type: 'list_groups', id: 2 });
  assert.deepEqual(await client.next(), { type: 'pong', id: 1 });
  const refused = await client.next();
  assert.deepEqual(refused.type === 'error' && [refused.code, refused.id], ['wrong_state', 2]);
});

test('bye ends the stream; input after it is dropped, and a sender of more than a frame is cut', async (t) => {
  const { client, closed } = await connected(t);
  await client.next();
  client.send({ type: 'bye' });
  await once(client.stream, 'end');
  client.stream.write(Buffer.alloc(70_000, 0x41)); // more than max_frame after the close
  const connection = await closed;
  assert.equal(connection.isOpen, false);
  assert.deepEqual(client.received, [], 'nothing answered after bye');
});
