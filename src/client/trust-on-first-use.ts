/**
 * Trust on first use (neither --ca nor --fingerprint): the system's CAs (and
 * certs/ca.crt) first; a server no trusted CA vouches for is judged against
 * known_servers: known with this fingerprint, or asked about (interactive, and
 * never during a reconnect), and never one whose certificate changed.
 *
 * A server once verified by a CA is remembered as such (in this process, and
 * as a `HOST:PORT ca` line of known_servers): if it later shows a certificate
 * that no CA verifies, it is refused like a changed fingerprint, not asked
 * about. That is the moment a machine in the middle would choose.
 */
import type tls from 'node:tls';
import { CertificateError, checkDates } from './certificate-error.js';
import type { TlsOptions, TrustOnFirstUse } from './connect.js';
import { addKnown, CA_VERIFIED, findKnown, type KnownEntry, serverKey } from './known-servers.js';

/** Servers verified by a CA in this process (also when known_servers could not be written). */
const verifiedByCa = new Set<string>();

/** Judges a connected socket whose certificate was not pinned; throws CertificateError to refuse it. */
export async function judgeWithoutPin(socket: tls.TLSSocket, options: TlsOptions, trust: TrustOnFirstUse): Promise<void> {
  const key = serverKey(options.host, options.port);
  if (socket.authorized) {
    await rememberCaVerified(trust.knownServers, key);
    return;
  }
  const peer = socket.getPeerX509Certificate();
  if (peer === undefined) throw new CertificateError('untrusted', 'certificate check failed: the server sent no certificate');
  const fingerprint = peer.fingerprint256;
  const known = await findKnown(trust.knownServers, key);
  if (known?.fingerprint === CA_VERIFIED || verifiedByCa.has(key)) {
    throw caLost(key, fingerprint, String(socket.authorizationError ?? 'not verified'), trust.knownServers, known);
  }
  if (known !== undefined) {
    if (known.fingerprint !== fingerprint) {
      throw new CertificateError('fingerprint_changed', [
        `certificate check failed: the certificate of ${key} CHANGED since it was trusted`,
        `  known:  ${known.fingerprint}`,
        `  now:    ${fingerprint}`,
        'This may be an attack, or a new certificate on the server. If you know it is the latter, remove',
        `line ${known.line} of ${trust.knownServers}:`,
        `  ${known.text}`,
      ].join('\n'));
    }
    checkDates(peer);
    return;
  }
  if (trust.ask === undefined) {
    throw new CertificateError('unknown_server', `certificate check failed: ${key} is not verified by a trusted CA and not in ${trust.knownServers} (SHA-256 fingerprint ${fingerprint}); connect interactively once to trust it, or use --ca or --fingerprint`);
  }
  checkDates(peer);
  if (!(await trust.ask(key, fingerprint))) throw new CertificateError('declined', `not connecting: the certificate of ${key} was not trusted`);
  await addKnown(trust.knownServers, key, fingerprint);
}

/** Noted in this process, and in known_servers when it has no line for `key` yet (best effort: a read-only home still connects). */
async function rememberCaVerified(file: string, key: string): Promise<void> {
  verifiedByCa.add(key);
  try {
    if ((await findKnown(file, key)) === undefined) await addKnown(file, key, CA_VERIFIED);
  } catch {
    // Not written: remembered in this process only.
  }
}

function caLost(key: string, fingerprint: string, reason: string, file: string, known: KnownEntry | undefined): CertificateError {
  return new CertificateError('ca_verified_before', [
    `certificate check failed: ${key} was verified by a trusted CA before, and now its certificate is NOT (${reason})`,
    `  now:    ${fingerprint}`,
    'This may be an attack, or a new certificate on the server. Not asking: use --ca or --fingerprint if you know it is the latter'
      + (known === undefined ? '.' : `, or remove line ${known.line} of ${file}:`),
    ...(known === undefined ? [] : [`  ${known.text}`]),
  ].join('\n'));
}
