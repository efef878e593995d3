import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { nameKey } from '../../../../src/protocol/names.js';
import { dayFileName, defaultLogDir, hostComponent, logFilePath, safeComponent } from '../../../../src/client/windows/log-paths.js';
import { LogWriter } from '../../../../src/client/windows/log-writer.js';
import type { ScrollLine } from '../../../../src/client/windows/scroll-back.js';

process.env['TZ'] = 'UTC';

const T = Date.UTC(2026, 11, 6, 9, 5, 7);
const ops = { kind: 'group', key: nameKey('Ops') } as const;
const bob = { kind: 'conversation', key: nameKey('Bob') } as const;
const said = (text: string, ts = T, from = 'bob'): ScrollLine => ({ kind: 'message', seq: 1, from, text, ts });

function tempDir(t: TestContext): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'termsender-logs-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('the default log folder is $XDG_STATE_HOME/termsender/logs, else ~/.local/state/termsender/logs', () => {
  assert.equal(defaultLogDir({ XDG_STATE_HOME: '/var/state' }, '/home/al'), '/var/state/termsender/logs');
  assert.equal(defaultLogDir({}, '/home/al'), '/home/al/.local/state/termsender/logs');
  assert.equal(defaultLogDir({ XDG_STATE_HOME: 'relative/state' }, '/home/al'), '/home/al/.local/state/termsender/logs', 'a relative XDG path is ignored');
  assert.equal(defaultLogDir({ XDG_STATE_HOME: '' }, '/home/al'), '/home/al/.local/state/termsender/logs');
});

test('paths: HOST_PORT/GROUP-or-@USER/YYYY-MM-DD.log, by name key', () => {
  assert.equal(logFilePath('/logs', '127.0.0.1', 4433, ops, T), '/logs/127.0.0.1_4433/ops/2026-12-06.log');
  assert.equal(logFilePath('/logs', 'chat.example.org', 9999, bob, T), '/logs/chat.example.org_9999/@bob/2026-12-06.log');
  assert.equal(logFilePath('/logs', 'host', 1, { kind: 'status' }, T), undefined, 'the status window is not logged');
  assert.equal(hostComponent('::1', 9999), '%5B%3A%3A1%5D_9999');
  assert.equal(dayFileName(Date.UTC(2027, 0, 2, 23, 59)), '2027-01-02.log');
});

test('no name a server sends can climb out of the folder, hide a file or pass for another name', () => {
  for (const hostile of ['..', '.', '../../etc', '/etc/passwd', 'a/../../b', '.hidden', 'a\\b', 'nul\u0000', '']) {
    const component = safeComponent(hostile);
    assert.match(component, /^[A-Za-z0-9_%-][A-Za-z0-9_.%-]*$/, hostile);
    assert.ok(!component.includes('/') && component !== '..' && component !== '.', hostile);
    const file = logFilePath('/logs', 'h', 1, { kind: 'group', key: nameKey(hostile) }, T)!;
    assert.ok(file.startsWith('/logs/h_1/') && path.normalize(file) === file && file.split('/').length === 5, file);
  }
  assert.equal(safeComponent('..'), '%2E.');
  assert.equal(safeComponent('my.group-1'), 'my.group-1');
  assert.notEqual(safeComponent('a%2F'), safeComponent('a/'), 'escapes are escaped: two names never share a file');
  assert.equal(safeComponent('é'), '%C3%A9');
  assert.ok(safeComponent('x'.repeat(300)).length <= 200);
});

test('a window\'s log: plain lines with the time, escapes stripped, file 0600 in folders 0700, a file per day', (t) => {
  const dir = tempDir(t);
  const writer = new LogWriter({ dir, host: '127.0.0.1', port: 4433 });
  t.after(() => writer.close());
  const file = writer.write(ops, said('hi \u001b[2J\u001b]0;pwned\u0007there\u0008!'))!;
  writer.write(ops, said('/me waves'));
  writer.write(ops, { kind: 'event', text: '-- carol joined', ts: T + 1_000 });
  writer.write(bob, said('private'));
  const tomorrow = writer.write(ops, said('next day', T + 86_400_000))!;
  writer.close();
  assert.equal(file, path.join(dir, '127.0.0.1_4433', 'ops', '2026-12-06.log'));
  assert.equal(readFileSync(file, 'utf8'), '09:05:07 <bob> hi there!\n09:05:07 * bob waves\n09:05:08 -- carol joined\n');
  assert.equal(readFileSync(tomorrow, 'utf8'), '09:05:07 <bob> next day\n');
  assert.equal(readFileSync(path.join(dir, '127.0.0.1_4433', '@bob', '2026-12-06.log'), 'utf8'), '09:05:07 <bob> private\n');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(statSync(path.join(dir, '127.0.0.1_4433')).mode & 0o777, 0o700);
  assert.equal(statSync(path.join(dir, '127.0.0.1_4433', 'ops')).mode & 0o777, 0o700);
  assert.equal(writer.write({ kind: 'status' }, said('x')), undefined);
});

test('a log file found with a wider mode is set back to 0600 and appended to', (t) => {
  const dir = tempDir(t);
  const file = logFilePath(dir, 'h', 1, ops, T)!;
  const writer = new LogWriter({ dir, host: 'h', port: 1 });
  writer.write(ops, said('first'));
  writer.close();
  chmodSync(file, 0o644);
  writer.write(ops, said('second'));
  writer.close();
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.equal(readFileSync(file, 'utf8'), '09:05:07 <bob> first\n09:05:07 <bob> second\n');
});

test('a symbolic link in a log file\'s place is refused, said once, and the chat goes on', (t) => {
  const dir = tempDir(t);
  const target = path.join(dir, 'elsewhere');
  writeFileSync(target, '');
  const file = logFilePath(dir, 'h', 1, ops, T)!;
  const problems: string[] = [];
  const writer = new LogWriter({ dir, host: 'h', port: 1, onProblem: (problem) => problems.push(problem) });
  writer.write(bob, said('fine'));
  rmSync(path.dirname(file), { recursive: true, force: true });
  writer.write(ops, said('makes the folder'));
  writer.close();
  rmSync(file);
  symlinkSync(target, file);
  assert.equal(writer.write(ops, said('one')), undefined);
  assert.equal(writer.write(ops, said('two')), undefined);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /^log not written to .*ops\/2026-12-06\.log: .*ELOOP/);
  assert.equal(readFileSync(target, 'utf8'), '');
  assert.ok(writer.write(bob, said('other windows still log')) !== undefined);
  writer.close();
  assert.deepEqual(readdirSync(path.join(dir, 'h_1')).sort(), ['@bob', 'ops']);
});
