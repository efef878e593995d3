/**
 * A TLS connection whose server certificate has been verified: against a CA
 * (chain, expiry and host name, by Node), and/or against a pinned SHA-256
 * fingerprint, checked before anything is written. Every failure is one
 * CertificateError saying which check failed.
 */
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { ProtocolError } from '../protocol/errors.js';
import { ALPN_PROTOCOL } from '../protocol/limits.js';
import { CertificateError, checkDates } from './certificate-error.js';
import { brokeProtocol, DEFAULT_SERVER_TIMEOUT_MS } from './client.js';
import { explainTlsFailure } from './tls-problems.js';
import { judgeWithoutPin } from './trust-on-first-use.js';

export { CertificateError, type CertificateProblem } from './certificate-error.js';

/** Whether a reconnect loop should stop trying: the same failure would come every time. */
export function isPermanent(failure: unknown): failure is Error {
  // A disabled account (December addition) is refused at every login until an admin enables it.
  // A server that broke the protocol will break it again (docs/protocol.md: the client exits 1).
  return failure instanceof CertificateError || (failure instanceof ProtocolError && (failure.code === 'auth_failed' || failure.code === 'account_disabled'))
    || (failure instanceof Error && brokeProtocol(failure));
}

/** The server could not be reached (refused, unreachable, timed out). */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}

export interface TlsOptions {
  host: string;
  port: number;
  /** CA file that must have signed the server certificate; none when pinning alone. */
  caFile?: string | undefined;
  /** Pinned SHA-256 fingerprint, any of `AB:CD:…`, `abcd…`. */
  fingerprint?: string | undefined;
  certFile?: string | undefined;
  keyFile?: string | undefined;
  /** How long the server may take: the TLS handshake, `welcome`, each reply (DEFAULT_SERVER_TIMEOUT_MS). */
  timeoutMs?: number | undefined;
  /** With neither caFile nor fingerprint: the system CAs (plus `extraCaFile`), then trust on first use. */
  trust?: TrustOnFirstUse | undefined;
}

export interface TrustOnFirstUse {
  /** Trusted as well as the system's CAs (certs/ca.crt when it exists). */
  extraCaFile?: string | undefined;
  /** The known_servers file. */
  knownServers: string;
  /** Asks whether to trust an unknown server; none (line mode): never trusted. */
  ask?: ((key: string, fingerprint: string) => Promise<boolean>) | undefined;
}


/** `AB:CD:…` in upper case, from colon-separated or plain hex; undefined when it is not 32 bytes of hex. */
export function normalizeFingerprint(value: string): string | undefined {
  const hex = value.trim().replace(/^sha256[:=]/i, '').replace(/[:\s]/g, '').toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)!.join(':');
}

const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE', 'CERT_UNTRUSTED', 'CERT_REJECTED',
  'INVALID_CA', 'INVALID_PURPOSE',
]);

async function readPem(file: string, what: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new CertificateError('unreadable_file', `cannot read ${what} ${file} (${code})`, { cause: error });
  }
}

function describeFailure(error: NodeJS.ErrnoException & { cert?: tls.PeerCertificate; reason?: string }, options: TlsOptions): Error {
  const code = error.code ?? '';
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') {
    const names = error.cert?.subjectaltname ?? 'no names';
    return new CertificateError('name_mismatch', `certificate check failed: the server certificate is for ${names}, not for '${options.host}'`, { cause: error });
  }
  if (code === 'CERT_HAS_EXPIRED') {
    return new CertificateError('expired', `certificate check failed: the server certificate has expired${error.cert ? ` (on ${error.cert.valid_to})` : ''}`, { cause: error });
  }
  if (code === 'CERT_NOT_YET_VALID') {
    return new CertificateError('not_yet_valid', 'certificate check failed: the server certificate is not valid yet', { cause: error });
  }
  if (UNTRUSTED_CODES.has(code)) {
    return new CertificateError('untrusted', `certificate check failed: the server certificate is not signed by the CA in ${options.caFile} (${code})`, { cause: error });
  }
  const plain = explainTlsFailure(error);
  if (plain !== undefined) return new ConnectionError(`${options.host}:${options.port}: ${plain}`, { cause: error });
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENOTFOUND' || code === 'ECONNRESET' || code === 'ETIMEDOUT') {
    return new ConnectionError(`cannot reach ${options.host}:${options.port} (${code})`, { cause: error });
  }
  return new ConnectionError(`TLS connection to ${options.host}:${options.port} failed: ${error.message}`, { cause: error });
}

/** Checks the pin, and dates when the CA did not (pinning alone). */
function checkPin(socket: tls.TLSSocket, options: TlsOptions, expected: string): void {
  const peer = socket.getPeerX509Certificate();
  if (peer === undefined) throw new CertificateError('fingerprint_mismatch', 'certificate check failed: the server sent no certificate');
  if (peer.fingerprint256 !== expected) {
    throw new CertificateError('fingerprint_mismatch', `certificate check failed: fingerprint mismatch: expected ${expected}, got ${peer.fingerprint256}`);
  }
  if (options.caFile === undefined) checkDates(peer);
}

/**
 * Trust on first use reads (and may write, or ask about) known_servers after the handshake: what the
 * socket says meanwhile (TLS 1.3 refuses a missing client certificate just after it) is not lost.
 */
async function judgeLate(socket: tls.TLSSocket, options: TlsOptions, trust: TrustOnFirstUse): Promise<void> {
  let failure: Error | undefined;
  const noteFailure = (error: NodeJS.ErrnoException) => { failure ??= describeFailure(error, options); };
  socket.on('error', noteFailure);
  try {
    await judgeWithoutPin(socket, options, trust);
  } finally {
    socket.off('error', noteFailure);
  }
  if (failure !== undefined) throw failure;
  if (socket.destroyed) throw new ConnectionError(`${options.host}:${options.port}: the connection closed during the certificate check`);
}

/** Connects and verifies; resolves with a socket on which nothing has been written yet. */
export async function connectVerified(options: TlsOptions): Promise<tls.TLSSocket> {
  const pin = options.fingerprint === undefined ? undefined : normalizeFingerprint(options.fingerprint);
  if (options.fingerprint !== undefined && pin === undefined) {
    throw new CertificateError('invalid_fingerprint', `--fingerprint must be a SHA-256 fingerprint (64 hex digits, colons optional), got '${options.fingerprint}'`);
  }
  const trust = options.caFile === undefined && pin === undefined ? options.trust : undefined;
  if (options.caFile === undefined && pin === undefined && trust === undefined) throw new CertificateError('unreadable_file', 'no CA file and no fingerprint: nothing to verify the server with');
  const ca = options.caFile === undefined ? undefined : await readPem(options.caFile, 'CA file');
  const trustedCas = trust === undefined ? undefined : [...tls.rootCertificates, ...(trust.extraCaFile === undefined ? [] : [await readPem(trust.extraCaFile, 'CA file')])];
  const cert = options.certFile === undefined ? undefined : await readPem(options.certFile, 'client certificate');
  const key = options.keyFile === undefined ? undefined : await readPem(options.keyFile, 'client key');
  const socket = tls.connect({
    host: options.host,
    port: options.port,
    ...(isIP(options.host) === 0 ? { servername: options.host } : {}),
    ALPNProtocols: [ALPN_PROTOCOL],
    // With a CA, Node verifies chain, dates and name. Pinning alone checks the pin and dates below.
    // Trust on first use: the system's CAs (and certs/ca.crt) first, judged below, before anything is written.
    rejectUnauthorized: ca !== undefined,
    ...(ca === undefined ? {} : { ca }),
    ...(trustedCas === undefined ? {} : { ca: trustedCas }),
    ...(cert === undefined ? {} : { cert, key }),
  });
  const timeoutMs = options.timeoutMs ?? DEFAULT_SERVER_TIMEOUT_MS;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new ConnectionError(`no TLS handshake with ${options.host}:${options.port} within ${timeoutMs / 1000} s`)), timeoutMs);
      socket.once('secureConnect', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(describeFailure(error, options));
      });
    });
    if (pin !== undefined) checkPin(socket, options, pin);
    if (trust !== undefined) await judgeLate(socket, options, trust);
  } catch (error) {
    socket.destroy();
    throw error;
  }
  return socket;
}
