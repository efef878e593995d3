/**
 * Where `--log-dir` / `/set log on` writes (interface.md, docs/client-windows.md):
 * `DIR/HOST/GROUP-or-@USER/YYYY-MM-DD.log`. Every component is made safe
 * here, whoever supplied it (a group or user name comes from the server): it
 * holds only `A-Z a-z 0-9 _ . -` and `%XX` escapes, never starts with a dot
 * and is never empty, so no name can climb out of the folder (`..`) or hide
 * a file, and two names never share one. Names are written by their key
 * (lower case), so a group's log does not split by how a message spelled it.
 * Pure.
 */
import path from 'node:path';
import { assertNever } from '../../protocol/errors.js';
import { termsenderDir } from '../xdg-dirs.js';
import type { WindowTarget } from './window-list.js';

/** `$XDG_STATE_HOME/termsender/logs/`, else `~/.local/state/termsender/logs/`. */
export function defaultLogDir(env: NodeJS.ProcessEnv, home?: string): string {
  return path.join(termsenderDir('XDG_STATE_HOME', env, home), 'logs');
}

/** Bytes a component keeps at most (most filesystems allow 255). */
const MAX_COMPONENT_BYTES = 200;

/**
 * `text` as one safe path component: every character outside
 * `A-Z a-z 0-9 _ . -` (and a leading dot) becomes `%XX` of its UTF-8 bytes,
 * so two different texts never share a component; `%` for an empty text.
 */
export function safeComponent(text: string): string {
  let safe = '';
  for (const char of text) {
    const plain = /^[A-Za-z0-9_.-]$/.test(char) && !(safe === '' && char === '.');
    safe += plain ? char : [...Buffer.from(char, 'utf8')].map((byte) => `%${byte.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
  if (safe === '') return '%';
  return safe.length <= MAX_COMPONENT_BYTES ? safe : safe.slice(0, MAX_COMPONENT_BYTES).replace(/%[0-9A-F]?$/, '');
}

/** The server's folder: `127.0.0.1_4433`, `chat.example.org_9999`, `[::1]_9999` (brackets escaped). */
export function hostComponent(host: string, port: number): string {
  return safeComponent(`${host.includes(':') ? `[${host}]` : host}_${port}`);
}

/** A window's folder: the group's key, or `@` and the user's key (`@` never starts a group's). */
export function windowComponent(target: WindowTarget): string | undefined {
  switch (target.kind) {
    case 'status': return undefined;
    case 'group': return safeComponent(target.key);
    case 'conversation': return `@${safeComponent(target.key)}`;
    default: return assertNever(target);
  }
}

/** `YYYY-MM-DD.log` of `ts`'s local day (the day markers' day). */
export function dayFileName(ts: number): string {
  const date = new Date(ts);
  const two = (value: number): string => String(value).padStart(2, '0');
  return `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}.log`;
}

/** The log file of a window's day, under `dir`; undefined for the status window (not logged). */
export function logFilePath(dir: string, host: string, port: number, target: WindowTarget, ts: number): string | undefined {
  const folder = windowComponent(target);
  return folder === undefined ? undefined : path.join(dir, hostComponent(host, port), folder, dayFileName(ts));
}
