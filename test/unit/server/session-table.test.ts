/** The request table must say exactly what docs/protocol.md's request table says. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REQUEST_TYPES } from '../../../src/protocol/messages.js';
import { REQUESTS } from '../../../src/server/request-table.js';
import type { SessionKind } from '../../../src/server/session.js';
import { REPO_ROOT } from '../../helpers/server.js';

const STATE_NAMES: Record<string, SessionKind[]> = {
  AUTH: ['auth'],
  GROUP_SELECT: ['group_select'],
  CHAT: ['chat'],
  any: ['auth', 'group_select', 'chat'],
};

/** Rows of the "Requests and their replies" table: request → allowed-in cell. */
function specTable(): Map<string, SessionKind[]> {
  const file = path.join(REPO_ROOT, 'docs/protocol.md');
  const rows = new Map<string, SessionKind[]>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\| `([a-z_]+)` \| ([A-Za-z_, ]+) \|/.exec(line);
    if (!match) continue;
    const states = match[2]!.split(',').flatMap((name) => STATE_NAMES[name.trim()] ?? []);
    if (states.length > 0) rows.set(match[1]!, states);
  }
  return rows;
}

test('the request table matches the protocol table for every request type', () => {
  const spec = specTable();
  assert.deepEqual([...spec.keys()].sort(), [...REQUEST_TYPES].sort());
  for (const type of REQUEST_TYPES) {
    assert.deepEqual([...REQUESTS[type].states].sort(), [...spec.get(type)!].sort(), type);
  }
});

test('CLOSED accepts nothing', () => {
  for (const type of REQUEST_TYPES) assert.ok(!REQUESTS[type].states.includes('closed'), type);
});
