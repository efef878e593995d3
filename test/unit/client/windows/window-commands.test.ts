import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseInput } from '../../../../src/client/commands.js';
import { parseWindowedInput, WINDOW_USAGE } from '../../../../src/client/window-commands.js';

test('the window commands parse to typed commands', () => {
  assert.deepEqual(parseWindowedInput('/query bob'), { kind: 'window', command: { kind: 'query', user: 'bob' } });
  assert.deepEqual(parseWindowedInput('/Q Bob  hi  there '), { kind: 'window', command: { kind: 'query', user: 'Bob', text: 'hi  there' } });
  assert.deepEqual(parseWindowedInput('/close'), { kind: 'window', command: { kind: 'close' } });
  assert.deepEqual(parseWindowedInput('/part'), { kind: 'window', command: { kind: 'part' } });
  assert.deepEqual(parseWindowedInput('/part ops'), { kind: 'window', command: { kind: 'part', group: 'ops' } });
  assert.deepEqual(parseWindowedInput('/window 12'), { kind: 'window', command: { kind: 'window', number: 12 } });
  assert.deepEqual(parseWindowedInput('/r  thanks,  see you'), { kind: 'window', command: { kind: 'reply', text: 'thanks,  see you' } });
  assert.deepEqual(parseWindowedInput('/block carol'), { kind: 'window', command: { kind: 'block', user: 'carol' } });
  assert.deepEqual(parseWindowedInput('/unblock carol'), { kind: 'window', command: { kind: 'unblock', user: 'carol' } });
  assert.deepEqual(parseWindowedInput('/lastlog  deploy  failed '), { kind: 'window', command: { kind: 'lastlog', text: 'deploy  failed' } });
  assert.deepEqual(parseWindowedInput('/delete'), { kind: 'window', command: { kind: 'delete' } });
  assert.deepEqual(parseWindowedInput('/delete 17'), { kind: 'window', command: { kind: 'delete', seq: 17 } });
  assert.deepEqual(parseWindowedInput('/set log ON'), { kind: 'window', command: { kind: 'log', on: true } });
  assert.deepEqual(parseWindowedInput('/set log off'), { kind: 'window', command: { kind: 'log', on: false } });
});

test('the familiar names: /j, /names and /part in today\'s parser too; /q is /query once windowed, /quit and exit stay', () => {
  assert.deepEqual(parseInput('/j dev'), { kind: 'join', group: 'dev' });
  assert.deepEqual(parseInput('/names'), { kind: 'who' });
  assert.deepEqual(parseInput('/part'), { kind: 'leave' });
  assert.deepEqual(parseWindowedInput('/j dev'), { kind: 'join', group: 'dev' });
  assert.deepEqual(parseWindowedInput('/NAMES'), { kind: 'who' });
  assert.deepEqual(parseInput('/j'), { kind: 'usage', usage: 'usage: /join GROUP' });
  assert.deepEqual(parseInput('/q'), { kind: 'quit' }, 'unchanged until the windows are wired');
  assert.deepEqual(parseWindowedInput('/q'), { kind: 'usage', usage: WINDOW_USAGE['query'] });
  assert.deepEqual(parseWindowedInput('/quit'), { kind: 'quit' });
  assert.deepEqual(parseWindowedInput('exit'), { kind: 'quit' });
});

test('everything else is parseInput\'s', () => {
  for (const line of ['hello', '//close', '/msg bob hi', '/set bell off', '/history 5', '/kick bob spam', '/delete-group', '/frobnicate', '', '/me waves']) {
    assert.deepEqual(parseWindowedInput(line), parseInput(line), line);
  }
});

test('wrong input gets a usage line or says what is wrong', () => {
  const wrong: Array<[string, string]> = [
    ['/query', 'query'], ['/close 3', 'close'], ['/part a b', 'part'], ['/window', 'window'], ['/window two', 'window'],
    ['/window 0', 'window'], ['/window -1', 'window'], ['/window 1.5', 'window'], ['/window 1 2', 'window'], ['/r', 'r'], ['/r   ', 'r'],
    ['/block', 'block'], ['/unblock a b', 'unblock'], ['/lastlog', 'lastlog'], ['/delete x', 'delete'], ['/delete 0', 'delete'],
    ['/delete 1 2', 'delete'], ['/set log', 'set'], ['/set log maybe', 'set'], ['/set', 'set'], ['/set bell', 'set'], ['/part ../x', 'part'],
  ];
  for (const [line, key] of wrong) assert.deepEqual(parseWindowedInput(line), { kind: 'usage', usage: WINDOW_USAGE[key] }, line);
  assert.match(WINDOW_USAGE['set']!, /bell on\|off.*log on\|off/);
  assert.deepEqual(parseWindowedInput('/query ../etc'), { kind: 'unsendable', problem: 'not a user name: "../etc" (names are 1 to 32 of A-Z a-z 0-9 _ . -)' });
  assert.equal(parseWindowedInput('/block b@d').kind, 'unsendable');
  assert.deepEqual(parseWindowedInput(`/r ${'x'.repeat(4097)}`), { kind: 'unsendable', problem: 'not sent: text is over 4096 bytes' });
  assert.deepEqual(parseWindowedInput('/q bob ring \u0007'), { kind: 'unsendable', problem: 'not sent: text holds a control character' });
});
