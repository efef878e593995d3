/**
 * Every number a client can push against, with the defaults the server flags
 * list (README.md, "Server flags"). Nothing else in src/ holds a bare limit: components take
 * the relevant fields through their options.
 */
export interface Limits {
  /** Largest frame body accepted or sent, in bytes (`--max-frame`). */
  maxFrame: number;
  /** Connections beyond this get `server_busy` (`--max-connections`). */
  maxConnections: number;
  /** `say`/`dm` per second per connection; bursts of twice that. 0 = off (`--rate-limit`). */
  rateLimit: number;
  /** Milliseconds a connection may stay unauthenticated (`--auth-timeout`). */
  authTimeoutMs: number;
  /** Milliseconds without any frame from a client before it is closed (`--idle-timeout`). */
  idleTimeoutMs: number;
  /** Milliseconds a TLS handshake may take. */
  handshakeTimeoutMs: number;
  /** TLS handshakes the server starts per event-loop turn at most; the others wait for the next turns (a reconnect storm). 0 = unpaced. */
  handshakesPerTurn: number;
  /** Unsent output bytes beyond which a connection is a slow consumer. */
  maxPendingOutput: number;
  /** Failed logins on one connection before `too_many_attempts` closes it. */
  maxLoginFailures: number;
  /** `join`, `history`, `who` and `list_groups` per second per connection, bursts of twice that; beyond it the server reads that connection more slowly. 0 = off (`--query-rate`). */
  queryRate: number;
  /** Groups the server holds; `create_group` beyond it gets `limit_reached` (`--max-groups`). */
  maxGroups: number;
  /** Connections at once from one address (an IPv6 /64 counts as one); more get `server_busy` (`--max-per-ip`). */
  maxPerIp: number;
  /** CIDR ranges that the per-address limits do not apply to (`--ip-limit-exempt`; empty for `none`). */
  ipLimitExempt: readonly string[];
  /** Accounts one address may create per `registerWindowMs`; more get `rate_limited`. 0 = no limit (`--register-rate`). */
  registerRate: number;
  registerWindowMs: number;
  /** Password hashes one (not exempt) address may have waiting for a slot; more get `unavailable`. */
  maxHashesQueuedPerIp: number;
  /** Groups one account may create per hour, all at once at most; 0 = off (`--create-rate`). Counted per server node, in memory. */
  createRatePerHour: number;
  /** Groups one account may have created (and that still exist); `create_group` beyond it gets `limit_reached` (`--max-groups-per-user`). */
  maxGroupsPerUser: number;
  /** Above this many members in a group, presence events for it stop (clients use `who`) (`--presence-max-members`). */
  presenceMaxMembers: number;
  /** Groups one connection may be in at once; a `join` with `keep` beyond it gets `limit_reached` (`--max-open-groups`, January addition). */
  maxOpenGroups: number;
  /** Milliseconds a resume token (an addition) signs in after its connection closed; pushed back every quarter of it while the connection is open. */
  resumeTokenLifetimeMs: number;
}

export const PROTOCOL_VERSION = 1;
export const ALPN_PROTOCOL = 'termsender/1';
export const DEFAULT_PORT = 9999;

export const MAX_TEXT_BYTES = 4096;
export const MIN_PASSWORD_BYTES = 8;
/** Longer passwords are `bad_message`: hashing cost must not be client-controlled. */
export const MAX_PASSWORD_BYTES = 1024;
/** Longest `resume_token` a `login` may carry (an addition; the server's are 43 characters of base64url). */
export const MAX_RESUME_TOKEN_LENGTH = 128;
/** Longest `reason` of `disable_user` (an addition), in bytes; it is text otherwise. */
export const MAX_REASON_BYTES = 300;
/** Longest group `topic` (December additions), in bytes; empty means none. */
export const MAX_TOPIC_BYTES = 300;
/** Largest frame body the protocol allows a server to announce (a u32 length). */
export const MAX_FRAME_CEILING = 0xffff_ffff;
/** Ids are unsigned integers below 2^32. */
export const MAX_REQUEST_ID = 0xffff_ffff;

export const HISTORY_DEFAULT_LIMIT = 50;
export const HISTORY_MAX_LIMIT = 200;
/** `join` with `since` returns at most this many messages (then `more: true`). */
export const SINCE_MAX_MESSAGES = 1000;
/** `conversations` returns at most this many per page (January addition; then `more: true`). */
export const CONVERSATIONS_PAGE = 100;
/** Users one account may block; `block` past it gets `limit_reached` (January addition). */
export const MAX_BLOCKED_USERS = 1000;
/** `join` without `since` returns the last this-many messages. */
export const JOIN_HISTORY_MESSAGES = 50;

export const DEFAULT_LIMITS: Readonly<Limits> = Object.freeze({
  maxFrame: 65_536,
  maxConnections: 10_000,
  rateLimit: 20,
  authTimeoutMs: 30_000,
  idleTimeoutMs: 300_000,
  handshakeTimeoutMs: 10_000,
  /** Off: measured in reconnect storms, 4 a turn slowed the return and did not lower the bystander's p99 (docs/performance.md). */
  handshakesPerTurn: 0,
  maxPendingOutput: 4 * 1024 * 1024,
  maxLoginFailures: 5,
  maxGroups: 10_000,
  createRatePerHour: 10,
  maxGroupsPerUser: 100,
  presenceMaxMembers: 500,
  maxOpenGroups: 100,
  resumeTokenLifetimeMs: 60 * 60_000,
  queryRate: 200,
  maxPerIp: 16,
  ipLimitExempt: Object.freeze(['127.0.0.0/8', '::1']),
  registerRate: 3,
  registerWindowMs: 10 * 60_000,
  maxHashesQueuedPerIp: 4,
});
