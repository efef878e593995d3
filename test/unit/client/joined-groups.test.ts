/** The groups a ChatClient is in (model/joined-groups.ts): several with `keep`, the one joined last current, each group's own seq. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JoinedGroups } from '../../../src/client/model/joined-groups.js';

test('join with keep adds beside the others; without keep it leaves them; leaving the current one makes the one joined before current', () => {
  const groups = new JoinedGroups();
  groups.joined('dev', 4);
  groups.joined('Ops', 9, true);
  groups.joined('lobby', 2, true);
  assert.equal(groups.current?.name, 'lobby');
  assert.deepEqual(groups.others(), [{ group: 'dev', lastSeq: 4 }, { group: 'Ops', lastSeq: 9 }]);
  // Each group keeps its own seq: a message of ops does not move dev's or lobby's.
  groups.noteSeq(12, 'ops');
  groups.noteSeq(3);
  assert.deepEqual(groups.others(), [{ group: 'dev', lastSeq: 4 }, { group: 'Ops', lastSeq: 12 }]);
  assert.deepEqual(groups.resumePoint(), { group: 'lobby', lastSeq: 3 });
  // Re-joining dev with keep makes it current and keeps what was seen of it.
  groups.joined('dev', 1, true);
  assert.deepEqual(groups.resumePoint(), { group: 'dev', lastSeq: 4 });
  groups.left();
  assert.equal(groups.current?.name, 'lobby', 'the one joined before is current');
  groups.left('OPS');
  assert.deepEqual(groups.others(), []);
  groups.joined('random', 7);
  assert.deepEqual([groups.resumePoint(), groups.others()], [{ group: 'random', lastSeq: 7 }, []], 'a join without keep leaves the others');
});
