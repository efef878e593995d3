/**
 * Test certificates: a trusted set (CA, server for localhost/127.0.0.1/::1,
 * client) and an unrelated "rogue" set for unknown-CA tests. Made once per
 * test run and shared by its files (RSA keys cost a second of CPU per file):
 * the first file of a `node --test` run makes them into a temp dir named after
 * the runner (this process's parent), the others read them there. Tests only
 * read these files. A later run removes the dirs of runs that have ended.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { certificateFingerprint, defaultDevHosts, generateDevCertificates } from '../../src/certs/dev-certs.js';

export interface CertificateSet {
  dir: string;
  ca: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  caPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  clientCertPath: string;
  clientKeyPath: string;
  serverFingerprint: string;
}

export interface TestCertificates extends CertificateSet {
  rogue: CertificateSet;
}

const RUN_DIR_PREFIX = 'termsender-test-certs-';
/** A shared dir older than this is made again (a runner's pid can be reused). */
const RUN_DIR_MAX_AGE_MS = 6 * 60 * 60 * 1000;

function readSet(dir: string): CertificateSet {
  const file = (name: string) => path.join(dir, name);
  const read = (name: string) => readFileSync(file(name), 'utf8');
  const serverCert = read('server.crt');
  return {
    dir,
    ca: read('ca.crt'),
    caKey: read('ca.key'),
    serverCert,
    serverKey: read('server.key'),
    clientCert: read('client.crt'),
    clientKey: read('client.key'),
    caPath: file('ca.crt'),
    serverCertPath: file('server.crt'),
    serverKeyPath: file('server.key'),
    clientCertPath: file('client.crt'),
    clientKeyPath: file('client.key'),
    serverFingerprint: certificateFingerprint(serverCert),
  };
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the shared dirs (and half-made ones) of runs whose runner has exited. */
function removeEndedRuns(): void {
  for (const name of readdirSync(os.tmpdir())) {
    const pid = new RegExp(`^${RUN_DIR_PREFIX}(\\d+)(?:-|$)`).exec(name)?.[1];
    if (pid !== undefined && !processAlive(Number(pid))) rmSync(path.join(os.tmpdir(), name), { recursive: true, force: true });
  }
}

function freshRunDir(runDir: string): boolean {
  try {
    return Date.now() - statSync(runDir).mtimeMs < RUN_DIR_MAX_AGE_MS && existsSync(path.join(runDir, 'rogue', 'client.key'));
  } catch {
    return false;
  }
}

/** Makes both sets in a new dir and moves it into place at once; if another file of the run was first, uses its dir. */
async function makeRunDir(runDir: string): Promise<void> {
  const making = mkdtempSync(`${runDir}-`);
  // 30 days: past the server's 14-day expiry warning, which only the tests of that warning should see.
  await Promise.all(['certs', 'rogue'].map((label) =>
    generateDevCertificates({ outDir: path.join(making, label), hosts: defaultDevHosts, days: 30, force: false })));
  if (existsSync(runDir) && !freshRunDir(runDir)) rmSync(runDir, { recursive: true, force: true });
  try {
    renameSync(making, runDir);
  } catch (error) {
    rmSync(making, { recursive: true, force: true });
    if (!freshRunDir(runDir)) throw error;
  }
}

async function loadTestCertificates(): Promise<TestCertificates> {
  const runDir = path.join(os.tmpdir(), `${RUN_DIR_PREFIX}${process.ppid}`);
  if (!freshRunDir(runDir)) {
    removeEndedRuns();
    await makeRunDir(runDir);
  }
  return { ...readSet(path.join(runDir, 'certs')), rogue: readSet(path.join(runDir, 'rogue')) };
}

let certificates: Promise<TestCertificates> | undefined;

export function getTestCertificates(): Promise<TestCertificates> {
  certificates ??= loadTestCertificates();
  return certificates;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** A server certificate from `set`'s CA for the usual hosts, valid from `notBefore` to `notAfter`, for `publicKeyPem` (else the server's key). */
function serverCertificateFromCa(set: CertificateSet, notBefore: Date, notAfter: Date, publicKeyPem?: string): string {
  const caCert = forge.pki.certificateFromPem(set.ca);
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKeyPem === undefined ? forge.pki.certificateFromPem(set.serverCert).publicKey : forge.pki.publicKeyFromPem(publicKeyPem);
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: 'localhost' }]);
  cert.setIssuer(caCert.subject.attributes);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
  ]);
  cert.sign(forge.pki.privateKeyFromPem(set.caKey), forge.md.sha256.create());
  return forge.pki.certificateToPem(cert);
}

/** A server certificate from `set`'s CA, for the usual hosts and with the server's key, whose validity ended yesterday. */
export function expiredServerCertificate(set: CertificateSet): string {
  return serverCertificateFromCa(set, new Date(Date.now() - 2 * DAY_MS), new Date(Date.now() - DAY_MS));
}

export interface RenewedCertificate {
  cert: string;
  key: string;
  fingerprint: string;
  notAfter: Date;
}

/** What a renewal gives: a new key and a certificate for it from the same CA, valid `days` from now. */
export function renewedServerCertificate(set: CertificateSet, days = 90): RenewedCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const notAfter = new Date(Math.floor((Date.now() + days * DAY_MS) / 1000) * 1000);
  const cert = serverCertificateFromCa(set, new Date(Date.now() - 60_000), notAfter, publicKey);
  return { cert, key: privateKey, fingerprint: new X509Certificate(cert).fingerprint256, notAfter };
}
