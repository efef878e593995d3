/**
 * Finds MessagePack strings that are not valid UTF-8.
 *
 * @msgpack/msgpack decodes short strings leniently (an overlong or truncated
 * sequence becomes some other character without complaint), while the protocol
 * requires every string to be valid UTF-8. This walks a body that the library
 * has already decoded successfully, so its structure is known to be sound, and
 * checks each string's bytes. Containers need no recursion: MessagePack writes
 * a container's items right after its header, so visiting headers in order
 * visits everything.
 */
import { isUtf8 } from 'node:buffer';

/** Strings at least this long go straight to the native (SIMD) validator. */
const NATIVE_CHECK_BYTES = 24;

const u16 = (bytes: Uint8Array, at: number): number => (bytes[at]! << 8) | bytes[at + 1]!;
const u32 = (bytes: Uint8Array, at: number): number => ((bytes[at]! << 24) >>> 0) + ((bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!);

/** True when every str (key or value) in the encoded body is valid UTF-8. */
export function stringsAreUtf8(body: Uint8Array): boolean {
  let pos = 0;
  const end = body.length;
  while (pos < end) {
    const head = body[pos++]!;
    if (head <= 0x9f || head >= 0xe0 || (head >= 0xc0 && head <= 0xc3)) continue; // ints, fixmap/array, nil, bools
    let strLength: number;
    if (head <= 0xbf) strLength = head & 0x1f;
    else if (head === 0xd9) strLength = body[pos++]!;
    else if (head === 0xda) {
      strLength = u16(body, pos);
      pos += 2;
    } else if (head === 0xdb) {
      strLength = u32(body, pos);
      pos += 4;
    } else {
      pos += payloadSkip(head, body, pos);
      continue;
    }
    if (!isUtf8Range(body, pos, strLength)) return false;
    pos += strLength;
  }
  return true;
}

function isUtf8Range(bytes: Uint8Array, start: number, length: number): boolean {
  if (length < NATIVE_CHECK_BYTES) {
    const end = start + length;
    let i = start;
    while (i < end && bytes[i]! < 0x80) i++;
    if (i === end) return true;
  }
  // A plain view: cheaper to make than a Buffer's subarray.
  return isUtf8(new Uint8Array(bytes.buffer, bytes.byteOffset + start, length));
}

/** Bytes after the header byte of an element that is neither a string nor a fix-size scalar. */
function payloadSkip(head: number, body: Uint8Array, pos: number): number {
  switch (head) {
    case 0xc4: return 1 + body[pos]!; // bin 8
    case 0xc5: return 2 + u16(body, pos); // bin 16
    case 0xc6: return 4 + u32(body, pos); // bin 32
    case 0xc7: return 2 + body[pos]!; // ext 8 (+ type)
    case 0xc8: return 3 + u16(body, pos); // ext 16
    case 0xc9: return 5 + u32(body, pos); // ext 32
    case 0xca: return 4; // float 32
    case 0xcb: return 8; // float 64
    case 0xcc: case 0xd0: return 1;
    case 0xcd: case 0xd1: return 2;
    case 0xce: case 0xd2: return 4;
    case 0xcf: case 0xd3: return 8;
    case 0xd4: return 2; // fixext 1 (+ type)
    case 0xd5: return 3;
    case 0xd6: return 5;
    case 0xd7: return 9;
    case 0xd8: return 17;
    case 0xdc: case 0xde: return 2; // array 16, map 16: only the count
    case 0xdd: case 0xdf: return 4; // array 32, map 32
    default: return 0; // 0xc1 never decodes; the library rejected it already
  }
}
