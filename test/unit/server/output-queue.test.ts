/** The output queue over a stream with a small high-water mark: what the socket would buffer past it waits, whole, droppable. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { OutputQueue } from '../../../src/transport/output-queue.js';

/** A sink that takes nothing until `release()`, then everything; it records what it got. */
function heldSink(highWaterMark: number) {
  const written: Buffer[] = [];
  const waiting: Array<() => void> = [];
  let open = false;
  const sink = new Writable({
    highWaterMark,
    write(chunk: Buffer, _encoding, done) {
      written.push(chunk);
      if (open) done();
      else waiting.push(done);
    },
  });
  const release = (): void => {
    open = true;
    for (const done of waiting.splice(0)) done();
  };
  return { sink, written, release };
}

const bytes = (text: string): Buffer => Buffer.from(text);
const text = (buffers: Buffer[]): string => Buffer.concat(buffers).toString();

test('past the high-water mark writes wait here, in order, until the socket drains', async () => {
  const { sink, written, release } = heldSink(4);
  const queue = new OutputQueue(sink);
  queue.write(bytes('aaaa')); // taken by the sink, which now needs a drain
  queue.write(bytes('bb'));
  queue.write(bytes('cc'));
  assert.equal(text(written), 'aaaa');
  assert.equal(queue.backlog, 8, 'four in the socket, four waiting');
  const drained = once(sink, 'drain');
  release(); // the sink drains, and the queue writes what waited
  await drained;
  assert.equal(text(written), 'aaaabbcc');
  assert.equal(queue.backlog, 0);
});

test('drop forgets what the socket was not given; end waits for the rest, then ends', async () => {
  const { sink, written, release } = heldSink(4);
  const queue = new OutputQueue(sink);
  queue.write(bytes('aaaa'));
  queue.write(bytes('backlog'));
  assert.equal(queue.drop(), 7);
  queue.write(bytes('error'));
  queue.end();
  queue.write(bytes('late'));
  assert.equal(sink.writableEnded, false, 'not before the error is written');
  const finished = once(sink, 'finish');
  release();
  await finished;
  assert.equal(text(written), 'aaaaerror');
});
