/**
 * SIGHUP: the certificate, key and client CA read again from their files and
 * used for new handshakes, with no connection dropped. Files that do not load
 * leave the old ones in use, with one error line. A server alone then prints
 * the fingerprint line again; a worker tells its primary (`--workers`), which
 * passes SIGHUP on to every worker and prints the line once.
 */
import { readFileSync } from 'node:fs';
import { errorMessage } from '../protocol/errors.js';
import type { Logger } from '../observe/logger.js';
import type { RunningServer } from '../server/server.js';
import { type CertificateFacts, describeCertificate, type LoadedTls, loadTlsFiles, type TlsPaths } from '../server/tls-context.js';

/** What a worker tells its primary after a reload that worked. */
export interface TlsReloadedNotice {
  tlsReloaded: { fingerprint: string; notAfter: number };
}

export function isTlsReloadedNotice(value: unknown): value is TlsReloadedNotice {
  if (typeof value !== 'object' || value === null) return false;
  const reloaded = (value as { tlsReloaded?: unknown }).tlsReloaded;
  return typeof reloaded === 'object' && reloaded !== null
    && typeof (reloaded as { fingerprint?: unknown }).fingerprint === 'string'
    && typeof (reloaded as { notAfter?: unknown }).notAfter === 'number';
}

export function reloadedNotice(certificate: CertificateFacts): TlsReloadedNotice {
  return { tlsReloaded: { fingerprint: certificate.fingerprint, notAfter: certificate.notAfter.getTime() } };
}

export function noticeCertificate(notice: TlsReloadedNotice): CertificateFacts {
  return { fingerprint: notice.tlsReloaded.fingerprint, notAfter: new Date(notice.tlsReloaded.notAfter) };
}

/** What clients pin with `--fingerprint`: printed on stdout at every start and after every reload. */
export function fingerprintLine(certificate: CertificateFacts): string {
  return `certificate fingerprint SHA256 ${certificate.fingerprint}`;
}

/** The certificate of `certFile`, or undefined when it is not one (the start fails on it elsewhere). */
export function certificateOfFile(certFile: string): CertificateFacts | undefined {
  try {
    return describeCertificate(readFileSync(certFile));
  } catch {
    return undefined;
  }
}

/** From now on, SIGHUP reloads `paths` into `server`; `announce` is called after each reload that worked. */
export function reloadTlsOnSighup(server: RunningServer, paths: TlsPaths, logger: Logger, announce: (certificate: CertificateFacts) => void): void {
  process.on('SIGHUP', () => {
    let loaded: LoadedTls;
    try {
      loaded = loadTlsFiles(paths);
      server.reloadTls(loaded);
    } catch (error) {
      logger.error('certificate reload failed; the old certificate stays in use', { reason: errorMessage(error), pid: process.pid });
      return;
    }
    const { certificate } = loaded;
    logger.info('certificate reloaded', { fingerprint: certificate.fingerprint, expires: certificate.notAfter.toISOString(), pid: process.pid });
    announce(certificate);
  });
}
