/**
 * Failures beneath the SQLite store, on the real command: the data folder
 * deleted under a running server, a full disk. Nothing may be acknowledged
 * that was not kept; the client hears `unavailable`, the operator a log line.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { spawnServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';
import { expectError, WireClient } from '../helpers/wire-client.js';

async function chatting(t: Parameters<typeof WireClient.connect>[0], port: number): Promise<WireClient> {
  const client = await WireClient.connect(t, port);
  await client.next('welcome');
  assert.equal((await client.request({ type: 'register', user: 'alice', password: TEST_PASSWORD })).type, 'auth_ok');
  assert.equal((await client.request({ type: 'create_group', group: 'g' })).type, 'group_created');
  assert.equal((await client.request({ type: 'join', group: 'g' })).type, 'joined');
  return client;
}

test('the data folder deleted under a running server: nothing more is acknowledged, the log says why', { timeout: 60_000 }, async (t) => {
  const data = path.join(tempDir(t), 'data');
  const server = await spawnServer(t, ['--data', data, '--log-level', 'warn']);
  const alice = await chatting(t, server.port);
  assert.equal((await alice.request({ type: 'say', text: 'kept' })).type, 'ack');
  rmSync(data, { recursive: true, force: true });
  expectError(await alice.request({ type: 'say', text: 'into a deleted file' }), 'unavailable');
  expectError(await alice.request({ type: 'create_group', group: 'h' }), 'unavailable');
  assert.match(await server.stderrLine(/store failing/), /deleted or replaced/);
  assert.equal((await alice.request({ type: 'ping' })).type, 'pong', 'the connection stays');
});

/** A 1 MiB tmpfs, or undefined where this machine does not let the test mount one. Removed by `unmount`. */
function tinyDisk(): string | undefined {
  const mountPoint = mkdtempSync(path.join(os.tmpdir(), 'termsender-tiny-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mountPoint], { stdio: 'ignore' });
  } catch {
    rmdirSync(mountPoint);
    return undefined;
  }
  return mountPoint;
}

function unmount(mountPoint: string): void {
  execFileSync('umount', [mountPoint]);
  rmdirSync(mountPoint);
}

test('a full disk: say gets unavailable (not internal), the log names the cause, the connection stays', { timeout: 60_000 }, async (t) => {
  const disk = tinyDisk();
  if (disk === undefined) {
    t.skip('cannot mount a tmpfs here (needs root)');
    return;
  }
  const server = await spawnServer(t, ['--data', path.join(disk, 'data'), '--rate-limit', '0', '--log-level', 'warn']);
  t.after(async () => {
    server.child.kill('SIGKILL');
    await server.exited;
    unmount(disk);
  });
  const alice = await chatting(t, server.port);
  const text = 'x'.repeat(4000);
  let refusal;
  for (let sent = 0; refusal === undefined && sent < 1000; sent += 1) {
    const reply = await alice.request({ type: 'say', text });
    if (reply.type === 'error') refusal = reply;
  }
  assert.ok(refusal !== undefined, '4 MB do not fit on a 1 MiB disk');
  expectError(refusal, 'unavailable');
  assert.match(await server.stderrLine(/store failing/), /SQLITE_FULL|disk is full/);
  assert.equal((await alice.request({ type: 'ping' })).type, 'pong', 'the connection stays');
});
