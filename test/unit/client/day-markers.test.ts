/** Day markers and dated times, with fixed timestamps in a fixed time zone (this file's process only). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { stripVTControlCharacters } from 'node:util';

// Auckland is 13 hours ahead of UTC in December: a UTC evening is the next local day.
process.env['TZ'] = 'Pacific/Auckland';

const { DayMarkers, formatDay, formatStamp, localDayKey } = await import('../../../src/client/day-markers.js');
const { renderChat, renderEarlier } = await import('../../../src/client/render.js');

const plain = (text: string | undefined) => (text === undefined ? undefined : stripVTControlCharacters(text));

test('the day is the local one: 22:30 UTC on 1 December is Wednesday 2 December in Auckland', () => {
  const ts = Date.UTC(2026, 11, 1, 22, 30);
  assert.equal(formatDay(ts), 'Wednesday 2 December 2026');
  assert.equal(localDayKey(ts), localDayKey(Date.UTC(2026, 11, 2, 10, 59)), 'both are 2 December locally');
  assert.notEqual(localDayKey(ts), localDayKey(Date.UTC(2026, 11, 1, 10, 59)), '23:59 on 1 December locally');
});

test('a marker where the date changes between two messages shown, none between two of the same day', () => {
  const now = new Date(2026, 11, 1, 15, 0).getTime();
  const markers = new DayMarkers(now);
  assert.equal(markers.before(new Date(2026, 11, 1, 9, 0).getTime()), undefined, 'today, as when the screen opened');
  assert.equal(markers.before(new Date(2026, 11, 1, 23, 59).getTime()), undefined);
  assert.equal(plain(markers.before(new Date(2026, 11, 2, 0, 0).getTime())), '-- Wednesday 2 December 2026 --', 'past midnight');
  assert.equal(markers.before(new Date(2026, 11, 2, 8, 0).getTime()), undefined, 'once per day');
});

test('older messages (of a join) get their day, and the first of today after them gets today', () => {
  const markers = new DayMarkers(new Date(2026, 11, 1, 15, 0).getTime());
  assert.equal(plain(markers.before(new Date(2026, 10, 29, 20, 0).getTime())), '-- Sunday 29 November 2026 --');
  assert.equal(markers.before(new Date(2026, 10, 29, 21, 0).getTime()), undefined);
  assert.equal(plain(markers.before(new Date(2026, 11, 1, 9, 0).getTime())), '-- Tuesday 1 December 2026 --');
});

test('/history shows the full date for messages not from today, the time alone for today', () => {
  const now = new Date(2026, 11, 1, 15, 0).getTime();
  assert.equal(formatStamp(new Date(2026, 11, 1, 9, 5).getTime(), now), '09:05');
  assert.equal(formatStamp(new Date(2026, 10, 30, 23, 59).getTime(), now), 'Mon 30 Nov 2026 23:59');
  const lines = renderEarlier([
    { group: 'g', seq: 1, from: 'bob', text: 'old', ts: new Date(2025, 11, 31, 8, 0).getTime() },
    { group: 'g', seq: 2, from: 'bob', text: 'new', ts: new Date(2026, 11, 1, 14, 0).getTime() },
  ], false, { self: 'alice', width: 80, now }, renderChat).map((line) => stripVTControlCharacters(line));
  assert.deepEqual(lines.slice(1, 3), ['Wed 31 Dec 2025 08:00 bob: old', '14:00 bob: new']);
});
