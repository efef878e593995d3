/**
 * The package's client library (`termsender/client`): the ChatClient and
 * what it takes — a way to open a link (a verified TLS one here, or an
 * in-memory one) — and the errors it rejects with. docs/bot.md shows a bot.
 */
export type { DmHistoryPage, MessagePlace } from './model/requests.js';
export { ChatClient, type ChatClientEvents, type ChatClientOptions, type Credentials, GaveUpError, type Said, type SignedIn } from './model/chat-client.js';
export { openTlsLink } from './tls-link.js';
export { CertificateError, ConnectionError, type TlsOptions } from './connect.js';
export { ConnectionClosedError, ReplyTimeoutError, ServerBrokeProtocolError, type Unsolicited } from './client.js';
export { ProtocolError, type ErrorCode } from '../protocol/errors.js';
export type { FrameLink } from '../transport/frame-link.js';
export type * from '../protocol/messages.js';
