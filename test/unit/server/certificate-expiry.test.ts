/** The expiry warning: from 14 days before notAfter, once at `watch` and once a day after. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EXPIRY_WARNING_DAYS, ExpiryWarnings, expiryWarning } from '../../../src/server/certificate-expiry.js';
import { createLogger } from '../../../src/observe/logger.js';

const DAY_MS = 24 * 60 * 60 * 1000;
const NOW = Date.parse('2026-01-01T00:00:00Z');
const certificateEnding = (ms: number) => ({ fingerprint: 'AB:CD', notAfter: new Date(NOW + ms) });

test('no warning from 14 days on; a warning with the whole days left below; expired says so', () => {
  assert.equal(expiryWarning(certificateEnding(EXPIRY_WARNING_DAYS * DAY_MS), NOW), undefined);
  assert.equal(expiryWarning(certificateEnding(90 * DAY_MS), NOW), undefined);
  const soon = expiryWarning(certificateEnding(EXPIRY_WARNING_DAYS * DAY_MS - 1), NOW);
  assert.deepEqual(soon, { message: 'certificate expires within 14 days (renew it, then kill -HUP the server)', daysLeft: 13 });
  assert.equal(expiryWarning(certificateEnding(DAY_MS / 2), NOW)?.daysLeft, 0);
  assert.match(expiryWarning(certificateEnding(-1), NOW)?.message ?? '', /has expired/);
});

test('watch warns once now and once a day; a renewed certificate stops the warnings', (t) => {
  t.mock.timers.enable({ apis: ['setInterval'] });
  const lines: string[] = [];
  let now = NOW;
  const warnings = new ExpiryWarnings(createLogger('info', (line) => lines.push(line)), () => now);
  t.after(() => warnings.stop());
  warnings.watch(certificateEnding(5 * DAY_MS));
  assert.equal(lines.length, 1);
  assert.deepEqual(
    { ...JSON.parse(lines[0]!), time: undefined },
    { time: undefined, level: 'warn', msg: 'certificate expires within 14 days (renew it, then kill -HUP the server)', expires: '2026-01-06T00:00:00.000Z', days_left: 5, fingerprint: 'AB:CD' },
  );
  now += DAY_MS;
  t.mock.timers.tick(DAY_MS);
  assert.equal(lines.length, 2);
  assert.equal(JSON.parse(lines[1]!).days_left, 4);
  warnings.watch(certificateEnding(90 * DAY_MS));
  now += DAY_MS;
  t.mock.timers.tick(DAY_MS);
  assert.equal(lines.length, 2, 'nothing about a certificate with 90 days left');
});
