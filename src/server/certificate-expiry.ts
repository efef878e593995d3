/**
 * A certificate near its end: one warning line when the server starts, when
 * a reload brings another certificate, and once a day after, while fewer
 * than EXPIRY_WARNING_DAYS days are left.
 */
import type { Logger } from '../observe/logger.js';
import type { CertificateFacts } from './tls-context.js';

export const EXPIRY_WARNING_DAYS = 14;
const DAY_MS = 24 * 60 * 60 * 1000;

/** The warning for `certificate` at `now`, or undefined while it has EXPIRY_WARNING_DAYS days or more. */
export function expiryWarning(certificate: CertificateFacts, now: number): { message: string; daysLeft: number } | undefined {
  const left = certificate.notAfter.getTime() - now;
  if (left >= EXPIRY_WARNING_DAYS * DAY_MS) return undefined;
  const daysLeft = Math.floor(left / DAY_MS);
  return left <= 0
    ? { message: 'certificate has expired; clients refuse it (renew it, then kill -HUP the server)', daysLeft }
    : { message: `certificate expires within ${EXPIRY_WARNING_DAYS} days (renew it, then kill -HUP the server)`, daysLeft };
}

export class ExpiryWarnings {
  private current: CertificateFacts | undefined;
  private daily: NodeJS.Timeout | undefined;

  constructor(private readonly logger: Logger, private readonly now: () => number = Date.now) {}

  /** `certificate` is the one in use from now on: a warning now if it ends soon, and again each day. */
  watch(certificate: CertificateFacts): void {
    this.current = certificate;
    this.check();
    this.daily ??= setInterval(() => this.check(), DAY_MS).unref();
  }

  stop(): void {
    clearInterval(this.daily);
    this.daily = undefined;
  }

  private check(): void {
    if (this.current === undefined) return;
    const warning = expiryWarning(this.current, this.now());
    if (warning === undefined) return;
    this.logger.warn(warning.message, {
      expires: this.current.notAfter.toISOString(), days_left: warning.daysLeft, fingerprint: this.current.fingerprint,
    });
  }
}
