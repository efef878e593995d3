/** The hub's typed events: what a subscriber hears, in order, and what the cluster link is told through them. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameEncoder } from '../../../src/protocol/frame.js';
import { LocalLink } from '../../../src/cluster/local-link.js';
import type { PresenceMessage } from '../../../src/protocol/messages.js';
import { Hub } from '../../../src/server/hub.js';
import type { HubEvent } from '../../../src/server/hub-events.js';
import type { SessionState } from '../../../src/server/session.js';
import { fakeMember } from '../../helpers/fake-member.js';

const AUTH: SessionState = { kind: 'auth' };

/** A node alone that records what the hub asks it to share. */
function recordingLink(): LocalLink & { shared: string[] } {
  const shared: string[] = [];
  return Object.assign(new LocalLink(), {
    shared,
    trackMember: (group: string, user: string, present: boolean) => { shared.push(`member ${group} ${user} ${present}`); },
    publishPresence: (presence: PresenceMessage) => { shared.push(`presence ${presence.user} ${presence.event}`); },
  });
}

function describe(event: HubEvent): string {
  switch (event.type) {
    case 'signed_in': return `signed_in ${event.user} first=${event.first}`;
    case 'signed_out': return `signed_out ${event.user} last=${event.last}`;
    case 'moved': return `moved ${event.user} ${event.into ? 'into' : 'out of'} ${event.group} firstOrLast=${event.firstOrLast}`;
    case 'presence': return `presence ${event.presence.user} ${event.presence.event} delivered=${event.delivered}`;
    case 'message_stored': return `message_stored ${event.message.seq} delivered=${event.delivered}`;
    default: return event.type;
  }
}

test('sign-in, moves, presence and messages are published as events; the link shares only the first and last of a user', async () => {
  const link = recordingLink();
  const hub = new Hub(new FrameEncoder(), link);
  await hub.start();
  const heard: string[] = [];
  hub.subscribe((event) => heard.push(describe(event)));
  const [alice, alice2, bob] = [fakeMember(), fakeMember(), fakeMember()];
  const chat = (user: string): SessionState => ({ kind: 'chat', user, group: 'g', joinedAtSeq: 0 });
  hub.move(alice, AUTH, chat('alice'));
  hub.move(alice2, AUTH, chat('alice'));
  hub.move(bob, AUTH, chat('bob'));
  hub.publishMessage({ group: 'g', seq: 1, from: 'bob', text: 'hi', ts: 1 }, bob);
  hub.move(alice, chat('alice'), { kind: 'closed' });
  assert.deepEqual(heard, [
    'signed_in alice first=true', 'moved alice into g firstOrLast=true', 'presence alice join delivered=0',
    'signed_in alice first=false', 'moved alice into g firstOrLast=false',
    'signed_in bob first=true', 'moved bob into g firstOrLast=true', 'presence bob join delivered=2',
    'message_stored 1 delivered=2',
    'moved alice out of g firstOrLast=false', 'signed_out alice last=false',
  ]);
  assert.deepEqual(link.shared, [
    'member g alice true', 'presence alice join',
    'member g bob true', 'presence bob join',
  ]);
});
