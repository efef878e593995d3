/** The client's way to the server: a verified TLS connection (connect.ts) as a FrameLink. */
import { StreamFrameLink } from '../transport/stream-link.js';
import type { FrameLink } from '../transport/frame-link.js';
import { WriteBatcher } from '../transport/write-batcher.js';
import { PRE_WELCOME_MAX_FRAME } from './client.js';
import { connectVerified, type TlsOptions } from './connect.js';

/** One batcher for the process's connections (a client has one or two at a time). */
const writes = new WriteBatcher();

/** Connects and verifies the server (connect.ts); resolves with a link on which nothing has been written yet. */
export async function openTlsLink(tls: TlsOptions): Promise<FrameLink> {
  return new StreamFrameLink(await connectVerified(tls), writes, PRE_WELCOME_MAX_FRAME);
}
