/**
 * Test certificates, made once per test process into a temp dir: a trusted
 * set (CA, server for localhost/127.0.0.1/::1, client) and an unrelated
 * "rogue" set for unknown-CA tests. Removed when the process exits.
 */
import { generateKeyPairSync, randomBytes, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import forge from 'node-forge';
import { defaultDevHosts, generateDevCertificates } from '../../src/certs/dev-certs.js';

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

async function makeSet(label: string): Promise<CertificateSet> {
  const dir = mkdtempSync(path.join(os.tmpdir(), `termsender-${label}-`));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  // 30 days: past the server's 14-day expiry warning, which only the tests of that warning should see.
  const { files, fingerprint } = await generateDevCertificates({ outDir: dir, hosts: defaultDevHosts, days: 30, force: false });
  const read = (file: string) => readFileSync(file, 'utf8');
  return {
    dir,
    ca: read(files['ca.crt']),
    caKey: read(files['ca.key']),
    serverCert: read(files['server.crt']),
    serverKey: read(files['server.key']),
    clientCert: read(files['client.crt']),
    clientKey: read(files['client.key']),
    caPath: files['ca.crt'],
    serverCertPath: files['server.crt'],
    serverKeyPath: files['server.key'],
    clientCertPath: files['client.crt'],
    clientKeyPath: files['client.key'],
    serverFingerprint: fingerprint,
  };
}

let certificates: Promise<TestCertificates> | undefined;

export function getTestCertificates(): Promise<TestCertificates> {
  certificates ??= Promise.all([makeSet('certs'), makeSet('rogue')]).then(([trusted, rogue]) => ({ ...trusted, rogue }));
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
