/**
 * Trust on first use: `known_servers` in the client's config folder, one
 * `HOST:PORT FINGERPRINT` a line (mode 0600), for servers whose certificate
 * verifies against no CA the client trusts; and `HOST:PORT ca` for a server
 * that a trusted CA verified (so that a certificate no CA verifies is refused
 * there, not asked about).
 */
import { appendFile, chmod, mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { termsenderDir } from './xdg-dirs.js';

/** `$XDG_CONFIG_HOME/termsender/` (default `~/.config/termsender/`). */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return termsenderDir('XDG_CONFIG_HOME', env);
}

export function knownServersFile(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(configDir(env), 'known_servers');
}

/** A server's key in the file: `host:port`, an IPv6 address in brackets. */
export function serverKey(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** The fingerprint column of a server verified by a CA (as findKnown returns it). */
export const CA_VERIFIED = 'CA';

export interface KnownEntry {
  fingerprint: string;
  /** 1-based line number in the file. */
  line: number;
  text: string;
}

/** The entry for `key`, if the file has one (a missing file has none). */
export async function findKnown(file: string, key: string): Promise<KnownEntry | undefined> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  const lines = content.split('\n');
  for (const [index, text] of lines.entries()) {
    const [host, fingerprint] = text.trim().split(/\s+/);
    if (host === key && fingerprint !== undefined) return { fingerprint: fingerprint.toUpperCase(), line: index + 1, text: text.trim() };
  }
  return undefined;
}

/** Adds `key fingerprint`; creates the folder (0700) and the file (0600) when missing. */
export async function addKnown(file: string, key: string, fingerprint: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await appendFile(file, `${key} ${fingerprint === CA_VERIFIED ? 'ca' : fingerprint}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}
