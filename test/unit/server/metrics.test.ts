/** The metrics object and the `--metrics` address: what is registered, what is counted, what is parsed. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHostPort, showHostPort } from '../../../src/server/http-endpoints.js';
import { ServerMetrics } from '../../../src/observe/metrics.js';

test('parseHostPort takes HOST:PORT and [IPv6]:PORT, nothing else', () => {
  assert.deepEqual(parseHostPort('127.0.0.1:9464'), { host: '127.0.0.1', port: 9464 });
  assert.deepEqual(parseHostPort('[::1]:0'), { host: '::1', port: 0 });
  assert.deepEqual(parseHostPort('localhost:80'), { host: 'localhost', port: 80 });
  for (const bad of ['9464', '127.0.0.1', '::1:9464', '127.0.0.1:70000', 'host:port', ':9464', '']) assert.equal(parseHostPort(bad), undefined, bad);
  assert.equal(showHostPort({ host: '::1', port: 9 }), '[::1]:9');
});

test('disabled metrics register nothing; their counts still add up', async () => {
  const metrics = new ServerMetrics();
  metrics.counts.bytesIn += 10;
  metrics.request('say');
  assert.equal((await metrics.text()).trim(), '');
  assert.equal(metrics.counts.requests['say'], 1);
});

test('enabled metrics read the counts at scrape time', async () => {
  const metrics = new ServerMetrics({ enabled: true, defaults: false });
  metrics.session(undefined, 'auth');
  metrics.session('auth', 'group_select');
  metrics.session(undefined, 'auth');
  metrics.session('auth', 'closed');
  metrics.outcome('login', { type: 'auth_ok' });
  metrics.outcome('login', { type: 'error', code: 'auth_failed' });
  metrics.outcome('register', { type: 'auth_ok' });
  metrics.counts.deliveries.message += 31;
  const text = await metrics.text();
  metrics.close();
  assert.match(text, /^termsender_sessions\{state="auth"\} 0$/m);
  assert.match(text, /^termsender_sessions\{state="group_select"\} 1$/m);
  assert.match(text, /^termsender_logins_total\{result="ok"\} 1$/m);
  assert.match(text, /^termsender_logins_total\{result="failed"\} 1$/m);
  assert.match(text, /^termsender_errors_sent_total\{code="auth_failed"\} 1$/m);
  assert.match(text, /^termsender_registrations_total 1$/m);
  assert.match(text, /^termsender_deliveries_total\{kind="message"\} 31$/m);
  assert.doesNotMatch(text, /termsender_cluster_/, 'cluster metrics only in cluster mode');
});
