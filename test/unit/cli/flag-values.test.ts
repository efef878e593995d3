import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Options } from 'yargs';
import { readBooleanArgs, readFlagValue } from '../../../src/cli/flag-values.js';
import { UsageError } from '../../../src/cli/usage-error.js';

const OPTIONS: Record<string, Options> = {
  register: { type: 'boolean' },
  'no-color': { type: 'boolean' },
  user: { type: 'string' },
  port: { type: 'number' },
  mode: { type: 'string', choices: ['a', 'b'] },
};

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof UsageError, String(error));
    return error.message;
  }
  return assert.fail('no refusal');
}

test('--flag=WORD of a boolean flag is read by the boolean words; other flags and words pass unchanged', () => {
  assert.deepEqual(readBooleanArgs(['--register=YES', '--user', 'yes', '--port=1'], OPTIONS), ['--register=true', '--user', 'yes', '--port=1']);
  assert.deepEqual(readBooleanArgs(['--register=off'], OPTIONS), ['--register=false']);
  assert.deepEqual(readBooleanArgs(['--no-register=on'], OPTIONS), ['--register=false']);
  assert.deepEqual(readBooleanArgs(['--no-register=0'], OPTIONS), ['--register=true']);
  // A flag whose own name starts with no- is not a negation.
  assert.deepEqual(readBooleanArgs(['--no-color=1'], OPTIONS), ['--no-color=true']);
  assert.deepEqual(readBooleanArgs(['--register', '--user', 'x'], OPTIONS), ['--register', '--user', 'x']);
  // After --, nothing is read.
  assert.deepEqual(readBooleanArgs(['--', '--register=maybe', 'yes'], OPTIONS), ['--', '--register=maybe', 'yes']);
});

test('a boolean flag refuses other words after =, and a boolean word after it, naming the flag as typed', () => {
  assert.equal(refusal(() => readBooleanArgs(['--register=maybe'], OPTIONS)), '--register must be one of 1/0, true/false, yes/no, on/off, not "maybe"');
  assert.equal(refusal(() => readBooleanArgs(['--register='], OPTIONS)), '--register must be one of 1/0, true/false, yes/no, on/off, not ""');
  assert.equal(refusal(() => readBooleanArgs(['--no-register', 'No'], OPTIONS)), '--no-register takes no separate value: write --no-register alone, or --no-register=No');
  assert.equal(refusal(() => readBooleanArgs(['--register', '1'], OPTIONS)), '--register takes no separate value: write --register alone, or --register=1');
});

test('a value is read the same from any source, quoting what was given', () => {
  const range = { min: 1, max: 10, integer: true };
  assert.equal(readFlagValue('--port', '7', OPTIONS['port']!, range), 7);
  assert.equal(readFlagValue('--port', 7, OPTIONS['port']!, range), 7);
  assert.equal(refusal(() => readFlagValue('--port', 'abc', OPTIONS['port']!, range)), '--port must be a whole number from 1 to 10, not "abc"');
  assert.equal(refusal(() => readFlagValue('TERMSENDER_PORT', ' ', OPTIONS['port']!, undefined)), 'TERMSENDER_PORT must be a number, not " "');
  assert.equal(readFlagValue('X', 'On', OPTIONS['register']!, undefined), true);
  assert.equal(readFlagValue('X', false, OPTIONS['register']!, undefined), false);
  assert.equal(refusal(() => readFlagValue('--mode', 'c', OPTIONS['mode']!, undefined)), '--mode must be one of a, b, not "c"');
});
