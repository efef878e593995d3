/**
 * Logins between their password check and their sign-in. An account closed
 * meanwhile (`disable_user`, on this node or another) is not yet among the
 * hub's signed-in connections, so its close would miss them: it revokes
 * their pending sign-in here instead. The login refuses when it sees the
 * revocation; a connection that signs in all the same is closed at once.
 */
import { nameKey, type NameKey } from '../protocol/names.js';
import type { HubMember } from './hub-member.js';

export interface SignInHold {
  /** The closing message when the account was closed after the hold began. */
  readonly revoked: string | undefined;
  /** Ends the hold (a login that failed). */
  release(): void;
}

interface Pending {
  userKey: NameKey;
  revoked: string | undefined;
}

export class PendingSignIns {
  /** Few at a time: a hold lasts from a correct password to the sign-in, a store read or two. */
  private readonly pending = new Map<HubMember, Pending>();

  /** Starts the hold of `member`'s sign-in as `user`; none for a connection already closing. */
  hold(member: HubMember, user: string, signal: AbortSignal): SignInHold {
    const entry: Pending = { userKey: nameKey(user), revoked: undefined };
    const release = (): void => {
      if (this.pending.get(member) === entry) this.pending.delete(member);
    };
    if (!signal.aborted) {
      this.pending.set(member, entry);
      signal.addEventListener('abort', release, { once: true });
    }
    return { get revoked() { return entry.revoked; }, release };
  }

  /** The account was closed: every pending sign-in as `user` is revoked. */
  revoke(user: string, message: string): void {
    const userKey = nameKey(user);
    for (const entry of this.pending.values()) if (entry.userKey === userKey) entry.revoked = message;
  }

  /** Ends `member`'s hold (it signs in); the closing message when it was revoked. */
  take(member: HubMember): string | undefined {
    const entry = this.pending.get(member);
    this.pending.delete(member);
    return entry?.revoked;
  }
}
