/** Reads typed fields from one frame body (`unknown` values); every failure is a ProtocolError carrying the request's id. */
import { type ErrorCode, ProtocolError } from './errors.js';
import type { FrameBody } from './frame.js';
import { MAX_PASSWORD_BYTES, MAX_REASON_BYTES, MAX_TEXT_BYTES } from './limits.js';
import { isValidName, NAME_RULE } from './names.js';

/** C0 controls except tab and newline, DEL, and C1 controls. */
const FORBIDDEN_TEXT_CHARS = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Why `text` breaks the protocol's text rule, or undefined when it does not. */
export function textProblem(text: string): string | undefined {
  if (text.length === 0) return 'text is empty';
  if (Buffer.byteLength(text, 'utf8') > MAX_TEXT_BYTES) return `text is over ${MAX_TEXT_BYTES} bytes`;
  if (FORBIDDEN_TEXT_CHARS.test(text)) return 'text holds a control character';
  return undefined;
}

function isUint(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

/** Reads typed fields from one body; failures carry the request's id. */
export class FieldReader {
  constructor(private readonly body: FrameBody, private readonly id: number | undefined) {}

  fail(code: ErrorCode, message: string): never {
    throw new ProtocolError(code, message, { id: this.id });
  }

  string(key: string): string {
    const value = this.body[key];
    if (typeof value !== 'string') this.fail('bad_message', `'${key}' must be a string`);
    return value;
  }

  /** A name field; a malformed name fails with `code`. */
  name(key: string, code: ErrorCode): string {
    const value = this.string(key);
    if (!isValidName(value)) this.fail(code, `'${key}' must be ${NAME_RULE}`);
    return value;
  }

  /** An optional name field (absent or null: undefined); a malformed one is `bad_message`. */
  optionalName(key: string): string | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    return this.name(key, 'bad_message');
  }

  /** Whether the body has `key` at all (null included). */
  has(key: string): boolean {
    return Object.hasOwn(this.body, key);
  }

  optionalString(key: string): string | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    return this.string(key);
  }

  optionalBoolean(key: string): boolean | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    return this.boolean(key);
  }

  /** An optional reason (`disable_user`): text of at most MAX_REASON_BYTES; absent, null or empty: none. */
  optionalReason(key: string): string | undefined {
    const value = this.body[key];
    if (value === undefined || value === null || value === '') return undefined;
    const text = this.text(key);
    if (Buffer.byteLength(text, 'utf8') > MAX_REASON_BYTES) this.fail('bad_message', `'${key}' is over ${MAX_REASON_BYTES} bytes`);
    return text;
  }

  text(key: string): string {
    const value = this.string(key);
    const problem = textProblem(value);
    if (problem !== undefined) this.fail('bad_message', problem);
    return value;
  }

  password(key: string, minBytes: number): string {
    const value = this.string(key);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_PASSWORD_BYTES) this.fail('bad_message', `'${key}' is over ${MAX_PASSWORD_BYTES} bytes`);
    if (bytes < minBytes) this.fail('weak_password', `password must be at least ${minBytes} bytes`);
    return value;
  }

  optionalUint(key: string, min = 0, max = Number.MAX_SAFE_INTEGER): number | undefined {
    const value = this.body[key];
    if (value === undefined || value === null) return undefined;
    if (!isUint(value) || value < min || value > max) {
      this.fail('bad_message', `'${key}' must be an integer from ${min} to ${max}`);
    }
    return value;
  }

  uint(key: string): number {
    const value = this.optionalUint(key);
    if (value === undefined) this.fail('bad_message', `'${key}' is required`);
    return value;
  }

  boolean(key: string): boolean {
    const value = this.body[key];
    if (typeof value !== 'boolean') this.fail('bad_message', `'${key}' must be a boolean`);
    return value;
  }

  list<T>(key: string, item: (value: unknown, reader: FieldReader) => T): T[] {
    const value = this.body[key];
    if (!Array.isArray(value)) this.fail('bad_message', `'${key}' must be an array`);
    return value.map((entry) => item(entry, this));
  }

  nested(value: unknown): FieldReader {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail('bad_message', 'expected a map');
    }
    return new FieldReader(value as FrameBody, this.id);
  }
}

