/** Error codes exactly as docs/protocol.md spells them, additions included. */
export const ERROR_CODES = [
  'frame_too_large',
  'bad_frame',
  'bad_message',
  'wrong_state',
  'invalid_name',
  'weak_password',
  'user_exists',
  'registration_closed',
  'auth_failed',
  'too_many_attempts',
  'auth_timeout',
  'no_such_group',
  'group_exists',
  'no_such_user',
  'offline',
  'rate_limited',
  'slow_consumer',
  'idle_timeout',
  'server_busy',
  'internal',
  // Addition (docs/protocol.md): the shared store is unreachable; try again later.
  'unavailable',
  // Addition (docs/protocol.md): a server-wide limit was reached (e.g. the number of groups).
  'limit_reached',
  // December additions (protocol.md): roles, moderation, disabled accounts.
  'not_allowed',
  'banned',
  'account_disabled',
  // January additions (protocol.md): removing a message.
  'no_such_message',
  // January addition (protocol.md): the recipient blocks the sender.
  'blocked',
  // January additions (protocol.md): several groups per connection.
  'not_in_group',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Whether the server closes the connection after sending this error. */
const CLOSES_CONNECTION: Readonly<Record<ErrorCode, boolean>> = {
  frame_too_large: true,
  bad_frame: true,
  bad_message: false,
  wrong_state: false,
  invalid_name: false,
  weak_password: false,
  user_exists: false,
  registration_closed: false,
  auth_failed: false,
  too_many_attempts: true,
  auth_timeout: true,
  no_such_group: false,
  group_exists: false,
  no_such_user: false,
  offline: false,
  rate_limited: false,
  slow_consumer: true,
  idle_timeout: true,
  server_busy: true,
  internal: false,
  unavailable: false,
  limit_reached: false,
  not_allowed: false,
  banned: false,
  account_disabled: true,
  no_such_message: false,
  blocked: false,
  not_in_group: false,
};

const CODE_SET: ReadonlySet<string> = new Set(ERROR_CODES);

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && CODE_SET.has(value);
}

export function closesConnection(code: ErrorCode): boolean {
  return CLOSES_CONNECTION[code];
}

export interface ProtocolErrorOptions {
  /** The request id this error answers, when known. */
  id?: number | undefined;
  cause?: unknown;
}

/** A failure with a protocol error code; the code decides whether it is fatal. */
export class ProtocolError extends Error {
  override readonly name = 'ProtocolError';
  readonly code: ErrorCode;
  readonly id: number | undefined;

  constructor(code: ErrorCode, message: string, options: ProtocolErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.id = options.id;
  }

  get fatal(): boolean {
    return closesConnection(this.code);
  }

  /** The same error, answering request `id`. */
  withId(id: number | undefined): ProtocolError {
    if (id === undefined || id === this.id) return this;
    return new ProtocolError(this.code, this.message, { id, cause: this.cause });
  }
}

/** The message of anything thrown: an Error's own message, otherwise its string form. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${JSON.stringify(value)}`);
}
