#!/usr/bin/env node
/**
 * The ceiling for the end-to-end benchmark: a bare TLS relay that reads each
 * frame's length prefix and forwards the frame's bytes to every other
 * connection, without decoding, validating or storing anything.
 *
 * It writes the leanest way a fan-out can: the frames of one event-loop turn
 * are kept in arrival order, assembled once into one buffer that every
 * connection that sent nothing in the turn gets (one `write` each), and only
 * a connection that sent gets its own buffer, without its frames. Frames are
 * forwarded as views of the bytes read where they lie in one read. The
 * server cannot do better than this, so server/relay stays an honest ratio.
 *
 *   node dist/scripts/bench/relay.js --port 0 --cert FILE --key FILE
 */
import tls from 'node:tls';
import { FrameEncoder, FrameReader, LENGTH_PREFIX_BYTES } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL, DEFAULT_LIMITS } from '../../src/protocol/limits.js';
import { childServerOptions, serveUntilTerminated } from './child-server.js';

const { port, cert, key } = childServerOptions();

const sockets = new Set<tls.TLSSocket>();
const WELCOME = new FrameEncoder().encode({ type: 'welcome' });

/** This turn's frames and who sent each. */
let frames: Buffer[] = [];
let senders: tls.TLSSocket[] = [];
let turnBytes = 0;
let scheduled = false;

function flush(): void {
  const turn = frames;
  const from = senders;
  const bytes = turnBytes;
  frames = [];
  senders = [];
  turnBytes = 0;
  scheduled = false;
  const sent = new Set(from);
  const everything = turn.length === 1 ? turn[0]! : Buffer.concat(turn, bytes);
  for (const socket of sockets) {
    if (!sent.has(socket)) {
      socket.write(everything);
      continue;
    }
    const others = turn.filter((_, i) => from[i] !== socket);
    if (others.length > 0) socket.write(others.length === 1 ? others[0]! : Buffer.concat(others));
  }
}

function forward(frame: Buffer, sender: tls.TLSSocket): void {
  frames.push(frame);
  senders.push(sender);
  turnBytes += frame.length;
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

const server = tls.createServer({ cert, key, ALPNProtocols: [ALPN_PROTOCOL] }, (socket) => {
  socket.setNoDelay(true);
  sockets.add(socket);
  socket.write(WELCOME); // like the server's welcome: the member knows it is registered here
  const reader = new FrameReader(DEFAULT_LIMITS.maxFrame);
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let body = reader.nextBytes(); body !== undefined; body = reader.nextBytes()) {
      const start = body.byteOffset - chunk.byteOffset;
      if (body.buffer === chunk.buffer && start >= LENGTH_PREFIX_BYTES && start + body.length <= chunk.length) {
        // The whole frame lies in this read: forward a view of it (the read is never reused).
        forward(chunk.subarray(start - LENGTH_PREFIX_BYTES, start + body.length), socket);
        continue;
      }
      const frame = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + body.length);
      frame.writeUInt32BE(body.length, 0);
      frame.set(body, LENGTH_PREFIX_BYTES);
      forward(frame, socket);
    }
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => sockets.delete(socket));
});
serveUntilTerminated(server, port, sockets);
