import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_SCRYPT_COST, HashQueueFullError, parseStoredHash, PasswordHasher } from '../../../src/server/passwords.js';

const cheap = { N: 1024, r: 8, p: 1 };

test('hash and verify; wrong password and unknown user are false', async () => {
  const hasher = new PasswordHasher({ cost: cheap });
  const stored = await hasher.hash('correct horse');
  assert.match(stored, /^scrypt\$1024\$8\$1\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
  assert.equal(await hasher.verify('correct horse', stored), true);
  assert.equal(await hasher.verify('correct horsE', stored), false);
  assert.equal(await hasher.verify('correct horse', undefined), false);
  assert.notEqual(await hasher.hash('correct horse'), stored, 'a fresh salt each time');
});

test('malformed or absurd stored hashes are refused, not trusted', async () => {
  const hasher = new PasswordHasher({ cost: cheap });
  for (const stored of ['', 'plain', 'scrypt$1024$8$1$c2FsdA==', 'scrypt$1000$8$1$c2FsdA==$aGFzaA==', `scrypt$${2 ** 24}$8$1$c2FsdA==$${Buffer.alloc(32).toString('base64')}`,
    'bcrypt$1024$8$1$c2FsdA==$aGFzaA==']) {
    assert.equal(parseStoredHash(stored), undefined, stored);
    assert.equal(await hasher.verify('x', stored), false);
  }
});

test('old hashes keep verifying when the cost changes; needsRehash tells them apart', async () => {
  const old = await new PasswordHasher({ cost: { N: 2048, r: 4, p: 1 } }).hash('pw123456');
  const current = new PasswordHasher({ cost: cheap });
  assert.equal(await current.verify('pw123456', old), true);
  assert.equal(current.needsRehash(old), true);
  assert.equal(current.needsRehash(await current.hash('x')), false);
});

test('the default cost is an OWASP set and really is used', async () => {
  assert.deepEqual({ ...DEFAULT_SCRYPT_COST }, { N: 32768, r: 8, p: 3 });
  const hasher = new PasswordHasher();
  const stored = await hasher.hash('pw123456');
  assert.ok(stored.startsWith('scrypt$32768$8$3$'));
  assert.equal(await hasher.verify('pw123456', stored), true);
});

test('at most maxConcurrent hashes run at once; a full queue rejects', async () => {
  const hasher = new PasswordHasher({ cost: cheap, maxConcurrent: 2, maxQueued: 30 });
  const results = await Promise.all(Array.from({ length: 20 }, (_, i) => hasher.hash(`p${i}`)));
  assert.equal(results.length, 20);
  assert.equal(hasher.peakConcurrent, 2);
  const tight = new PasswordHasher({ cost: cheap, maxConcurrent: 1, maxQueued: 2 });
  const attempts = Array.from({ length: 6 }, () => tight.hash('x').then(() => 'ok', (error: unknown) => error));
  const outcomes = await Promise.all(attempts);
  assert.equal(outcomes.filter((o) => o === 'ok').length, 3);
  assert.ok(outcomes.filter((o) => o instanceof HashQueueFullError).length === 3);
});
