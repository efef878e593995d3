/** The stream FrameLink on a TLS socket: the peer's address and client certificate, frames both ways. */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { test } from 'node:test';
import tls from 'node:tls';
import { FrameDecoder, FrameEncoder } from '../../../src/protocol/frame.js';
import type { LinkPeer } from '../../../src/transport/frame-link.js';
import { StreamFrameLink } from '../../../src/transport/stream-link.js';
import { WriteBatcher } from '../../../src/transport/write-batcher.js';
import { getTestCertificates } from '../../helpers/certs.js';
import { plainTlsServer } from '../../helpers/tls-server.js';

test('a stream link tells the peer address and its client certificate, and carries frames both ways', async (t) => {
  const certs = await getTestCertificates();
  let serverLink: StreamFrameLink | undefined;
  const linked = new Promise<LinkPeer>((resolve) => {
    void plainTlsServer(t, { cert: certs.serverCert, key: certs.serverKey, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, (socket) => {
      serverLink = new StreamFrameLink(socket, new WriteBatcher(), 1024);
      const link = serverLink;
      link.start({
        received: () => { for (let body = link.next(); body !== undefined; body = link.next()) link.send(new FrameEncoder().encode({ echo: body })); },
        flushed: () => undefined,
        failed: () => undefined,
        closed: () => undefined,
      });
      resolve(link.peer);
    }).then((port) => {
      const client = tls.connect({ host: '127.0.0.1', port, servername: 'localhost', ca: certs.ca, cert: certs.clientCert, key: certs.clientKey });
      t.after(() => client.destroy());
      clientSocket = client;
    });
  });
  let clientSocket: tls.TLSSocket | undefined;
  const peer = await linked;
  assert.equal(peer.address, '127.0.0.1');
  const certificate = peer.certificate();
  assert.ok(certificate !== undefined, 'the client certificate');
  assert.equal(typeof certificate.fingerprint256, 'string');
  assert.ok(clientSocket !== undefined);
  const decoder = new FrameDecoder({ maxFrame: 1024 });
  clientSocket.write(new FrameEncoder().encode({ type: 'ping' }));
  const [chunk] = await once(clientSocket, 'data') as [Buffer];
  decoder.push(chunk);
  assert.deepEqual(decoder.next(), { echo: { type: 'ping' } });
  assert.ok(serverLink !== undefined);
  serverLink.end();
  await once(clientSocket, 'end');
});
