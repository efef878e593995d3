import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressGroup, inCidr, parseCidr, parseCidrList, parseIp } from '../../../src/server/ip-address.js';

const group = (text: string): string | undefined => {
  const address = parseIp(text);
  return address === undefined ? undefined : addressGroup(address);
};

test('IPv4 is itself; IPv4-mapped IPv6 is the IPv4 address it maps; IPv6 groups by /64', () => {
  assert.equal(group('203.0.113.7'), '203.0.113.7');
  assert.equal(group('::ffff:203.0.113.7'), '203.0.113.7');
  assert.equal(group('::FFFF:cb00:7107'), '203.0.113.7', 'the hex form of the same mapping');
  assert.equal(group('2001:db8::1'), '2001:db8:0:0::/64');
  assert.equal(group('2001:db8:0:0:ffff:1:2:3'), '2001:db8:0:0::/64', 'same /64, same key');
  assert.equal(group('2001:db8:0:1::1'), '2001:db8:0:1::/64', 'another /64');
  assert.equal(group('fe80::1%eth0'), 'fe80:0:0:0::/64', 'a zone is ignored');
  assert.equal(group('::1'), '0:0:0:0::/64');
  assert.equal(group('::'), '0:0:0:0::/64');
  assert.equal(group('1:2:3:4:5:6:7::'), '1:2:3:4::/64');
  for (const bad of ['', 'localhost', '1.2.3', '256.1.1.1', '1::2::3', '::ffff:1.2.3.256']) assert.equal(parseIp(bad), undefined, bad);
});

test('CIDR ranges: prefixes, single addresses, mapped ranges, none, and what is refused', () => {
  const loopback = parseCidr('127.0.0.0/8');
  assert.ok(inCidr(parseIp('127.0.0.1')!, loopback));
  assert.ok(inCidr(parseIp('127.255.1.2')!, loopback));
  assert.ok(inCidr(parseIp('::ffff:127.0.0.1')!, loopback), 'a mapped address matches the IPv4 range');
  assert.ok(!inCidr(parseIp('128.0.0.1')!, loopback));
  assert.ok(!inCidr(parseIp('::1')!, loopback), 'families never match each other');
  assert.ok(inCidr(parseIp('::1')!, parseCidr('::1')), 'an address alone is a full-length range');
  assert.ok(!inCidr(parseIp('::2')!, parseCidr('::1')));
  assert.ok(inCidr(parseIp('10.1.2.3')!, parseCidr('::ffff:10.0.0.0/104')), 'a mapped range is the IPv4 range');
  assert.ok(inCidr(parseIp('192.168.1.77')!, parseCidr('192.168.1.64/27')));
  assert.ok(!inCidr(parseIp('192.168.1.96')!, parseCidr('192.168.1.64/27')));
  assert.ok(inCidr(parseIp('2001:db8:abcd::1')!, parseCidr('2001:db8::/32')));
  assert.ok(inCidr(parseIp('8.8.8.8')!, parseCidr('0.0.0.0/0')));
  assert.deepEqual(parseCidrList('none'), []);
  assert.equal(parseCidrList(' 127.0.0.0/8 , ::1 ').length, 2);
  for (const bad of ['', '10.0.0.0/33', '::/129', '10.0.0.0/-1', '10.0.0.0/', 'example.org', '10.0.0.0/8,', '::ffff:10.0.0.0/95']) {
    assert.throws(() => parseCidrList(bad), Error, bad);
  }
});
