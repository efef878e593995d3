/** A hub member for unit tests: a connection with no socket that decodes and keeps every frame sent to it. */
import { FrameDecoder } from '../../src/protocol/frame.js';
import type { HubMember } from '../../src/server/hub-member.js';

let ids = 0;

export type FakeMember = HubMember & { received: Array<Record<string, unknown>> };

export function fakeMember(): FakeMember {
  const decoder = new FrameDecoder({ maxFrame: 65536 });
  const received: Array<Record<string, unknown>> = [];
  return {
    connectionId: ++ids,
    received,
    sendFrame(frame: Buffer) {
      decoder.push(frame);
      for (let body = decoder.next(); body !== undefined; body = decoder.next()) received.push(body);
    },
    fail: () => undefined,
    removeFromGroup: () => undefined,
  };
}
