/**
 * Issue 20 item 2: a join storm stalled everyone because each join in a big
 * group encoded the whole member list about a dozen times and sorted it. A
 * join, a `who` and a cut list cost a page of the list now: counted here in
 * bytes encoded, not timed.
 */
import { PasswordFailures } from '../../../src/server/password-failures.js';
import assert from 'node:assert/strict';
import { test, type TestContext } from 'node:test';
import { FrameEncoder } from '../../../src/protocol/frame.js';
import { DEFAULT_LIMITS } from '../../../src/protocol/limits.js';
import type { JoinedReply, MembersReply } from '../../../src/protocol/messages.js';
import type { ServerContext, Step } from '../../../src/server/context.js';
import { fit } from '../../../src/server/fit.js';
import { join, who } from '../../../src/server/handlers/groups.js';
import type { HubMember } from '../../../src/server/hub-member.js';
import { testContext } from '../../helpers/server-context.js';

/** Counts what it encodes. */
class CountingEncoder extends FrameEncoder {
  encodes = 0;
  bytes = 0;

  override encode(message: object): Buffer {
    const frame = super.encode(message);
    this.encodes += 1;
    this.bytes += frame.length;
    return frame;
  }

  reset(): void {
    this.encodes = 0;
    this.bytes = 0;
  }
}

let ids = 0;
/** A connection that drops what it is sent (the presence of the first members to join). */
function silentMember(): HubMember {
  return { connectionId: ++ids, sendFrame: () => undefined, fail: () => undefined, removeFromGroup: () => undefined };
}

/** 30-character names, the attacker's choice: the longer the names, the sooner a list outgrows a frame. */
const longName = (i: number) => `member-${String(i).padStart(5, '0')}-${'x'.repeat(17)}`;
const PRESENCE_LIMIT = DEFAULT_LIMITS.presenceMaxMembers;

/** A group `big` with `count` users in the hub, on a context whose encoder counts. */
async function bigGroup(t: TestContext, count: number): Promise<{ context: ServerContext; encoder: CountingEncoder; names: string[] }> {
  const encoder = new CountingEncoder();
  const { context, store } = await testContext(t, { encoder });
  assert.equal((await store.createOwnedGroup('big', 'owner', { maxGroups: 10, maxOwned: 10 })).kind, 'created');
  const names = Array.from({ length: count }, (_, i) => longName((i * 7919) % count));
  for (const user of names) context.hub.move(silentMember(), { kind: 'group_select', user }, { kind: 'chat', user, group: 'big', joinedAtSeq: 0 });
  encoder.reset();
  return { context, encoder, names };
}

const source = () => ({ origin: '', member: silentMember(), peer: { key: '127.0.0.1', exempt: true }, signal: new AbortController().signal, passwordFailures: new PasswordFailures(5) });
const byKey = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1);

test('a join in a group of 3,000 costs a page of the member list: at most 3 encodes, under 2 frames of bytes', async (t) => {
  const { context, encoder, names } = await bigGroup(t, 3_000);
  const step: Step = await join({ type: 'join', group: 'big' }, { kind: 'group_select', user: 'joiner' }, context, source());
  const reply = step.reply as JoinedReply;
  assert.equal(reply.type, 'joined');
  assert.equal(reply.members_more, true, 'the list is cut and says so');
  assert.ok(reply.members.length <= PRESENCE_LIMIT, `at most --presence-max-members names (${reply.members.length})`);
  assert.deepEqual(reply.members, [...names, 'joiner'].sort(byKey).slice(0, reply.members.length), 'the first page in name-key order');
  assert.ok(encoder.encodes <= 3, `encodes per join: ${encoder.encodes}`);
  assert.ok(encoder.bytes <= 2 * DEFAULT_LIMITS.maxFrame, `bytes encoded per join: ${encoder.bytes} (the whole list is ${names.length * 31})`);
});

test('who in a group of 3,000 reads one page from the sorted roster; after goes on from there', async (t) => {
  const { context, encoder, names } = await bigGroup(t, 3_000);
  const session = { kind: 'chat' as const, user: names[0]!, group: 'big', joinedAtSeq: 0 };
  const first = (await who({ type: 'who' }, session, context, source())).reply as MembersReply;
  assert.equal(first.more, true);
  const sorted = [...names].sort(byKey);
  assert.deepEqual(first.members, sorted.slice(0, first.members.length));
  assert.ok(encoder.bytes <= 5 * DEFAULT_LIMITS.maxFrame, `bytes encoded by who: ${encoder.bytes}`);
  const next = (await who({ type: 'who', after: first.members.at(-1)!.toUpperCase() }, session, context, source())).reply as MembersReply;
  assert.deepEqual(next.members, sorted.slice(first.members.length, first.members.length + next.members.length), 'the cursor ignores case');
});

test('fit cuts a list that does not fit with a few encodes of it, not a dozen, and the cut frame fits', async (t) => {
  const { context } = await testContext(t);
  const maxFrame = context.config.limits.maxFrame;
  const encoder = new CountingEncoder();
  const counted = { encoder, config: context.config };
  const items = Array.from({ length: 2_500 }, (_, i) => longName(i));
  const whole = new FrameEncoder().encode({ items }).length;
  assert.ok(whole > maxFrame, 'a list a little longer than a frame: a binary search would encode most of it a dozen times');
  const build = (subset: string[], cut: boolean) => ({ type: 'members', members: subset, ...(cut ? { more: true } : {}) });
  for (const keep of ['head', 'tail'] as const) {
    encoder.reset();
    const fitted = fit(counted, items, keep, build);
    assert.ok(encoder.bytes <= 4 * whole, `${keep}: ${encoder.bytes} bytes encoded for a list of ${whole}`);
    const frame = new FrameEncoder().encode({ ...fitted.message, id: 2 ** 32 - 1 });
    assert.ok(frame.length <= maxFrame + 4, `${keep}: the frame fits (${frame.length})`);
    const one = new FrameEncoder().encode({ ...build([...fitted.items, longName(99_999)], true), id: 2 ** 32 - 1 });
    assert.ok(one.length > maxFrame - 16 + 4, `${keep}: one more name would not (${one.length})`);
    assert.deepEqual(fitted.items, keep === 'head' ? items.slice(0, fitted.items.length) : items.slice(items.length - fitted.items.length));
  }
});
