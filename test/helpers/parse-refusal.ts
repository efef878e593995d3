/** What a parser refuses a body with: the protocol error's code and id (the test fails if the body is accepted). */
import assert from 'node:assert/strict';
import { ProtocolError } from '../../src/protocol/errors.js';
import type { FrameBody } from '../../src/protocol/frame.js';
import { parseRequest } from '../../src/protocol/validate.js';

export function parseRefusal(body: FrameBody, parse: (body: FrameBody) => unknown = parseRequest): { code: string; id: number | undefined } {
  try {
    parse(body);
  } catch (error) {
    assert.ok(error instanceof ProtocolError, String(error));
    return { code: error.code, id: error.id };
  }
  assert.fail(`accepted ${JSON.stringify(body)}`);
}
