import assert from 'node:assert/strict';
import { test } from 'node:test';
import { complete } from '../../../src/client/completion.js';

const sources = { users: ['alice', 'Albert', 'bob'], groups: ['ops', 'Operations', 'dev'] };

test('Tab completes commands after /, users after /msg and in text, groups after /join', () => {
  assert.deepEqual(complete('/he', sources), [['/help '], '/he']);
  assert.deepEqual(complete('/h', sources), [['/help ', '/history '], '/h']);
  assert.deepEqual(complete('/', sources)[0].length, 14, 'the 11 commands of every client, /topic, /next and /passwd');
  assert.deepEqual(complete('/msg b', sources), [['bob '], 'b']);
  assert.deepEqual(complete('/msg AL', sources), [['Albert ', 'alice '], 'AL']);
  assert.deepEqual(complete('/join op', sources), [['Operations ', 'ops '], 'op']);
  assert.deepEqual(complete('bo', sources), [['bob: '], 'bo'], 'a mention at the start of a line');
  assert.deepEqual(complete('thanks ali', sources), [['alice '], 'ali']);
});

test('Tab offers nothing where nothing fits', () => {
  assert.deepEqual(complete('', sources), [[], '']);
  assert.deepEqual(complete('hello ', sources), [[], '']);
  assert.deepEqual(complete('/who al', sources), [[], '/who al']);
  assert.deepEqual(complete('/msg bob hel', sources), [[], '/msg bob hel']);
  assert.deepEqual(complete('zed', sources), [[], 'zed']);
  assert.deepEqual(complete('/xyz', sources), [[], '/xyz']);
});

test('@ and the start of a name completes to the mention: @al → @alice', () => {
  const sources = { users: ['alice', 'albert', 'bob'], groups: [] };
  assert.deepEqual(complete('hi @ali', sources), [['@alice '], '@ali']);
  assert.deepEqual(complete('@b', sources), [['@bob '], '@b']);
});

test('Tab completes the window commands\' arguments: users after /query, /q, /block, /unblock; groups after /j and /part', () => {
  for (const command of ['/query', '/q', '/block', '/unblock']) assert.deepEqual(complete(`${command} b`, sources), [['bob '], 'b'], command);
  assert.deepEqual(complete('/j op', sources), [['Operations ', 'ops '], 'op']);
  assert.deepEqual(complete('/part de', sources), [['dev '], 'de']);
});
