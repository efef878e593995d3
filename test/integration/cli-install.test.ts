/**
 * What `npm install` must leave working: every dependency with an install
 * script approved in package.json (npm 12 skips unapproved ones; npm 11
 * warns), and, when the SQLite binding is missing anyway, a first start that
 * says so in one line with the command that fixes it.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { type TestContext, test } from 'node:test';
import { getTestCertificates } from '../helpers/certs.js';
import { finished, runCommand } from '../helpers/command.js';
import { REPO_ROOT, tempDir } from '../helpers/server.js';

interface PackageJson { allowScripts?: Record<string, boolean>; engines?: { node?: string }; scripts: Record<string, string> }
interface LockFile { packages: Record<string, { hasInstallScript?: boolean; version?: string }> }

test('every dependency with an install script is approved in package.json (allowScripts)', () => {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
  const lock = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package-lock.json'), 'utf8')) as LockFile;
  const withScripts = Object.entries(lock.packages)
    .filter(([, entry]) => entry.hasInstallScript === true)
    .map(([where]) => where.slice(where.lastIndexOf('node_modules/') + 'node_modules/'.length));
  assert.ok(withScripts.includes('better-sqlite3'), withScripts.join(', '));
  for (const name of withScripts) assert.equal(manifest.allowScripts?.[name], true, `allowScripts lacks ${name}`);
  assert.equal(manifest.engines?.node, '>=20.12');
});

test('npm test names every compiled test file, by patterns the shell expands (Node 22 and later read a folder argument as a module)', () => {
  const manifest = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as PackageJson;
  const command = manifest.scripts['test'] ?? '';
  const patterns = command.slice(command.indexOf('node --test')).split(' ').filter((word) => word.startsWith('dist/'));
  assert.ok(patterns.length > 0 && patterns.every((pattern) => pattern.endsWith('.test.js')), command);
  // As npm runs it: through sh, from the project folder.
  const expanded = execFileSync('sh', ['-c', `ls -d ${patterns.join(' ')}`], { cwd: REPO_ROOT }).toString().trim().split('\n').sort();
  const compiled = (readdirSync(path.join(REPO_ROOT, 'dist/test'), { recursive: true }) as string[])
    .filter((file) => file.endsWith('.test.js')).map((file) => `dist/test/${file}`).sort();
  assert.deepEqual(expanded, compiled);
});

/**
 * A copy of the built project whose better-sqlite3 has no compiled module,
 * as after an install that skipped its script: dist and package.json copied,
 * every other dependency linked, better-sqlite3's JavaScript copied without build/.
 */
function projectWithoutBinding(t: TestContext): string {
  const root = tempDir(t, 'termsender-nobinding-');
  cpSync(path.join(REPO_ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
  cpSync(path.join(REPO_ROOT, 'package.json'), path.join(root, 'package.json'));
  const modules = path.join(REPO_ROOT, 'node_modules');
  mkdirSync(path.join(root, 'node_modules'));
  for (const name of readdirSync(modules)) {
    if (name !== 'better-sqlite3') symlinkSync(path.join(modules, name), path.join(root, 'node_modules', name));
  }
  const sqlite = path.join(root, 'node_modules', 'better-sqlite3');
  mkdirSync(sqlite);
  for (const part of ['package.json', 'lib']) cpSync(path.join(modules, 'better-sqlite3', part), path.join(sqlite, part), { recursive: true });
  return root;
}

test('a missing SQLite binding: the server and the admin command say what is missing and how to fix it, in one line, exit 1', async (t) => {
  const certs = await getTestCertificates();
  const root = projectWithoutBinding(t);
  const expected = /^termsender-(server|admin): the SQLite binding \(better-sqlite3's native module\) is missing \(its install script did not run\): run `npm rebuild better-sqlite3` in the project folder, then start again$/;
  const server = await finished(runCommand(t, path.relative(REPO_ROOT, path.join(root, 'dist/src/cli/server.js')), ['--port', '0', '--cert', certs.serverCertPath, '--key', certs.serverKeyPath, '--data', path.join(root, 'data')], { cwd: root }));
  assert.equal(server.code, 1, server.stderr.join('\n'));
  assert.equal(server.stderr.length, 1, server.stderr.join('\n'));
  assert.match(server.stderr[0]!, expected);
  const admin = await finished(runCommand(t, path.relative(REPO_ROOT, path.join(root, 'dist/src/cli/admin.js')), ['users', '--data', path.join(root, 'data')], { cwd: root }));
  assert.deepEqual([admin.code, admin.stderr.length], [1, 1], admin.stderr.join('\n'));
  assert.match(admin.stderr[0]!, expected);
});
