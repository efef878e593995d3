#!/usr/bin/env node
/**
 * The ceiling for the end-to-end benchmark: a bare TLS relay that reads each
 * frame's length prefix and forwards the frame's bytes to every other
 * connection, without decoding, validating or storing anything. It batches
 * writes per event-loop turn like the server, so the comparison is fair.
 *
 *   node dist/scripts/bench/relay.js --port 0 --cert FILE --key FILE
 */
import tls from 'node:tls';
import { FrameEncoder, FrameReader, LENGTH_PREFIX_BYTES } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL, DEFAULT_LIMITS } from '../../src/protocol/limits.js';
import { type BatchedOutput, WriteBatcher } from '../../src/server/write-batcher.js';
import { childServerOptions, serveUntilTerminated } from './child-server.js';

const { port, cert, key } = childServerOptions();

const sockets = new Set<tls.TLSSocket>();
const outputs = new Set<BatchedOutput>();
const WELCOME = new FrameEncoder().encode({ type: 'welcome' });
const writes = new WriteBatcher();
const server = tls.createServer({ cert, key, ALPNProtocols: [ALPN_PROTOCOL] }, (socket) => {
  socket.setNoDelay(true);
  sockets.add(socket);
  const output: BatchedOutput = { socket, flushed: () => undefined };
  outputs.add(output);
  socket.write(WELCOME); // like the server's welcome: the member knows it is registered here
  const reader = new FrameReader(DEFAULT_LIMITS.maxFrame);
  socket.on('data', (chunk: Buffer) => {
    reader.push(chunk);
    for (let body = reader.next(); body !== undefined; body = reader.next()) {
      const frame = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + body.length);
      frame.writeUInt32BE(body.length, 0);
      body.copy(frame, LENGTH_PREFIX_BYTES);
      for (const other of outputs) if (other.socket !== socket) writes.write(other, frame);
    }
  });
  socket.on('error', () => socket.destroy());
  socket.on('close', () => {
    sockets.delete(socket);
    outputs.delete(output);
  });
});
serveUntilTerminated(server, port, sockets);
