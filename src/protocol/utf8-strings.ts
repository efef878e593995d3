/**
 * Exact UTF-8 for the strings of a body decoded by @msgpack/msgpack, checked
 * while they are made, in one pass.
 *
 * The library decodes strings of up to 200 bytes leniently (an overlong or
 * truncated sequence becomes some other character without complaint), while
 * the protocol requires every string to be valid UTF-8. So the frame decoder
 * asks the library for:
 * - map keys through `Utf8KeyDecoder` (the library's `keyDecoder` option, given
 *   every key whatever its length): a cache of keys seen before, and a strict
 *   check of each new one;
 * - string values raw (`rawStrings`: a view of the body's bytes, decoded
 *   nowhere), which `settleStrings` then turns into strings once, checking them.
 * A string that is not valid UTF-8 does not stop the decode: it is decoded
 * leniently and reported, so the caller can answer with the request's id.
 */
import { isAscii } from 'node:buffer';
import type { DecoderOptions } from '@msgpack/msgpack';

/** The library's KeyDecoder interface (not exported by name). */
type KeyDecoder = NonNullable<DecoderOptions['keyDecoder']>;

/**
 * Strings up to this many bytes are checked for ASCII in JavaScript (cheaper
 * than making the view a native check needs); longer ones natively (SIMD).
 */
const SHORT_STRING_BYTES = 256;
/** Keys up to this many bytes are cached. */
const KEY_CACHE_MAX_BYTES = 16;
/** Keys cached per byte length (the protocol has a dozen names; a hostile peer only churns the cache). */
const KEYS_PER_LENGTH = 16;

/**
 * Buffer's native slicers (what `toString('latin1' | 'utf8', start, end)` end
 * in, without the argument checks), which take any Uint8Array as `this`.
 */
type Slicer = (this: Uint8Array, start: number, end: number) => string;
const nativeSlicers = Buffer.prototype as unknown as { latin1Slice?: Slicer; utf8Slice?: Slicer };
const latin1Slice: Slicer = nativeSlicers.latin1Slice ?? function (this: Uint8Array, start, end) { return Buffer.from(this.buffer, this.byteOffset, this.length).toString('latin1', start, end); };
const utf8Slice: Slicer = nativeSlicers.utf8Slice ?? function (this: Uint8Array, start, end) { return Buffer.from(this.buffer, this.byteOffset, this.length).toString('utf8', start, end); };

/** What the last string made of raw bytes was: valid UTF-8 or not. */
let lastValid = true;

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * `bytes[start, start + length)` as a string; sets `lastValid`. ASCII (all a
 * chat usually holds) is copied out as Latin-1, the cheapest string V8 makes;
 * anything else goes through a fatal TextDecoder (the WHATWG decoder, which
 * rejects overlong forms, surrogates, truncated sequences and code points
 * above U+10FFFF), and when that throws, leniently.
 */
function utf8String(bytes: Uint8Array, start: number, length: number): string {
  const end = start + length;
  lastValid = true;
  if (length <= SHORT_STRING_BYTES) {
    let i = start;
    while (i < end && bytes[i]! < 0x80) i++;
    if (i === end) return latin1Slice.call(bytes, start, end);
  }
  const view = new Uint8Array(bytes.buffer, bytes.byteOffset + start, length);
  if (length > SHORT_STRING_BYTES && isAscii(view)) return latin1Slice.call(bytes, start, end);
  try {
    return fatalUtf8.decode(view);
  } catch {
    lastValid = false;
    return utf8Slice.call(bytes, start, end);
  }
}

interface CachedKey {
  readonly bytes: Uint8Array;
  readonly key: string;
}

/**
 * Map keys, each checked exactly: from a cache when its bytes were seen
 * before (only valid keys are cached), else decoded and checked.
 * `invalid` says whether a key since the last `reset` was not valid UTF-8.
 */
export class Utf8KeyDecoder implements KeyDecoder {
  invalid = false;
  private readonly cache: CachedKey[][] = Array.from({ length: KEY_CACHE_MAX_BYTES + 1 }, () => []);
  private evict = 0;

  reset(): void {
    this.invalid = false;
  }

  /** Every key comes here, so none is decoded leniently by the library. */
  canBeCached(): boolean {
    return true;
  }

  decode(bytes: Uint8Array, offset: number, length: number): string {
    if (length > KEY_CACHE_MAX_BYTES) return this.fresh(bytes, offset, length);
    const records = this.cache[length]!;
    search: for (let r = 0; r < records.length; r++) {
      const record = records[r]!;
      const cached = record.bytes;
      for (let i = 0; i < length; i++) if (cached[i] !== bytes[offset + i]) continue search;
      return record.key;
    }
    const key = this.fresh(bytes, offset, length);
    if (lastValid) {
      const record = { bytes: Uint8Array.prototype.slice.call(bytes, offset, offset + length), key };
      if (records.length < KEYS_PER_LENGTH) records.push(record);
      else records[(this.evict = (this.evict + 1) % KEYS_PER_LENGTH)] = record;
    }
    return key;
  }

  private fresh(bytes: Uint8Array, offset: number, length: number): string {
    const key = utf8String(bytes, offset, length);
    if (!lastValid) this.invalid = true;
    return key;
  }
}

/**
 * True when `length` bytes at `at` in `body` follow a MessagePack str header
 * of that length, i.e. they were a `str` and not a `bin` (with `rawStrings`
 * both come back as byte views). A bin header ends in its length bytes after
 * 0xc4–0xc6, which never equals a str header encoding the same length.
 */
function followsStrHeader(body: Uint8Array, at: number, length: number): boolean {
  return (length < 32 && at >= 1 && body[at - 1] === (0xa0 | length))
    || (at >= 2 && body[at - 2] === 0xd9 && body[at - 1] === length)
    || (at >= 3 && body[at - 3] === 0xda && ((body[at - 2]! << 8) | body[at - 1]!) === length)
    || (at >= 5 && body[at - 5] === 0xdb && body[at - 4]! * 0x1000000 + ((body[at - 3]! << 16) | (body[at - 2]! << 8) | body[at - 1]!) === length);
}

/**
 * A raw value as a string when it was a str (sets `lastValid`); a bin stays
 * bytes. The library's raw values are views of the body it decoded; one that
 * is not (some other library version) is left as bytes, so a string field
 * holding it fails validation rather than passing unchecked.
 */
function settle(raw: Uint8Array, body: Uint8Array): string | Uint8Array {
  if (raw.buffer !== body.buffer) return raw;
  const at = raw.byteOffset - body.byteOffset;
  if (!followsStrHeader(body, at, raw.length)) return raw;
  return utf8String(body, at, raw.length);
}

function isPlainContainer(value: object): value is Record<string, unknown> | unknown[] {
  return Array.isArray(value) || Object.getPrototypeOf(value) === Object.prototype;
}

/**
 * Turns the raw string values of `decoded` (decoded from `body` with
 * `rawStrings`) into strings, in place, through plain maps and arrays at any
 * depth (without recursion). Returns false when one was not valid UTF-8.
 */
export function settleStrings(decoded: Record<string, unknown>, body: Uint8Array): boolean {
  let valid = true;
  let nested: Array<Record<string, unknown> | unknown[]> | undefined;
  for (const key in decoded) {
    const value = decoded[key];
    if (typeof value !== 'object' || value === null) continue;
    if (value instanceof Uint8Array) {
      lastValid = true;
      decoded[key] = settle(value, body);
      valid &&= lastValid;
    } else if (isPlainContainer(value)) {
      (nested ??= []).push(value);
    }
  }
  if (nested !== undefined) valid = settleNested(nested, body) && valid;
  return valid;
}

function settleNested(nested: Array<Record<string, unknown> | unknown[]>, body: Uint8Array): boolean {
  let valid = true;
  const visit = (value: unknown): unknown => {
    if (typeof value !== 'object' || value === null) return value;
    if (value instanceof Uint8Array) {
      lastValid = true;
      const settled = settle(value, body);
      valid &&= lastValid;
      return settled;
    }
    if (isPlainContainer(value)) nested.push(value);
    return value;
  };
  for (let container = nested.pop(); container !== undefined; container = nested.pop()) {
    if (Array.isArray(container)) {
      for (let i = 0; i < container.length; i++) container[i] = visit(container[i]);
    } else {
      for (const key in container) container[key] = visit(container[key]);
    }
  }
  return valid;
}
