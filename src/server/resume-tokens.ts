/**
 * Resume tokens (an addition, docs/protocol.md "Resume tokens"): each sign-in
 * gets in `auth_ok` a random 256-bit token that signs the account in once,
 * instead of its password, so that thousands of clients coming back after a
 * restart cost a SHA-256 each rather than a scrypt each. The store keeps only
 * the token's SHA-256 (fine for a random token, never for a password), so a
 * token works on every node. A token lives `lifetimeMs` from its issue; while
 * the connection that got it is open its expiry is pushed back every quarter
 * of that, so it still signs in for at least three quarters of `lifetimeMs`
 * after that connection closed (a restart). Setting the account's password or
 * disabling it ends its tokens (the store does it); a token that signs in is
 * used up and the new `auth_ok` carries the next one.
 */
import { createHash, randomBytes } from 'node:crypto';
import { nameKey } from '../protocol/names.js';
import type { ResumeTokenStore } from '../store/resume-tokens.js';

const TOKEN_BYTES = 32;

function hashOf(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

export class ResumeTokens {
  /** Hashes of the tokens whose connections are open: their expiry is pushed back. */
  private readonly live = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly store: ResumeTokenStore, private readonly lifetimeMs: number, private readonly onError: (error: unknown) => void) {
    this.timer = setInterval(() => void this.extendLive(), Math.max(1, Math.floor(lifetimeMs / 4)));
    this.timer.unref();
  }

  /** A new token for `user`, kept alive while `signal` (its connection open) is not aborted. */
  async issue(user: string, signal: AbortSignal): Promise<string> {
    const token = randomBytes(TOKEN_BYTES).toString('base64url');
    const hash = hashOf(token);
    await this.store.save(user, hash, Date.now() + this.lifetimeMs);
    if (!signal.aborted) {
      this.live.add(hash);
      signal.addEventListener('abort', () => this.live.delete(hash), { once: true });
    }
    return token;
  }

  /** Whether `token` signs in `user` now; it is used up either way. */
  async redeem(user: string, token: string): Promise<boolean> {
    const owner = await this.store.take(hashOf(token), Date.now());
    return owner !== undefined && owner === nameKey(user);
  }

  /** Stops pushing expiries back (server shutdown). */
  close(): void {
    clearInterval(this.timer);
  }

  /** Also lets the store drop the expired tokens, whether or not any connection holds one. */
  private async extendLive(): Promise<void> {
    try {
      await this.store.extend([...this.live], Date.now() + this.lifetimeMs);
    } catch (error) {
      this.onError(error);
    }
  }
}
