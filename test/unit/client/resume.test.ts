/** The resume after a reconnect, fed scripted `joined` pages: no TTY, no server. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { JoinedReply, StoredMessage } from '../../../src/protocol/messages.js';
import { GroupResume, type ResumeSteps } from '../../../src/client/model/resume.js';

const message = (seq: number): StoredMessage => ({ group: 'g', seq, from: 'bob', text: `m${seq}`, ts: 1_700_000_000_000 + seq });
const page = (seqs: number[], more: boolean, lastSeq: number): JoinedReply => (
  { type: 'joined', group: 'g', members: ['bob'], last_seq: lastSeq, history: seqs.map(message), more }
);

/**
 * A view that shows each seq once (as the chat screen does) and answers each
 * `join` with the next scripted page; `during` runs while a page is awaited
 * (live messages arriving mid-resume).
 */
function scripted(pages: JoinedReply[], startSeq: number, during: (pageIndex: number, resume: GroupResume) => void = () => undefined) {
  const resume = new GroupResume();
  const shown: number[] = [];
  const sinces: number[] = [];
  const missedReports: number[] = [];
  let lastSeq = startSeq;
  const show = (entry: StoredMessage): boolean => {
    if (entry.seq <= lastSeq) return false;
    lastSeq = entry.seq;
    shown.push(entry.seq);
    return true;
  };
  const steps: ResumeSteps = {
    lastShownSeq: () => lastSeq,
    requestPage: async (since) => {
      const index = sinces.length;
      sinces.push(since);
      during(index, resume);
      const next = pages[index];
      if (next === undefined) throw new Error('connection closed');
      return next;
    },
    showPage: (reply) => {
      const count = reply.history.filter(show).length;
      if (!reply.more) lastSeq = Math.max(lastSeq, reply.last_seq);
      return count;
    },
    reportMissed: (count) => missedReports.push(count),
    showLive: (entry) => { show(entry); },
  };
  return { resume, steps, shown, sinces, missedReports };
}

test('pages with `since` = the last seq shown until `more` is false; reports the count missed', async () => {
  const run = scripted([page([4, 5, 6], true, 9), page([7, 8], true, 9), page([9], false, 9)], 3);
  await run.resume.run(run.steps);
  assert.deepEqual(run.sinces, [3, 6, 8]);
  assert.deepEqual(run.shown, [4, 5, 6, 7, 8, 9]);
  assert.deepEqual(run.missedReports, [6]);
  assert.equal(run.resume.running, false);
});

test('live messages that arrive meanwhile are held, then shown after the pages, each once, in order', async () => {
  const run = scripted([page([2, 3], true, 5), page([4, 5], false, 5)], 1, (index, resume) => {
    assert.equal(resume.running, true);
    // During the first page: 4 and 5 (also on the next page) and 6; during the second: 7.
    const live = index === 0 ? [4, 5, 6] : [7];
    for (const seq of live) assert.equal(resume.hold(message(seq)), true);
  });
  await run.resume.run(run.steps);
  assert.deepEqual(run.shown, [2, 3, 4, 5, 6, 7]);
  assert.deepEqual(run.missedReports, [4]);
  assert.equal(run.resume.hold(message(8)), false, 'nothing is held once the resume is over');
});

test('nothing missed: one page, no report', async () => {
  const run = scripted([page([], false, 3)], 3);
  await run.resume.run(run.steps);
  assert.deepEqual(run.sinces, [3]);
  assert.deepEqual(run.missedReports, []);
});

test('an empty page that still says `more` ends the paging instead of asking for it again', async () => {
  const run = scripted([page([], true, 9)], 3);
  await run.resume.run(run.steps);
  assert.deepEqual(run.sinces, [3]);
});

test('a failed page rejects the resume, and the messages held so far are still shown', async () => {
  const run = scripted([page([2], true, 4)], 1, (index, resume) => {
    if (index === 1) resume.hold(message(5));
  });
  await assert.rejects(run.resume.run(run.steps), /connection closed/);
  assert.deepEqual(run.shown, [2, 5]);
  assert.deepEqual(run.missedReports, []);
  assert.equal(run.resume.running, false);
});
