/**
 * Development certificates: a private CA, a server certificate for a list of
 * hosts, and a client certificate for mutual TLS. Certificates are built and
 * signed with node-forge; RSA keys come from node:crypto, which is much
 * faster than forge's JavaScript key generation.
 */
import { generateKeyPair as generateKeyPairCallback, randomBytes, X509Certificate } from 'node:crypto';
import { chmod, mkdir, stat, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';

const generateKeyPair = promisify(generateKeyPairCallback);

export const defaultDevHosts: readonly string[] = ['localhost', '127.0.0.1', '::1'];

export const DEV_CERT_FILES = ['ca.crt', 'ca.key', 'server.crt', 'server.key', 'client.crt', 'client.key'] as const;
export type DevCertFile = (typeof DEV_CERT_FILES)[number];

export interface DevCertificateOptions {
  outDir: string;
  hosts: readonly string[];
  days: number;
  force: boolean;
}

export interface DevCertificateResult {
  /** Absolute paths of the files written. */
  files: Record<DevCertFile, string>;
  /** The server certificate's SHA-256 fingerprint, `AB:CD:…`. */
  fingerprint: string;
}

interface KeyPair {
  privateKeyPem: string;
  publicKey: forge.pki.PublicKey;
  privateKey: forge.pki.rsa.PrivateKey;
}

/** A DNS name (letters, digits, hyphens, dots; `*.` allowed first) or an IP address. */
export function isValidHost(host: string): boolean {
  if (isIP(host) !== 0) return true;
  return host.length <= 253 && /^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/.test(host);
}

export function certificateFingerprint(pem: string | Buffer): string {
  return new X509Certificate(pem).fingerprint256;
}

async function newKeyPair(): Promise<KeyPair> {
  const { privateKey, publicKey } = await generateKeyPair('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { privateKeyPem: privateKey, publicKey: forge.pki.publicKeyFromPem(publicKey), privateKey: forge.pki.privateKeyFromPem(privateKey) as forge.pki.rsa.PrivateKey };
}

function newCertificate(publicKey: forge.pki.PublicKey, commonName: string, days: number): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = publicKey;
  // A positive serial: clear the top bit of 16 random bytes.
  const serial = randomBytes(16);
  serial[0] = serial[0]! & 0x7f;
  cert.serialNumber = serial.toString('hex');
  const now = Date.now();
  cert.validity.notBefore = new Date(now - 60 * 60 * 1000);
  cert.validity.notAfter = new Date(now + days * 24 * 60 * 60 * 1000);
  cert.setSubject([{ name: 'commonName', value: commonName }, { name: 'organizationName', value: 'TermSender development' }]);
  return cert;
}

function altName(host: string): { type: number; value?: string; ip?: string } {
  return isIP(host) === 0 ? { type: 2, value: host } : { type: 7, ip: host };
}

async function existing(files: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const file of files) {
    try {
      await stat(file);
      found.push(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
  return found;
}

async function writeSecret(file: string, contents: string): Promise<void> {
  await writeFile(file, contents, { mode: 0o600 });
  await chmod(file, 0o600); // an existing file keeps its old mode on overwrite
}

export async function generateDevCertificates(options: DevCertificateOptions): Promise<DevCertificateResult> {
  if (options.hosts.length === 0) throw new Error('at least one host is needed');
  const invalid = options.hosts.filter((host) => !isValidHost(host));
  if (invalid.length > 0) throw new Error(`not a host name or IP address: ${invalid.join(', ')}`);
  if (!Number.isInteger(options.days) || options.days < 1) throw new Error('days must be a whole number of 1 or more');
  const outDir = path.resolve(options.outDir);
  const files = Object.fromEntries(DEV_CERT_FILES.map((name) => [name, path.join(outDir, name)])) as Record<DevCertFile, string>;
  if (!options.force) {
    const present = await existing(Object.values(files));
    if (present.length > 0) throw new Error(`refusing to overwrite ${present.join(', ')} (use --force)`);
  }

  const [caKeys, serverKeys, clientKeys] = await Promise.all([newKeyPair(), newKeyPair(), newKeyPair()]);
  const sha256 = forge.md.sha256.create.bind(forge.md.sha256);

  // A unique name per CA, so that two dev CAs are never mistaken for each other.
  const ca = newCertificate(caKeys.publicKey, `TermSender development CA ${randomBytes(4).toString('hex')}`, options.days);
  ca.setIssuer(ca.subject.attributes);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  ca.sign(caKeys.privateKey, sha256());

  const server = newCertificate(serverKeys.publicKey, options.hosts[0]!, options.days);
  server.setIssuer(ca.subject.attributes);
  server.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    { name: 'subjectAltName', altNames: options.hosts.map(altName) },
  ]);
  server.sign(caKeys.privateKey, sha256());

  const client = newCertificate(clientKeys.publicKey, 'termsender-client', options.days);
  client.setIssuer(ca.subject.attributes);
  client.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
  ]);
  client.sign(caKeys.privateKey, sha256());

  await mkdir(outDir, { recursive: true });
  const serverPem = forge.pki.certificateToPem(server);
  await writeFile(files['ca.crt'], forge.pki.certificateToPem(ca), { mode: 0o644 });
  await writeSecret(files['ca.key'], caKeys.privateKeyPem);
  await writeFile(files['server.crt'], serverPem, { mode: 0o644 });
  await writeSecret(files['server.key'], serverKeys.privateKeyPem);
  await writeFile(files['client.crt'], forge.pki.certificateToPem(client), { mode: 0o644 });
  await writeSecret(files['client.key'], clientKeys.privateKeyPem);
  return { files, fingerprint: certificateFingerprint(serverPem) };
}
