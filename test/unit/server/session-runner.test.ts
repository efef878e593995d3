/**
 * The session runner without a socket: a fake port records what it sends, a
 * TestClock stands in for time, the store is a real SQLite file. Requests are
 * run as the connection runs them: one at a time, each awaited.
 */
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { FrameDecoder, FrameEncoder } from '../../../src/protocol/frame.js';
import { DEFAULT_LIMITS, type Limits } from '../../../src/protocol/limits.js';
import type { GroupNotice, Request, ServerMessage } from '../../../src/protocol/messages.js';
import { parseServerMessage } from '../../../src/protocol/server-message-parse.js';
import { Hub, type HubMember } from '../../../src/server/hub.js';
import { LocalLink } from '../../../src/cluster/local-link.js';
import type { ServerContext } from '../../../src/server/context.js';
import { type SessionPort, SessionRunner } from '../../../src/server/session-runner.js';
import type { SessionState } from '../../../src/server/session.js';
import { SqliteStore } from '../../../src/store/sqlite.js';
import { TestClock } from '../../helpers/clock.js';
import { testContext } from '../../helpers/server-context.js';
import { TEST_PASSWORD } from '../../helpers/server.js';
import type { ProtocolError } from '../../../src/protocol/errors.js';

/** A hub that also notes every membership move and every hold. */
class RecordingHub extends Hub {
  readonly calls: string[] = [];

  override move(member: HubMember, from: SessionState, to: SessionState): Buffer[] {
    this.calls.push(`move ${from.kind}->${to.kind}`);
    return super.move(member, from, to);
  }

  override holdLiveMessages(member: HubMember, group: string): () => void {
    this.calls.push(`hold ${group}`);
    return super.holdLiveMessages(member, group);
  }
}

let ports = 0;

/** The connection side of a runner, in memory: frames are decoded into `received`. */
class FakePort implements SessionPort {
  readonly connectionId = ++ports;
  readonly received: ServerMessage[] = [];
  outputBacklog = 0;
  ended = false;
  runner: SessionRunner | undefined;
  private readonly decoder = new FrameDecoder({ maxFrame: DEFAULT_LIMITS.maxFrame });
  private wakeDrainWaiter: (() => void) | undefined;

  constructor(private readonly encoder: FrameEncoder) {}

  sendFrame(frame: Buffer): void {
    if (this.runner?.isClosed) return;
    this.decoder.push(frame);
    for (let body = this.decoder.next(); body !== undefined; body = this.decoder.next()) this.received.push(parseServerMessage(body));
  }

  fail(error: ProtocolError): void {
    this.sendFrame(this.encoder.encode({ type: 'error', code: error.code, message: error.message, ...(error.id === undefined ? {} : { id: error.id }) }));
    if (error.fatal) this.end();
  }

  removeFromGroup(group: string, notice: GroupNotice): void {
    this.runner?.removeFromGroup(group, notice);
  }

  end(): void {
    this.ended = true;
    this.runner?.close();
  }

  drained(): Promise<void> {
    return new Promise((resolve) => { this.wakeDrainWaiter = resolve; });
  }

  /** The client read everything. */
  drain(): void {
    this.outputBacklog = 0;
    this.wakeDrainWaiter?.();
  }

  /** What arrived since the last call, as `type` or `type:code` for errors, with the reply id when there is one. */
  take(): string[] {
    const taken = this.received.splice(0).map((message) => {
      const name = message.type === 'error' ? `error:${message.code}` : message.type;
      return 'id' in message && message.id !== undefined ? `${name}#${message.id}` : name;
    });
    return taken;
  }
}

interface Rig {
  context: ServerContext;
  hub: RecordingHub;
  store: SqliteStore;
  clock: TestClock;
  /** A runner on a new fake port. */
  open(): { runner: SessionRunner; port: FakePort };
}

async function rig(t: TestContext, limits: Partial<Limits> = {}): Promise<Rig> {
  const encoder = new FrameEncoder();
  const hub = new RecordingHub(encoder, new LocalLink());
  const { context, store } = await testContext(t, { limits, hub, encoder });
  const clock = new TestClock();
  return {
    context, hub, store, clock,
    open() {
      const port = new FakePort(encoder);
      const runner = new SessionRunner(port, context, { key: 'test', exempt: true }, clock);
      port.runner = runner;
      return { runner, port };
    },
  };
}

/** Runs the requests one after another, as a connection does, then waits for the replies under way. */
async function runAll(runner: SessionRunner, requests: Request[]): Promise<void> {
  for (const request of requests) await runner.run(request);
  await runner.settled();
}

async function signIn(runner: SessionRunner, port: FakePort, user: string, group?: string): Promise<void> {
  await runAll(runner, [
    { type: 'register', user, password: TEST_PASSWORD },
    ...(group === undefined ? [] : [{ type: 'create_group', group } as const, { type: 'join', group } as const]),
  ]);
  const replies = port.take();
  assert.equal(replies[0], 'auth_ok');
  port.take();
}

test('a request refused for its state costs nothing: no token, no pacing wait, no hub change, no store write', async (t) => {
  const { open, hub, clock } = await rig(t, { rateLimit: 1, queryRate: 1 });
  const { runner, port } = open();
  const refused: Request[] = [
    ...Array.from({ length: 5 }, (_, i) => ({ type: 'dm', to: 'x', text: 'hi', id: i }) as const),
    ...Array.from({ length: 5 }, () => ({ type: 'join', group: 'g' }) as const),
    ...Array.from({ length: 5 }, () => ({ type: 'say', text: 'hi' }) as const),
    { type: 'list_groups' }, { type: 'who' }, { type: 'history' },
  ];
  await runAll(runner, refused);
  assert.ok(port.take().every((reply) => reply.startsWith('error:wrong_state')));
  assert.deepEqual(hub.calls, [], 'the hub was not touched');
  assert.deepEqual(clock.sleeps, [], 'no pacing wait');
  await signIn(runner, port, 'alice');
  hub.calls.length = 0;
  // Both buckets are whole: a burst of two of each passes, the third is limited or paced.
  await runAll(runner, [{ type: 'list_groups', id: 1 }, { type: 'list_groups', id: 2 }]);
  assert.deepEqual(clock.sleeps, []);
  await runAll(runner, [{ type: 'dm', to: 'alice', text: 'one', id: 3 }, { type: 'dm', to: 'alice', text: 'two', id: 4 }, { type: 'dm', to: 'alice', text: 'three', id: 5 }]);
  assert.deepEqual(port.take(), ['groups#1', 'groups#2', 'dm', 'ack#3', 'dm', 'ack#4', 'error:rate_limited#5']);
});

test('rate limit: a burst of twice the rate, then one token per 1/rate s of the clock', async (t) => {
  const { open, clock } = await rig(t, { rateLimit: 5 });
  const { runner, port } = open();
  await signIn(runner, port, 'alice', 'g');
  const says = (from: number, count: number): Request[] => Array.from({ length: count }, (_, i) => ({ type: 'say', text: 'x', id: from + i }));
  await runAll(runner, says(1, 12));
  assert.deepEqual(port.take().map((reply) => reply.split('#')[0]), [...Array<string>(10).fill('ack'), 'error:rate_limited', 'error:rate_limited']);
  clock.advance(400); // two tokens
  await runAll(runner, says(13, 3));
  assert.deepEqual(port.take(), ['ack#13', 'ack#14', 'error:rate_limited#15']);
});

test('query pacing: requests beyond the burst wait for the clock, and none is refused', async (t) => {
  const { open, clock } = await rig(t, { queryRate: 2 });
  const { runner, port } = open();
  await signIn(runner, port, 'alice', 'g'); // the join took one query token
  clock.sleeps.length = 0;
  await runAll(runner, Array.from({ length: 5 }, (_, i) => ({ type: 'who', id: i }) as const));
  assert.deepEqual(clock.sleeps, [500, 500], 'three left in the burst of four, then one every 500 ms');
  assert.deepEqual(port.take(), ['members#0', 'members#1', 'members#2', 'members#3', 'members#4']);
  await runAll(runner, [{ type: 'ping', id: 9 }]);
  assert.deepEqual(clock.sleeps, [500, 500], 'ping is not paced');
});

test('say replies leave in request order, rate_limited and wrong_state included', async (t) => {
  const { open } = await rig(t, { rateLimit: 1 });
  const { runner, port } = open();
  await signIn(runner, port, 'alice', 'g');
  // Not awaited one by one in the store: the acks wait for the commit, the refusals do not.
  await runAll(runner, [
    { type: 'say', text: 'a', id: 1 }, { type: 'say', text: 'b', id: 2 }, { type: 'say', text: 'c', id: 3 },
    { type: 'login', user: 'alice', password: TEST_PASSWORD, id: 4 }, { type: 'say', text: 'd', id: 5 }, { type: 'ping', id: 6 },
  ]);
  assert.deepEqual(port.take(), ['ack#1', 'ack#2', 'error:rate_limited#3', 'error:wrong_state#4', 'error:rate_limited#5', 'pong#6']);
});

test('join: live messages stored while its history is read are held and follow the joined reply, once', async (t) => {
  const { open, store, hub } = await rig(t, { rateLimit: 0 });
  const bob = open();
  await signIn(bob.runner, bob.port, 'bob', 'g');
  await runAll(bob.runner, [{ type: 'say', text: 'before' }]);
  const alice = open();
  await signIn(alice.runner, alice.port, 'alice');
  const readHistory = store.groups.messagesBefore.bind(store.groups);
  store.groups.messagesBefore = async (group, before, limit) => {
    const page = await readHistory(group, before, limit);
    store.groups.messagesBefore = readHistory;
    await runAll(bob.runner, [{ type: 'say', text: 'during' }]); // stored after alice's history was read
    return page;
  };
  hub.calls.length = 0;
  await runAll(alice.runner, [{ type: 'join', group: 'g', id: 1 }]);
  assert.deepEqual(hub.calls, ['hold g', 'move group_select->chat']);
  const [joined, live, ...rest] = alice.port.received.splice(0);
  assert.equal(joined?.type, 'joined');
  assert.deepEqual(joined?.type === 'joined' && joined.history.map((message) => message.text), ['before']);
  assert.deepEqual(live?.type === 'msg' && [live.text, live.seq], ['during', 2]);
  assert.deepEqual(rest, []);
  await runAll(bob.runner, [{ type: 'say', text: 'after' }]);
  assert.deepEqual(alice.port.take(), ['msg'], 'then live as usual');
});

test('a failed join lets its held messages go', async (t) => {
  const { open, hub } = await rig(t);
  const { runner, port } = open();
  await signIn(runner, port, 'alice');
  hub.calls.length = 0;
  await runAll(runner, [{ type: 'join', group: 'nowhere', id: 1 }]);
  assert.deepEqual(port.take(), ['error:no_such_group#1']);
  assert.deepEqual(hub.calls, ['hold nowhere']);
  assert.deepEqual(hub.move(port, { kind: 'group_select', user: 'alice' }, { kind: 'chat', user: 'alice', group: 'nowhere', joinedAtSeq: 0 }), [], 'nothing was kept');
});

test('the next request waits while the output is above the watermark, until the client reads', async (t) => {
  const { open, context } = await rig(t);
  const { runner, port } = open();
  port.outputBacklog = context.config.limits.maxPendingOutput;
  let done = false;
  const running = runner.run({ type: 'ping', id: 1 }).then(() => { done = true; });
  await new Promise((resolve) => setImmediate(resolve));
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(port.take(), ['pong#1'], 'answered at once');
  assert.equal(done, false, 'but the next request waits');
  port.drain();
  await running;
  assert.equal(done, true);
});

test('bye closes: the session leaves the hub, and nothing more is sent', async (t) => {
  const { open, hub } = await rig(t);
  const { runner, port } = open();
  await signIn(runner, port, 'alice', 'g');
  hub.calls.length = 0;
  await runAll(runner, [{ type: 'bye' }, { type: 'ping', id: 2 }]);
  assert.equal(port.ended, true);
  assert.equal(runner.isClosed, true);
  assert.deepEqual(hub.calls, ['move chat->closed']);
  assert.deepEqual(port.take(), []);
  assert.deepEqual(await hub.members('g'), []);
});
