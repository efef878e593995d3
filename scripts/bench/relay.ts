#!/usr/bin/env node
/**
 * The ceiling for the end-to-end benchmark: a bare TLS relay that reads each
 * frame's length prefix and forwards the frame's bytes to every other
 * connection, without decoding, validating or storing anything. It batches
 * writes per event-loop turn like the server, so the comparison is fair.
 *
 *   node dist/scripts/bench/relay.js --port 0 --cert FILE --key FILE
 */
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { parseArgs } from 'node:util';
import { FrameEncoder, FrameReader, LENGTH_PREFIX_BYTES } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL, DEFAULT_LIMITS } from '../../src/protocol/limits.js';
import { type BatchedOutput, WriteBatcher } from '../../src/server/write-batcher.js';

const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, cert: { type: 'string' }, key: { type: 'string' } } });
if (values.cert === undefined || values.key === undefined) throw new Error('--cert and --key are required');

const sockets = new Set<tls.TLSSocket>();
const outputs = new Set<BatchedOutput>();
const WELCOME = new FrameEncoder().encode({ type: 'welcome' });
const writes = new WriteBatcher();
const server = tls.createServer({ cert: readFileSync(values.cert), key: readFileSync(values.key), ALPNProtocols: [ALPN_PROTOCOL] }, (socket) => {
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
server.listen(Number(values.port), '127.0.0.1', () => {
  const address = server.address();
  if (address !== null && typeof address === 'object') process.stdout.write(`listening on 127.0.0.1:${address.port}\n`);
});
process.once('SIGTERM', () => {
  for (const socket of sockets) socket.destroy();
  server.close(() => process.exit(0));
});
