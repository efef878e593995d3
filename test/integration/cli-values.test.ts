/**
 * One rule for every value, wherever it is given: a refusal quotes what was
 * typed and is a usage error (exit 2, one line and the --help pointer);
 * booleans read the same words on the command line as in the environment.
 */
import assert from 'node:assert/strict';
import { type TestContext, test } from 'node:test';
import { ADMIN_SCRIPT } from '../helpers/admin.js';
import { getTestCertificates } from '../helpers/certs.js';
import { CLIENT_SCRIPT, finished, GEN_CERTS_SCRIPT, runCommand, SERVER_SCRIPT } from '../helpers/command.js';
import { signedInClient, startTestServer, TEST_PASSWORD, tempDir } from '../helpers/server.js';

async function assertUsageError(t: TestContext, script: string, args: string[], pattern: RegExp, env: NodeJS.ProcessEnv = {}): Promise<void> {
  const { code, stderr } = await finished(runCommand(t, script, args, { env }));
  assert.equal(code, 2, `${args.join(' ')}: ${stderr.join('\n')}`);
  assert.match(stderr[0] ?? '', pattern, args.join(' '));
  assert.deepEqual(stderr.slice(1), ['Run with --help for usage.'], args.join(' '));
}

test('a number that is not one is quoted as typed, on the command line as in a variable', async (t) => {
  for (const args of [['--port', 'abc'], ['--port=abc'], ['--port', 'NaN'], ['--port', '']]) {
    const typed = args.length === 1 ? args[0]!.slice('--port='.length) : args[1]!;
    await assertUsageError(t, SERVER_SCRIPT, args, new RegExp(`^termsender-server: --port must be a whole number from 0 to 65535 .*, not "${typed}"$`));
  }
  await assertUsageError(t, CLIENT_SCRIPT, ['--port', '12ab'], /^termsender: --port must be a whole number from 1 to 65535, not "12ab"$/);
  await assertUsageError(t, SERVER_SCRIPT, ['--idle-timeout', '5s'], /--idle-timeout must be a number from 1 to \d+ seconds, not "5s"$/);
  await assertUsageError(t, GEN_CERTS_SCRIPT, ['--out', tempDir(t), '--days', 'ten'], /^gen-certs: --days must be a whole number from 1 to 3650 days, not "ten"$/);
});

test('--scrypt-cost that cannot work is a usage error like every other bad value', async (t) => {
  const certs = await getTestCertificates();
  const args = ['--port', '0', '--cert', certs.serverCertPath, '--key', certs.serverKeyPath, '--data', tempDir(t)];
  await assertUsageError(t, SERVER_SCRIPT, [...args, '--scrypt-cost', '1,1,1'], /^termsender-server: --scrypt-cost must be N,r,p with N a power of two \(got '1,1,1'\)$/);
  await assertUsageError(t, SERVER_SCRIPT, args, /^termsender-server: --scrypt-cost must be N,r,p/, { TERMSENDER_SCRYPT_COST: '3,8,1' });
});

test('booleans on the command line: --flag=WORD takes the words of the variables; a separate word names the flag', async (t) => {
  const server = await startTestServer(t);
  const reader = await signedInClient(t, server.port, 'reader', 'words');
  const certs = await getTestCertificates();
  const base = ['--host', '127.0.0.1', '--port', String(server.port), '--ca', certs.caPath, '--group', 'words'];
  const say = async (user: string, flags: string[], text: string): Promise<void> => {
    const client = runCommand(t, CLIENT_SCRIPT, [...base, '--user', user, ...flags], { env: { TERMSENDER_PASSWORD: TEST_PASSWORD } });
    client.child.stdin.end(`${text}\n`);
    const { code, stderr } = await finished(client);
    assert.equal(code, 0, `${flags.join(' ')}: ${stderr.join('\n')}`);
    assert.equal((await reader.next('msg')).text, text);
  };
  for (const [index, word] of ['1', 'true', 'YES', 'On'].entries()) await say(`new${index}`, [`--register=${word}`], `registered with ${word}`);
  await say('new4', ['--register'], 'a bare flag is true');
  // A false word logs in (registering new0 again would be refused as taken).
  for (const word of ['0', 'false', 'No', 'OFF']) await say('new0', [`--register=${word}`], `logged in with ${word}`);
  await say('new0', ['--no-register=yes'], 'logged in with --no-register=yes');

  await assertUsageError(t, CLIENT_SCRIPT, [...base, '--register=maybe'], /^termsender: --register must be one of 1\/0, true\/false, yes\/no, on\/off, not "maybe"$/);
  await assertUsageError(t, CLIENT_SCRIPT, [...base, '--register=maybe'], /--register must be one of/, { TERMSENDER_REGISTER: 'yes' });
  await assertUsageError(t, CLIENT_SCRIPT, [...base, '--register', 'yes'], /^termsender: --register takes no separate value: write --register alone, or --register=yes$/);
  await assertUsageError(t, CLIENT_SCRIPT, [...base, '--create', 'off'], /^termsender: --create takes no separate value/);
  await assertUsageError(t, GEN_CERTS_SCRIPT, ['--out', tempDir(t), '--force=y'], /^gen-certs: --force must be one of 1\/0, true\/false, yes\/no, on\/off, not "y"$/);
  await assertUsageError(t, ADMIN_SCRIPT, ['users', '--json', 'yes'], /^termsender-admin: --json takes no separate value/);
  await assertUsageError(t, ADMIN_SCRIPT, ['users', '--json=perhaps'], /^termsender-admin: --json must be one of/);
});
