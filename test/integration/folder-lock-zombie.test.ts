/**
 * A `kill -9`'d server left as a zombie (dead, not yet reaped by its parent,
 * as under some supervisors and containers) still answers the signal probe:
 * its lock must not keep the next server out of the folder.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCK_FILE } from '../../src/store/folder-lock.js';
import { spawnServer, tempDir } from '../helpers/server.js';
import { WAIT_MS } from '../helpers/wire-client.js';

/** Fields after the command name in /proc/PID/stat: [0] the state, [19] the start time. */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** Waits (polling /proc, at most WAIT_MS) until `done` holds. */
async function until(done: () => boolean, what: string): Promise<void> {
  for (const deadline = Date.now() + WAIT_MS; !done(); await sleep(10)) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${WAIT_MS} ms`);
  }
}

/**
 * A zombie's PID: a shell starts a child that waits for a line on the
 * shell's stdin, then becomes `sleep`, which never reaps it; once the shell
 * is `sleep`, the test sends the line and the child exits. The sleeping
 * parent is killed by `t.after` (init then reaps the zombie).
 */
async function zombiePid(t: TestContext): Promise<number> {
  const parent = spawn('sh', ['-c', 'exec 3<&0; (read line <&3) & echo $!; exec sleep 60 0<&- 3<&-'], { stdio: ['pipe', 'pipe', 'ignore'] });
  const exited = once(parent, 'exit');
  t.after(() => {
    parent.kill('SIGKILL');
    return exited;
  });
  const [chunk] = await once(parent.stdout, 'data') as [Buffer];
  const pid = Number(chunk.toString().trim());
  assert.ok(Number.isSafeInteger(pid) && pid > 0, `child PID: ${chunk.toString()}`);
  await until(() => readFileSync(`/proc/${parent.pid}/comm`, 'utf8') === 'sleep\n', 'the shell became sleep');
  parent.stdin.end('go\n');
  await until(() => statFields(pid)[0] === 'Z', `process ${pid} became a zombie`);
  return pid;
}

test('a lock whose holder is a zombie is stale: the real server starts on the folder', async (t) => {
  const data = tempDir(t);
  const zombie = await zombiePid(t);
  // As the server writes it: the PID and its start time, so only the state tells it is gone.
  writeFileSync(path.join(data, LOCK_FILE), `${zombie} ${statFields(zombie)[19]}\n`);
  const server = await spawnServer(t, ['--data', data]);
  assert.ok(server.port > 0);
  assert.match(readFileSync(path.join(data, LOCK_FILE), 'utf8'), new RegExp(`^${server.child.pid} `), 'the new server holds the lock');
});
