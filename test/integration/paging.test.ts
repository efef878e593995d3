/** Issue 15 item 10: `list_groups` and `who` page with `after`; a cut `joined.members` says so. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServerMessage } from '../../src/protocol/messages.js';
import { signedInClient, startTestServer } from '../helpers/server.js';
import { expectError, type WireClient } from '../helpers/wire-client.js';

const byKey = (a: string, b: string) => (a.toLowerCase() < b.toLowerCase() ? -1 : 1);

/** Every page of a listing, following `more` with `after` = the last name. */
async function allPages(client: WireClient, type: 'list_groups' | 'who', names: (reply: ServerMessage) => string[]): Promise<string[][]> {
  const pages: string[][] = [];
  let after: string | undefined;
  for (;;) {
    const reply = await client.request({ type, ...(after === undefined ? {} : { after }) });
    const page = names(reply);
    pages.push(page);
    const more = (reply.type === 'groups' || reply.type === 'members') && reply.more === true;
    if (!more) return pages;
    assert.ok(page.length > 0, 'a page that says more holds something');
    after = page.at(-1);
  }
}

test('list_groups pages with after: sorted by name key, more while cut, every group exactly once', async (t) => {
  const server = await startTestServer(t, { limits: { maxFrame: 1024, createRatePerHour: 0, maxGroupsPerUser: 1_000 } });
  const alice = await signedInClient(t, server.port, 'alice');
  const created = Array.from({ length: 90 }, (_, i) => `${i % 2 === 0 ? 'Group' : 'group'}-${String((i * 37) % 90).padStart(3, '0')}-padding-xx`);
  for (const group of created) assert.equal((await alice.request({ type: 'create_group', group })).type, 'group_created');
  const pages = await allPages(alice, 'list_groups', (reply) => (reply.type === 'groups' ? reply.groups.map((group) => group.name) : []));
  assert.ok(pages.length >= 3, `several pages (${pages.length})`);
  assert.deepEqual(pages.flat(), [...created].sort(byKey));
  const fromMiddle = await alice.request({ type: 'list_groups', after: 'GROUP-044-PADDING-XX' });
  assert.equal(fromMiddle.type === 'groups' && fromMiddle.groups[0]?.name.toLowerCase(), 'group-045-padding-xx', 'the cursor is compared without regard to case');
  const past = await alice.request({ type: 'list_groups', after: 'zzz' });
  assert.deepEqual(past, { type: 'groups', groups: [], id: (past as { id: number }).id }, 'nothing after the last: empty, no more');
});

test('who pages with after, a cut joined.members says members_more, and after must be a name', async (t) => {
  const server = await startTestServer(t, { limits: { maxFrame: 480 } });
  const names = Array.from({ length: 40 }, (_, i) => `Member-${String((i * 7) % 40).padStart(2, '0')}-with-a-long-name`);
  const members: WireClient[] = [];
  for (const name of names) members.push(await signedInClient(t, server.port, name, 'big'));
  const watcher = members[0]!;
  const pages = await allPages(watcher, 'who', (reply) => (reply.type === 'members' ? reply.members : []));
  assert.ok(pages.length >= 3, `several pages (${pages.length})`);
  assert.deepEqual(pages.flat(), [...names].sort(byKey));

  const late = await signedInClient(t, server.port, 'late');
  const joined = await late.request({ type: 'join', group: 'big' });
  assert.ok(joined.type === 'joined' && joined.members_more === true, 'the cut list says so');
  assert.deepEqual(joined.members, [...names, 'late'].sort(byKey).slice(0, joined.members.length), 'a prefix in name-key order');
  const rest = await allPages(late, 'who', (reply) => (reply.type === 'members' ? reply.members : []));
  assert.ok(rest.length > 1);
  const following = await late.request({ type: 'who', after: joined.members.at(-1) });
  assert.ok(following.type === 'members' && following.members[0]! > joined.members.at(-1)!, 'who after the last name goes on');

  expectError(await watcher.request({ type: 'who', after: 'not a name!' }), 'bad_message');
  expectError(await watcher.request({ type: 'list_groups', after: 7 }), 'bad_message');
  const small = await signedInClient(t, server.port, 'solo', 'small');
  const whole = await small.request({ type: 'who' });
  assert.deepEqual(whole.type === 'members' && [whole.members, whole.more], [['solo'], undefined], 'a list that fits has no more');
});
