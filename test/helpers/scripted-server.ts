/**
 * A TLS server that speaks the frames of the protocol but follows a test's
 * script instead of the rules: for what a real server would never do (stop
 * answering, close at a chosen moment). 127.0.0.1, port 0, closed by `t.after`.
 */
import type { TestContext } from 'node:test';
import type tls from 'node:tls';
import { type FrameBody, FrameDecoder, FrameEncoder } from '../../src/protocol/frame.js';
import { ALPN_PROTOCOL } from '../../src/protocol/limits.js';
import { getTestCertificates } from './certs.js';
import { plainTlsServer } from './tls-server.js';

export interface ScriptedConnection {
  /** 1 for the first connection, 2 for the next… */
  index: number;
  send(message: object): void;
  socket: tls.TLSSocket;
}

/** Greets every connection with `welcome` (plus `welcomeExtra`) and hands each request to `script`. */
export async function scriptedServer(t: TestContext, welcomeExtra: object, script: (request: FrameBody, connection: ScriptedConnection) => void): Promise<number> {
  const certs = await getTestCertificates();
  let connections = 0;
  return plainTlsServer(t, { cert: certs.serverCert, key: certs.serverKey, ALPNProtocols: [ALPN_PROTOCOL] }, (socket) => {
    const encoder = new FrameEncoder();
    const decoder = new FrameDecoder({ maxFrame: 65_536 });
    const connection: ScriptedConnection = { index: ++connections, socket, send: (message) => socket.write(encoder.encode(message)) };
    socket.on('error', () => undefined);
    connection.send({ type: 'welcome', version: 1, server: 'scripted', max_frame: 65_536, registration: true, ...welcomeExtra });
    socket.on('data', (chunk: Buffer) => {
      decoder.push(chunk);
      for (let body = decoder.next(); body !== undefined; body = decoder.next()) script(body, connection);
    });
  });
}

/** The replies of a well-behaved server to login, register, join and bye. */
export function answerSignInAndJoin(request: FrameBody, { send, socket }: ScriptedConnection): void {
  const id = request['id'];
  switch (request['type']) {
    case 'login': case 'register': send({ type: 'auth_ok', id, user: request['user'] }); break;
    case 'join': send({ type: 'joined', id, group: request['group'], members: [], last_seq: 0, history: [], more: false }); break;
    case 'bye': socket.end(); break;
  }
}
