import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { DataFolderInUseError, LOCK_FILE, lockDataFolder } from '../../../src/store/folder-lock.js';
import { tempDir } from '../../helpers/server.js';

/** The PID of a process that has exited. */
function deadPid(): number {
  const child = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  return Number(child.stdout.toString());
}

test('the lock holds the PID, refuses a second taker, and goes on release', (t) => {
  const folder = path.join(tempDir(t), 'data');
  const lock = lockDataFolder(folder);
  assert.match(readFileSync(lock.file, 'utf8'), new RegExp(`^${process.pid} `));
  assert.throws(() => lockDataFolder(folder), (error: unknown) => error instanceof DataFolderInUseError && error.pid === process.pid && error.folder === folder);
  lock.release();
  assert.equal(existsSync(lock.file), false);
  lockDataFolder(folder).release();
});

test('a lock left by a dead process, or by a PID now used by another process, is stale and replaced', (t) => {
  const folder = tempDir(t);
  const file = path.join(folder, LOCK_FILE);
  for (const stale of [`${deadPid()} 123\n`, `${process.ppid} 1\n`, 'garbage\n']) {
    writeFileSync(file, stale);
    const lock = lockDataFolder(folder);
    assert.match(readFileSync(file, 'utf8'), new RegExp(`^${process.pid} `), stale);
    lock.release();
  }
});

test('a live holder on another PID is reported', (t) => {
  const folder = tempDir(t);
  writeFileSync(path.join(folder, LOCK_FILE), `${process.ppid}\n`); // no start time recorded: the signal probe decides
  assert.throws(() => lockDataFolder(folder), (error: unknown) => error instanceof DataFolderInUseError && error.pid === process.ppid);
});
