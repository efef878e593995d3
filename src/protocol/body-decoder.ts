/**
 * Decodes one frame body (a MessagePack map) in a single pass that also
 * checks every string's UTF-8 exactly.
 *
 * @msgpack/msgpack decodes strings of up to 200 bytes leniently, so the frame
 * decoder used to walk each body a second time to validate them. Here the
 * check is the decoding itself: ASCII strings are read directly, and any
 * string holding other bytes goes through a fatal TextDecoder (the WHATWG
 * decoder, which rejects overlong forms, surrogates, truncated sequences and
 * code points above U+10FFFF). Map keys, a handful of names repeated in every
 * frame, come from a small cache instead of a new string each time.
 *
 * The body is read in place (a range of the buffer it arrived in): no view
 * of it is made. Everything returned is copied out of it, `bin` and `ext`
 * values included, so the buffer may be reused once `decode` returns.
 *
 * What it accepts is what the protocol says a body is (docs/protocol.md,
 * "Framing"): one map with string keys, no `__proto__` key, nothing after it,
 * containers nested at most MAX_DEPTH deep. Anything else throws
 * BodyDecodeError; a string that is not valid UTF-8 does not throw but is
 * reported (`utf8Valid`) once the whole body is read, so the request's id is
 * known.
 */

/** Containers nested deeper than this make a body unreadable (no message nests more than 2). */
export const MAX_DEPTH = 64;

/** Strings up to this many bytes are decoded in JavaScript; longer ones natively. */
const SHORT_STRING_BYTES = 24;
/** Map keys up to this many bytes are cached. */
const KEY_CACHE_MAX_BYTES = 16;
const KEY_CACHE_SLOTS = 512;

export class BodyDecodeError extends Error {}

/** Buffer's own latin1 slicer (what `toString('latin1', start, end)` ends in, without its argument checks). */
type LatinSliceable = Buffer & { latin1Slice?: (start: number, end: number) => string };
const latin1: (bytes: Buffer, start: number, end: number) => string = typeof (Buffer.prototype as LatinSliceable).latin1Slice === 'function'
  ? (bytes, start, end) => (bytes as LatinSliceable).latin1Slice!(start, end)
  : (bytes, start, end) => bytes.toString('latin1', start, end);

const fatalUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const lenientUtf8 = new TextDecoder('utf-8', { ignoreBOM: true });

/** Direct-mapped cache of short ASCII map keys: slot → [bytes, string]. */
const keyBytes: Array<Uint8Array | undefined> = new Array<Uint8Array | undefined>(KEY_CACHE_SLOTS).fill(undefined);
const keyStrings: string[] = new Array<string>(KEY_CACHE_SLOTS).fill('');

function sameBytes(cached: Uint8Array, bytes: Buffer, start: number, length: number): boolean {
  if (cached.length !== length) return false;
  for (let i = 0; i < length; i++) if (cached[i] !== bytes[start + i]) return false;
  return true;
}

export class BodyDecoder {
  private bytes: Buffer = Buffer.alloc(0);
  private pos = 0;
  private end = 0;
  /** After decode: false when some string (key or value) of the body is not valid UTF-8. */
  utf8Valid = true;

  /** Decodes `bytes[start, end)`, which must hold exactly one map. */
  decode(bytes: Buffer, start: number, end: number): Record<string, unknown> {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
    this.utf8Valid = true;
    try {
      if (start >= end) throw new BodyDecodeError('empty body');
      const head = bytes[start]!;
      if (!((head >= 0x80 && head <= 0x8f) || head === 0xde || head === 0xdf)) throw new BodyDecodeError('the body is not a map');
      const body = this.value(0) as Record<string, unknown>;
      if (this.pos !== end) throw new BodyDecodeError(`${end - this.pos} byte(s) after the map`);
      return body;
    } finally {
      this.bytes = EMPTY;
    }
  }

  private need(count: number): void {
    if (this.end - this.pos < count) throw new BodyDecodeError('the body ends inside a value');
  }

  private u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }

  private u16(): number {
    this.need(2);
    const { bytes, pos } = this;
    this.pos = pos + 2;
    return (bytes[pos]! << 8) | bytes[pos + 1]!;
  }

  private u32(): number {
    this.need(4);
    const { bytes, pos } = this;
    this.pos = pos + 4;
    return bytes[pos]! * 0x1000000 + ((bytes[pos + 1]! << 16) | (bytes[pos + 2]! << 8) | bytes[pos + 3]!);
  }

  private value(depth: number): unknown {
    this.need(1);
    const head = this.bytes[this.pos++]!;
    if (head <= 0x7f) return head;
    if (head >= 0xe0) return head - 0x100;
    if (head >= 0xa0 && head <= 0xbf) return this.string(head & 0x1f);
    if (head <= 0x8f) return this.map(head & 0x0f, depth);
    if (head <= 0x9f) return this.array(head & 0x0f, depth);
    const { bytes } = this;
    switch (head) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return this.binary(this.u8());
      case 0xc5: return this.binary(this.u16());
      case 0xc6: return this.binary(this.u32());
      case 0xc7: return this.binary(1 + this.u8()); // ext: type byte and data, opaque
      case 0xc8: return this.binary(1 + this.u16());
      case 0xc9: return this.binary(1 + this.u32());
      case 0xca: this.need(4); this.pos += 4; return bytes.readFloatBE(this.pos - 4);
      case 0xcb: this.need(8); this.pos += 8; return bytes.readDoubleBE(this.pos - 8);
      case 0xcc: return this.u8();
      case 0xcd: return this.u16();
      case 0xce: return this.u32();
      case 0xcf: { const high = this.u32(); return high * 0x100000000 + this.u32(); }
      case 0xd0: { const v = this.u8(); return v >= 0x80 ? v - 0x100 : v; }
      case 0xd1: { const v = this.u16(); return v >= 0x8000 ? v - 0x10000 : v; }
      case 0xd2: { const v = this.u32(); return v >= 0x80000000 ? v - 0x100000000 : v; }
      case 0xd3: { const high = this.u32(); const low = this.u32(); return (high >= 0x80000000 ? high - 0x100000000 : high) * 0x100000000 + low; }
      case 0xd4: return this.binary(2); // fixext 1..16
      case 0xd5: return this.binary(3);
      case 0xd6: return this.binary(5);
      case 0xd7: return this.binary(9);
      case 0xd8: return this.binary(17);
      case 0xd9: return this.string(this.u8());
      case 0xda: return this.string(this.u16());
      case 0xdb: return this.string(this.u32());
      case 0xdc: return this.array(this.u16(), depth);
      case 0xdd: return this.array(this.u32(), depth);
      case 0xde: return this.map(this.u16(), depth);
      case 0xdf: return this.map(this.u32(), depth);
      default: throw new BodyDecodeError(`byte 0x${head.toString(16)} is never used in MessagePack`);
    }
  }

  private map(size: number, depth: number): Record<string, unknown> {
    if (depth >= MAX_DEPTH) throw new BodyDecodeError(`containers nested more than ${MAX_DEPTH} deep`);
    if (size * 2 > this.end - this.pos) throw new BodyDecodeError('the body ends inside a map');
    const map: Record<string, unknown> = {};
    for (let i = 0; i < size; i++) {
      const key = this.key();
      map[key] = this.value(depth + 1);
    }
    return map;
  }

  private array(size: number, depth: number): unknown[] {
    if (depth >= MAX_DEPTH) throw new BodyDecodeError(`containers nested more than ${MAX_DEPTH} deep`);
    if (size > this.end - this.pos) throw new BodyDecodeError('the body ends inside an array');
    const array = new Array<unknown>(size);
    for (let i = 0; i < size; i++) array[i] = this.value(depth + 1);
    return array;
  }

  private key(): string {
    this.need(1);
    const head = this.bytes[this.pos++]!;
    let length: number;
    if (head >= 0xa0 && head <= 0xbf) length = head & 0x1f;
    else if (head === 0xd9) length = this.u8();
    else if (head === 0xda) length = this.u16();
    else if (head === 0xdb) length = this.u32();
    else throw new BodyDecodeError('a map key is not a string');
    const key = length <= KEY_CACHE_MAX_BYTES ? this.cachedKey(length) : this.string(length);
    if (key === '__proto__') throw new BodyDecodeError('the key __proto__ is not allowed');
    return key;
  }

  /** A short key: from the cache when these bytes were seen before (ASCII only). */
  private cachedKey(length: number): string {
    this.need(length);
    const { bytes, pos } = this;
    let hash = length;
    for (let i = 0; i < length; i++) {
      const byte = bytes[pos + i]!;
      if (byte >= 0x80) return this.string(length);
      hash = (Math.imul(hash, 31) + byte) | 0;
    }
    const slot = (hash ^ (hash >>> 9)) & (KEY_CACHE_SLOTS - 1);
    const cached = keyBytes[slot];
    if (cached !== undefined && sameBytes(cached, bytes, pos, length)) {
      this.pos = pos + length;
      return keyStrings[slot]!;
    }
    const key = latin1(bytes, pos, pos + length);
    keyBytes[slot] = Uint8Array.prototype.slice.call(bytes, pos, pos + length);
    keyStrings[slot] = key;
    this.pos = pos + length;
    return key;
  }

  private string(length: number): string {
    this.need(length);
    const { bytes, pos } = this;
    const end = pos + length;
    this.pos = end;
    if (length <= SHORT_STRING_BYTES) {
      let i = pos;
      while (i < end && bytes[i]! < 0x80) i++;
      if (i === end) return latin1(bytes, pos, end);
    }
    const view = new Uint8Array(bytes.buffer, bytes.byteOffset + pos, length);
    try {
      return fatalUtf8.decode(view);
    } catch {
      this.utf8Valid = false;
      return lenientUtf8.decode(view);
    }
  }

  /** `bin` and `ext` (no message uses them): an opaque copy of the bytes. */
  private binary(length: number): Uint8Array {
    this.need(length);
    const copy = Uint8Array.prototype.slice.call(this.bytes, this.pos, this.pos + length);
    this.pos += length;
    return copy;
  }
}

const EMPTY = Buffer.alloc(0);
