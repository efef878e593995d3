import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AddressLimits } from '../../../src/server/address-limits.js';

function limits(clock: { now: number }, overrides: { maxPerIp?: number; registerRate?: number; exempt?: string[] } = {}): AddressLimits {
  return new AddressLimits({
    maxPerIp: overrides.maxPerIp ?? 2, registerRate: overrides.registerRate ?? 2, registerWindowMs: 600_000,
    exempt: overrides.exempt ?? ['127.0.0.0/8', '::1'], now: () => clock.now,
  });
}

test('connections per address: counted by address or /64, refused past the limit, freed when they close', () => {
  const addresses = limits({ now: 0 });
  const a = addresses.peerOf('198.51.100.1');
  const first = addresses.admit(a);
  const second = addresses.admit(addresses.peerOf('::ffff:198.51.100.1'));
  assert.ok(first && second);
  assert.equal(addresses.admit(a), undefined, 'a third from the same address (mapped or not) is refused');
  assert.ok(addresses.admit(addresses.peerOf('198.51.100.2')), 'another address is unaffected');
  const v6 = [addresses.admit(addresses.peerOf('2001:db8::1')), addresses.admit(addresses.peerOf('2001:db8::ffff'))];
  assert.ok(v6.every((release) => release !== undefined));
  assert.equal(addresses.admit(addresses.peerOf('2001:db8::2:3')), undefined, 'one /64 is one address');
  assert.ok(addresses.admit(addresses.peerOf('2001:db8:0:1::1')), 'the next /64 is another');
  first();
  first(); // a second release changes nothing
  assert.ok(addresses.admit(a), 'a freed slot is usable again');
  assert.equal(addresses.admit(a), undefined);
});

test('exempt addresses are not counted; none exempts nothing; memory is freed at zero', () => {
  const addresses = limits({ now: 0 }, { maxPerIp: 1 });
  const local = addresses.peerOf('127.0.0.1');
  assert.equal(local.exempt, true);
  for (let i = 0; i < 5; i++) assert.ok(addresses.admit(local));
  assert.ok(addresses.admit(addresses.peerOf('::1')));
  assert.equal(addresses.trackedAddresses, 0, 'nothing held for exempt addresses');
  const strict = limits({ now: 0 }, { maxPerIp: 1, exempt: [] });
  const release = strict.admit(strict.peerOf('127.0.0.1'));
  assert.ok(release);
  assert.equal(strict.admit(strict.peerOf('127.0.0.1')), undefined);
  assert.equal(strict.trackedAddresses, 1);
  release();
  assert.equal(strict.trackedAddresses, 0);
  assert.equal(strict.peerOf(undefined).exempt, true, 'a socket without an address has nothing to count');
});

test('registrations per address: at most the rate per window, refunds, windows expire and are forgotten', () => {
  const clock = { now: 0 };
  const addresses = limits(clock, { registerRate: 2 });
  const a = addresses.peerOf('198.51.100.1');
  assert.ok(addresses.takeRegistration(a));
  clock.now = 1_000;
  const refund = addresses.takeRegistration(a);
  assert.ok(refund);
  assert.equal(addresses.takeRegistration(a), undefined, 'a third in the window is refused');
  assert.ok(addresses.takeRegistration(addresses.peerOf('198.51.100.2')), 'another address is unaffected');
  refund();
  assert.ok(addresses.takeRegistration(a), 'a refunded registration (no account made) does not count');
  clock.now = 600_000;
  assert.ok(addresses.takeRegistration(a), 'the first left the window');
  assert.equal(addresses.takeRegistration(a), undefined);
  assert.equal(addresses.trackedAddresses, 2);
  clock.now = 1_300_000;
  assert.equal(addresses.trackedAddresses, 0, 'expired windows are forgotten');
  assert.ok(addresses.takeRegistration(addresses.peerOf('127.0.0.1')), 'exempt');
  assert.equal(addresses.trackedAddresses, 0);
  const unlimited = limits(clock, { registerRate: 0, exempt: [] });
  for (let i = 0; i < 10; i++) assert.ok(unlimited.takeRegistration(a), '0 = no limit');
});
