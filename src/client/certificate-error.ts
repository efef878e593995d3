/** A certificate check that failed, and which one; shared by the TLS connection (connect.ts) and trust on first use. */
import type { X509Certificate } from 'node:crypto';

export type CertificateProblem =
  | 'untrusted' | 'name_mismatch' | 'fingerprint_mismatch' | 'expired' | 'not_yet_valid' | 'unreadable_file' | 'invalid_fingerprint'
  | 'fingerprint_changed' | 'unknown_server' | 'declined' | 'ca_verified_before';

export class CertificateError extends Error {
  override readonly name = 'CertificateError';
  constructor(readonly problem: CertificateProblem, message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Dates, for a certificate no CA check covered (a pin, a known server). */
export function checkDates(peer: X509Certificate): void {
  const now = Date.now();
  if (Date.parse(peer.validTo) < now) throw new CertificateError('expired', `certificate check failed: the server certificate has expired (on ${peer.validTo})`);
  if (Date.parse(peer.validFrom) > now) throw new CertificateError('not_yet_valid', 'certificate check failed: the server certificate is not valid yet');
}
