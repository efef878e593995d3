/**
 * The server's TLS material: the certificate, key and client CA read from
 * their files and checked together before anything uses them (a file that is
 * missing or not PEM, a key that does not match its certificate), and the one
 * set of secure-context options the listener starts with and, on SIGHUP,
 * switches to. `tls.Server.setSecureContext` forgets every option not given
 * again (the ciphers, the lowest version), so both go through
 * `secureContextOptions`.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { errorMessage } from '../protocol/errors.js';
import type { ServerConfig, TlsFiles } from './config.js';

/** TLS 1.2 suites allowed with `--tls-min 1.2`: forward secret AEAD only. */
const TLS12_CIPHERS = [
  'ECDHE-ECDSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES128-GCM-SHA256',
  'ECDHE-ECDSA-AES256-GCM-SHA384', 'ECDHE-RSA-AES256-GCM-SHA384',
  'ECDHE-ECDSA-CHACHA20-POLY1305', 'ECDHE-RSA-CHACHA20-POLY1305',
].join(':');

/** The files of `--cert`, `--key` and `--client-ca`. */
export interface TlsPaths {
  cert: string;
  key: string;
  clientCa?: string | undefined;
}

/** What clients see of the server certificate (the first of its file). */
export interface CertificateFacts {
  /** SHA-256, `AB:CD:…`: what clients pin with `--fingerprint`. */
  fingerprint: string;
  notAfter: Date;
}

/** The material of `TlsPaths`, checked, with its certificate's facts. */
export interface LoadedTls {
  files: TlsFiles;
  certificate: CertificateFacts;
}

/** A file of `TlsPaths` that cannot be used; the message names the flag and the file. */
export class TlsFilesError extends Error {}

export function describeCertificate(pem: string | Buffer): CertificateFacts {
  const certificate = new X509Certificate(pem);
  return { fingerprint: certificate.fingerprint256, notAfter: new Date(certificate.validTo) };
}

function readPem(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new TlsFilesError(`${flag} ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`, { cause: error });
  }
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/** At least one certificate, and every one parses: `createSecureContext` takes any bytes as `ca` without a word. */
function checkCaBundle(pem: Buffer, file: string): void {
  const blocks = pem.toString('latin1').match(PEM_CERTIFICATE) ?? [];
  if (blocks.length === 0) throw new TlsFilesError(`--client-ca ${file}: no PEM certificate in it`);
  for (const block of blocks) {
    try {
      new X509Certificate(block); // parsing is the check
    } catch (error) {
      throw new TlsFilesError(`--client-ca ${file}: not a usable PEM certificate (${errorMessage(error)})`, { cause: error });
    }
  }
}

/** Reads and checks the files; throws `TlsFilesError` saying which file and why. */
export function loadTlsFiles(paths: TlsPaths): LoadedTls {
  const files: TlsFiles = {
    cert: readPem(paths.cert, '--cert'),
    key: readPem(paths.key, '--key'),
    clientCa: paths.clientCa === undefined ? undefined : readPem(paths.clientCa, '--client-ca'),
  };
  if (paths.clientCa !== undefined && files.clientCa !== undefined) checkCaBundle(Buffer.from(files.clientCa), paths.clientCa);
  try {
    tls.createSecureContext({ cert: files.cert, key: files.key });
    return { files, certificate: describeCertificate(files.cert) };
  } catch (error) {
    throw new TlsFilesError(`--cert ${paths.cert} / --key ${paths.key}: not a usable PEM certificate and key (${errorMessage(error)})`, { cause: error });
  }
}

/** The options of the listener's secure context, at start and at every reload. */
export function secureContextOptions(files: TlsFiles, minVersion: ServerConfig['tlsMinVersion']): tls.SecureContextOptions {
  return {
    cert: files.cert,
    key: files.key,
    minVersion,
    ciphers: TLS12_CIPHERS,
    ...(files.clientCa === undefined ? {} : { ca: files.clientCa }),
  };
}
