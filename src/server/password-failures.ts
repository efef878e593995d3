/**
 * Wrong passwords given on one connection, by `login` and `passwd` alike:
 * once `limit` of them were given, the next attempt (even a right one) is
 * `too_many_attempts`, which closes the connection. The login throttle slows
 * guessing across connections; this ends it on one.
 */
import { ProtocolError } from '../protocol/errors.js';

export class PasswordFailures {
  private count = 0;

  constructor(private readonly limit: number) {}

  /** Wrong passwords so far on this connection. */
  get failures(): number {
    return this.count;
  }

  /** @throws ProtocolError `too_many_attempts` once the limit was reached. */
  checkAttempt(): void {
    if (this.count >= this.limit) {
      throw new ProtocolError('too_many_attempts', `${this.count} wrong passwords on this connection`);
    }
  }

  record(): void {
    this.count += 1;
  }
}
