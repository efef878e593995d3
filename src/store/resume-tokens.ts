/**
 * Resume tokens (an addition): the short-lived credential a signed-in
 * connection gets in `auth_ok`, to sign in again without its password after a
 * drop (server/resume-tokens.ts). A store keeps only the SHA-256 of each token
 * (hex), never the token. Both stores keep them with the same semantics, so a
 * token works on every node of a cluster; the account store ends every token
 * of an account whose password is set (`passwd`, `reset_password`) or that is
 * disabled.
 */
import type { NameKey } from '../protocol/names.js';

export interface ResumeTokenStore {
  /** Keeps `tokenHash` as a way to sign in as `user` until `expiresAt` (ms since the epoch). */
  save(user: string, tokenHash: string, expiresAt: number): Promise<void>;
  /**
   * Takes `tokenHash` out (a token signs in once): the name key of its
   * account, or undefined when it is unknown, expired or revoked.
   */
  take(tokenHash: string, now: number): Promise<NameKey | undefined>;
  /** Moves the expiry of these tokens (their connections are still open) to `expiresAt`; gone ones stay gone. A store may drop the expired tokens here. */
  extend(tokenHashes: string[], expiresAt: number): Promise<void>;
}
