/**
 * Encodes one message as one frame (`[u32 BE length][MessagePack map]`) in a
 * single pass into a reused scratch buffer, then copies the frame out once.
 *
 * It writes what @msgpack/msgpack writes for the same value with
 * `ignoreUndefined` (the same bytes: smallest integer and string headers,
 * float64 for non-integers, map entries in key order, undefined entries of a
 * map left out), for the values messages are made of: maps, arrays, strings,
 * numbers, booleans, null and byte arrays. It is here because the frame
 * prefix can be written in place and short ASCII strings (names, keys) need
 * no length count before they are written. Anything else throws TypeError.
 */

const INITIAL_BYTES = 4096;
/** Strings up to this many UTF-16 units are tried as ASCII in JavaScript. */
const SHORT_STRING_UNITS = 32;

export class BodyEncoder {
  private bytes: Buffer = Buffer.allocUnsafeSlow(INITIAL_BYTES);
  private pos = 0;

  /** The frame holding `message`; the returned Buffer is the caller's to keep. */
  encodeFrame(message: object): Buffer {
    this.pos = 4;
    this.value(message);
    const bytes = this.bytes;
    const total = this.pos;
    const length = total - 4;
    bytes[0] = length >>> 24;
    bytes[1] = (length >>> 16) & 0xff;
    bytes[2] = (length >>> 8) & 0xff;
    bytes[3] = length & 0xff;
    const frame = Buffer.allocUnsafe(total);
    bytes.copy(frame, 0, 0, total);
    return frame;
  }

  private ensure(count: number): void {
    if (this.pos + count <= this.bytes.length) return;
    const grown = Buffer.allocUnsafeSlow(Math.max(this.bytes.length * 2, this.pos + count));
    this.bytes.copy(grown, 0, 0, this.pos);
    this.bytes = grown;
  }

  private value(value: unknown): void {
    switch (typeof value) {
      case 'string': return this.string(value);
      case 'number': return this.number(value);
      case 'boolean': return this.byte(value ? 0xc3 : 0xc2);
      case 'undefined': return this.byte(0xc0);
      case 'object':
        if (value === null) return this.byte(0xc0);
        if (Array.isArray(value)) return this.array(value);
        if (value instanceof Uint8Array) return this.binary(value);
        return this.map(value as Record<string, unknown>);
      default: throw new TypeError(`cannot encode a value of type ${typeof value}`);
    }
  }

  private byte(head: number): void {
    this.ensure(1);
    this.bytes[this.pos++] = head;
  }

  private head8(head: number, size: number): void {
    this.ensure(2);
    const { bytes, pos } = this;
    bytes[pos] = head;
    bytes[pos + 1] = size;
    this.pos = pos + 2;
  }

  private head16(head: number, size: number): void {
    this.ensure(3);
    const { bytes, pos } = this;
    bytes[pos] = head;
    bytes[pos + 1] = size >>> 8;
    bytes[pos + 2] = size & 0xff;
    this.pos = pos + 3;
  }

  private head32(head: number, size: number): void {
    this.ensure(5);
    const { bytes, pos } = this;
    bytes[pos] = head;
    bytes.writeUInt32BE(size >>> 0, pos + 1);
    this.pos = pos + 5;
  }

  private number(value: number): void {
    if (!Number.isSafeInteger(value)) {
      this.ensure(9);
      this.bytes[this.pos] = 0xcb;
      this.bytes.writeDoubleBE(value, this.pos + 1);
      this.pos += 9;
      return;
    }
    if (value >= 0) {
      if (value < 0x80) return this.byte(value);
      if (value < 0x100) return this.head8(0xcc, value);
      if (value < 0x10000) return this.head16(0xcd, value);
      if (value < 0x100000000) return this.head32(0xce, value);
      return this.int64(0xcf, value);
    }
    if (value >= -0x20) return this.byte(value & 0xff);
    if (value >= -0x80) return this.head8(0xd0, value & 0xff);
    if (value >= -0x8000) return this.head16(0xd1, value & 0xffff);
    if (value >= -0x80000000) return this.head32(0xd2, value);
    return this.int64(0xd3, value);
  }

  private int64(head: number, value: number): void {
    this.ensure(9);
    this.bytes[this.pos] = head;
    this.bytes.writeBigInt64BE(BigInt(value), this.pos + 1);
    this.pos += 9;
  }

  private string(value: string): void {
    const units = value.length;
    if (units < SHORT_STRING_UNITS) {
      this.ensure(1 + units);
      const { bytes, pos } = this;
      let i = 0;
      for (; i < units; i++) {
        const unit = value.charCodeAt(i);
        if (unit >= 0x80) break;
        bytes[pos + 1 + i] = unit;
      }
      if (i === units) {
        bytes[pos] = 0xa0 | units;
        this.pos = pos + 1 + units;
        return;
      }
    }
    const length = Buffer.byteLength(value, 'utf8');
    if (length < 32) this.byte(0xa0 | length);
    else if (length < 0x100) this.head8(0xd9, length);
    else if (length < 0x10000) this.head16(0xda, length);
    else this.head32(0xdb, length);
    this.ensure(length);
    this.pos += this.bytes.write(value, this.pos, length, 'utf8');
  }

  private binary(value: Uint8Array): void {
    const length = value.length;
    if (length < 0x100) this.head8(0xc4, length);
    else if (length < 0x10000) this.head16(0xc5, length);
    else this.head32(0xc6, length);
    this.ensure(length);
    this.bytes.set(value, this.pos);
    this.pos += length;
  }

  private array(value: unknown[]): void {
    const size = value.length;
    if (size < 16) this.byte(0x90 | size);
    else if (size < 0x10000) this.head16(0xdc, size);
    else this.head32(0xdd, size);
    for (let i = 0; i < size; i++) this.value(value[i]);
  }

  private map(value: Record<string, unknown>): void {
    const keys = Object.keys(value);
    let size = 0;
    for (let i = 0; i < keys.length; i++) if (value[keys[i]!] !== undefined) size += 1;
    if (size < 16) this.byte(0x80 | size);
    else if (size < 0x10000) this.head16(0xde, size);
    else this.head32(0xdf, size);
    for (let i = 0; i < keys.length; i++) {
      const key = keys[i]!;
      const item = value[key];
      if (item === undefined) continue;
      this.string(key);
      this.value(item);
    }
  }
}
