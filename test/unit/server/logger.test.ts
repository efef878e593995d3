import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createLogger, formatText, textValue } from '../../../src/observe/logger.js';

test('text values: plain as is; empty, spaces, quotes, = and backslashes quoted', () => {
  assert.equal(textValue('127.0.0.1'), '127.0.0.1');
  assert.equal(textValue(''), '""');
  assert.equal(textValue('two words'), '"two words"');
  assert.equal(textValue('a="b"\\c'), '"a=\\"b\\"\\\\c"');
});

test('text values never carry raw control characters: C0, DEL, C1, line separators, bidi overrides are escaped', () => {
  const hostile = 'x\x1b[31mred\r\n\x7f\u009b2J\u2028\u202e';
  const shown = textValue(hostile);
  assert.doesNotMatch(shown, /[\p{Cc}\u2028\u202e]/u);
  assert.equal(shown, '"x\\u001b[31mred\\r\\n\\u007f\\u009b2J\\u2028\\u202e"');
});

test('a text log line: time, level, message, then key=value; one line even for a stack', () => {
  const lines: string[] = [];
  const logger = createLogger('info', (line) => lines.push(line), 'text');
  logger.debug('hidden');
  logger.info('listening', { host: '::1', port: 9999, mutual_tls: false, absent: undefined });
  logger.error('request failed', {}, new Error('boom'));
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\dT[\d:.]+Z INFO  listening host=::1 port=9999 mutual_tls=false\n$/);
  assert.match(lines[1]!, /^\S+ ERROR "request failed" err="Error: boom\\n {4}at [^\n]*"\n$/);
  assert.equal(formatText({ time: 't', level: 'warn', msg: 'm', 'odd key': 'v' }), 't WARN  m "odd key"=v');
});

test('the JSON format stays one object per line', () => {
  const lines: string[] = [];
  createLogger('info', (line) => lines.push(line)).info('listening', { port: 1 });
  assert.deepEqual(Object.keys(JSON.parse(lines[0]!) as object), ['time', 'level', 'msg', 'port']);
});
