/** What request handlers may use: shared services, no sockets. */
import type { AccountMessage } from '../cluster/account-message.js';
import type { GroupEvent } from '../cluster/group-event.js';
import type { FrameEncoder } from '../protocol/frame.js';
import type { ChatMessage, DirectMessage, ErrorMessage, NoticeMessage, Reply, Request } from '../protocol/messages.js';
import type { Store } from '../store/store.js';
import type { AddressLimits, Peer } from './address-limits.js';
import type { ServerConfig } from './config.js';
import type { GroupCreationRate } from './creation-rate.js';
import type { Hub, HubMember } from './hub.js';
import type { Logger } from '../observe/logger.js';
import type { LoginThrottle } from './login-throttle.js';
import type { ServerMetrics } from '../observe/metrics.js';
import type { PasswordFailures } from './password-failures.js';
import type { PasswordHasher } from './passwords.js';
import type { ResumeTokens } from './resume-tokens.js';
import type { SessionState } from './session.js';
import type { WaitTally } from './wait-tally.js';

export interface ServerContext {
  config: ServerConfig;
  store: Store;
  hub: Hub;
  hasher: PasswordHasher;
  /** Issues and redeems resume tokens (resume-tokens.ts). */
  resumeTokens: ResumeTokens;
  throttle: LoginThrottle;
  /** Per-address connection counts and registration rate. */
  addresses: AddressLimits;
  /** Groups each account may still create now (`--create-rate`). */
  groupCreations: GroupCreationRate;
  logger: Logger;
  /** For sizing replies; sending is the connection's job. */
  encoder: FrameEncoder;
  /** Counts and latencies; always there, served only with `--metrics`. */
  metrics: ServerMetrics;
  /** Applies what the admin command changed behind the server (store-changes.ts); absent in tests without a listener. */
  storeChanges?: StoreChangeCheck;
}

/** See StoreChangeWatch. */
export interface StoreChangeCheck {
  /** Resolves once what the store's change mark shows now has been applied to this node's connections. */
  check(): Promise<void>;
  /**
   * `check`, for a request about to run: never fails, and waits at most
   * REQUEST_WAIT_MS (a store slow to answer does not hold requests that do not need it).
   */
  beforeRequest(): Promise<void>;
}

/** What a handler decided; only the session runner applies it. */
export interface Step {
  /** The next state; unchanged when absent. */
  state?: SessionState;
  /** The reply to the request (the runner adds its `id`). */
  reply?: Reply | ErrorMessage;
  /** A stored message for every other member of its group. */
  broadcast?: ChatMessage;
  /** A stored direct message for every connection of both sides (the sending one excepted). */
  direct?: DirectMessage;
  /** After the reply: every connection of this account (on every node) gets `account_disabled` with `message` and closes. */
  closeAccount?: { user: string; message: string };
  /** After the reply: a topic, kick or deletion for the group's live members (on every node). */
  groupEvent?: GroupEvent;
  /** After the reply: an admin's notice for every signed-in connection (on every node). */
  notice?: NoticeMessage;
  /** After the reply: each message to every connection of its account (on every node): a conversation's `message_deleted`. */
  accountMessages?: AccountMessage[];
  /** Close the connection cleanly after the reply (`bye`). */
  close?: true;
}

/** Who sent the request: `origin` tags what it stores, so its own message is not echoed back to it. */
export interface RequestSource {
  origin: string;
  /** The connection as the hub knows it (to hold live messages for its join). */
  member: HubMember;
  /** The client's address, as the per-address limits and the hashing queue see it. */
  peer: Peer;
  /** Aborted when the connection closes: work still waiting for it (a queued hash) is dropped. */
  signal: AbortSignal;
  /** Wrong passwords given on this connection (`login`, `passwd`). */
  passwordFailures: PasswordFailures;
  /** Told how long its password checks waited for a hashing slot (not counted against `--auth-timeout`). */
  hashWaits?: WaitTally;
}

export type Handler<R extends Request, S extends SessionState> = (request: R, session: S, context: ServerContext, source: RequestSource) => Promise<Step> | Step;
