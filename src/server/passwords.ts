/**
 * Password hashing with scrypt (node:crypto), off the event loop, with the
 * memory of concurrent hashes bounded by a queue. Stored hashes describe
 * themselves (`scrypt$N$r$p$salt$hash`), so old hashes keep verifying when the
 * default cost changes.
 */
import { randomBytes, scrypt, type ScryptOptions, timingSafeEqual } from 'node:crypto';
import { type AcquireOptions, Semaphore } from './semaphore.js';
import type { WaitTally } from './wait-tally.js';

export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

/** An OWASP parameter set: 32 MiB per hash (128·N·r bytes). */
export const DEFAULT_SCRYPT_COST: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 15, r: 8, p: 3 });

const SALT_BYTES = 16;
const KEY_BYTES = 32;
/** Parameters beyond these in a stored hash are refused (a corrupt row must not exhaust memory). */
const MAX_STORED_COST: Readonly<ScryptCost> = { N: 2 ** 20, r: 32, p: 16 };

export class HashQueueFullError extends Error {
  override readonly name = 'HashQueueFullError';
}

export interface PasswordHasherOptions {
  cost?: ScryptCost;
  /** Hashes computed at once; each takes 128·N·r bytes. */
  maxConcurrent?: number;
  /** Hashes waiting at most (all keys together); beyond that `hash`/`verify` reject with HashQueueFullError. */
  maxQueued?: number;
  /** Told how long each hash waited for its slot, in seconds (metrics). */
  onWait?: (seconds: number) => void;
}

/**
 * Whose hash this is: `key` (the client's address) is served in turn with
 * other keys, `signal` (its connection closing) drops it while it waits,
 * `maxQueuedForKey` bounds what one key may have waiting, and `waits` is told
 * how long it waited for its slot.
 */
export type HashRequester = AcquireOptions & { waits?: WaitTally };

interface ParsedHash {
  cost: ScryptCost;
  salt: Buffer;
  hash: Buffer;
}

function scryptAsync(password: string, salt: Buffer, cost: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = { N: cost.N, r: cost.r, p: cost.p, maxmem: 256 * cost.N * cost.r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

function isPowerOfTwo(value: number): boolean {
  return Number.isSafeInteger(value) && value > 1 && (value & (value - 1)) === 0;
}

export function parseStoredHash(stored: string): ParsedHash | undefined {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return undefined;
  const [N, r, p] = parts.slice(1, 4).map(Number);
  if (N === undefined || r === undefined || p === undefined) return undefined;
  if (!isPowerOfTwo(N) || N > MAX_STORED_COST.N) return undefined;
  if (!Number.isSafeInteger(r) || r < 1 || r > MAX_STORED_COST.r) return undefined;
  if (!Number.isSafeInteger(p) || p < 1 || p > MAX_STORED_COST.p) return undefined;
  const salt = Buffer.from(parts[4]!, 'base64');
  const hash = Buffer.from(parts[5]!, 'base64');
  if (salt.length === 0 || hash.length !== KEY_BYTES) return undefined;
  return { cost: { N, r, p }, salt, hash };
}

function format(cost: ScryptCost, salt: Buffer, hash: Buffer): string {
  return `scrypt$${cost.N}$${cost.r}$${cost.p}$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export class PasswordHasher {
  private readonly cost: ScryptCost;
  private readonly slots: Semaphore;
  /** Verified against when the user does not exist, so that takes the same time. */
  private readonly dummy: ParsedHash;
  private readonly onWait: (seconds: number) => void;

  constructor(options: PasswordHasherOptions = {}) {
    this.cost = options.cost ?? DEFAULT_SCRYPT_COST;
    this.slots = new Semaphore(options.maxConcurrent ?? 2, options.maxQueued ?? 1000);
    this.dummy = { cost: this.cost, salt: randomBytes(SALT_BYTES), hash: randomBytes(KEY_BYTES) };
    this.onWait = options.onWait ?? (() => undefined);
  }

  /** Most scrypt computations that ran at once (for tests). */
  get peakConcurrent(): number {
    return this.slots.peak;
  }

  /** Tasks waiting for a hashing slot now (for tests). */
  get queued(): number {
    return this.slots.queued;
  }

  async hash(password: string, requester: HashRequester = {}): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const hash = await this.derive(password, salt, this.cost, requester);
    return format(this.cost, salt, hash);
  }

  /**
   * Whether `password` matches `stored`. An unknown user (`undefined`) or a
   * malformed stored hash is checked against a dummy hash and gives false.
   */
  async verify(password: string, stored: string | undefined, requester: HashRequester = {}): Promise<boolean> {
    const parsed = stored === undefined ? undefined : parseStoredHash(stored);
    const target = parsed ?? this.dummy;
    const derived = await this.derive(password, target.salt, target.cost, requester);
    return timingSafeEqual(derived, target.hash) && parsed !== undefined;
  }

  /** Whether `stored` was made with other parameters than the current ones. */
  needsRehash(stored: string): boolean {
    const parsed = parseStoredHash(stored);
    return parsed === undefined || parsed.cost.N !== this.cost.N || parsed.cost.r !== this.cost.r || parsed.cost.p !== this.cost.p;
  }

  private async derive(password: string, salt: Buffer, cost: ScryptCost, requester: HashRequester): Promise<Buffer> {
    const slot = this.slots.tryAcquire(requester);
    if (slot === undefined) throw new HashQueueFullError('too many password checks waiting');
    const queuedAt = performance.now();
    requester.waits?.started(queuedAt);
    let release;
    try {
      release = await slot;
    } finally {
      requester.waits?.ended();
    }
    this.onWait((performance.now() - queuedAt) / 1000);
    try {
      return await scryptAsync(password, salt, cost);
    } finally {
      release();
    }
  }
}
