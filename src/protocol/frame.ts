/**
 * Framing: `[u32 BE length][one MessagePack map]`.
 *
 * `FrameEncoder` turns a message into one frame Buffer with a single copy.
 * `FrameReader` splits a byte stream into frame bodies, judging each length
 * prefix before buffering anything of the body. `FrameDecoder` adds the
 * MessagePack step. None of them knows about sockets.
 */
import { DecodeError, Decoder, Encoder } from '@msgpack/msgpack';
import { errorMessage, ProtocolError } from './errors.js';
import { MAX_REQUEST_ID } from './limits.js';
import { settleStrings, Utf8KeyDecoder } from './utf8-strings.js';

export const LENGTH_PREFIX_BYTES = 4;

/** A decoded frame body: a plain object with string keys, not yet validated. */
export type FrameBody = Record<string, unknown>;

/** The request id in `body`, when it is a valid one (an unsigned integer below 2^32). */
export function requestIdOf(body: FrameBody): number | undefined {
  const id = body['id'];
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0 && id <= MAX_REQUEST_ID ? id : undefined;
}

export class FrameEncoder {
  private readonly encoder = new Encoder({ ignoreUndefined: true, initialBufferSize: 4096 });

  /** One frame holding `message`. The returned Buffer is the caller's to keep. */
  encode(message: object): Buffer {
    const body = this.encoder.encodeSharedRef(message);
    const length = body.length;
    const frame = Buffer.allocUnsafe(LENGTH_PREFIX_BYTES + length);
    // Byte by byte: measurably cheaper than writeUInt32BE's checks on this hot path.
    frame[0] = length >>> 24;
    frame[1] = (length >>> 16) & 0xff;
    frame[2] = (length >>> 8) & 0xff;
    frame[3] = length & 0xff;
    frame.set(body, LENGTH_PREFIX_BYTES);
    return frame;
  }
}

/**
 * Splits a stream into frame bodies. Each byte is copied at most once: a body
 * that lies inside one chunk is returned as a view of it, and one that spans
 * chunks is gathered with a single allocation.
 */
export class FrameReader {
  private chunks: Buffer[] = [];
  /** Index of the first unread chunk in `chunks`. */
  private first = 0;
  /** Read offset inside `chunks[first]`. */
  private head = 0;
  private buffered = 0;
  /** Body length of the frame being read, or -1 while its prefix is incomplete. */
  private need = -1;
  private broken: ProtocolError | undefined;

  /**
   * @param gather Where a body that spans chunks is copied to; by default a
   *   new Buffer the caller may keep. FrameDecoder passes a reused buffer.
   */
  constructor(
    private maxFrame: number,
    private readonly gather: (size: number) => Uint8Array = (size) => Buffer.allocUnsafe(size),
  ) {}

  /**
   * Changes the largest body accepted, from the next length prefix on (a
   * frame whose prefix was already judged keeps that judgement). For a peer
   * that learns its limit from the stream: the client, from `welcome`.
   */
  setMaxFrame(maxFrame: number): void {
    this.maxFrame = maxFrame;
  }

  /** Bytes received but not yet returned as a body. */
  get pendingBytes(): number {
    return this.buffered;
  }

  push(chunk: Buffer): void {
    if (this.broken || chunk.length === 0) return;
    this.chunks.push(chunk);
    this.buffered += chunk.length;
  }

  /**
   * The next complete body, or undefined when more bytes are needed.
   * @throws ProtocolError `frame_too_large` for a length of 0 or over maxFrame;
   *   the reader then stays broken and yields nothing more.
   */
  next(): Buffer | undefined {
    const body = this.nextBytes();
    return body === undefined || Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.length);
  }

  /**
   * Like next, but a body inside one chunk comes as a plain Uint8Array view
   * (cheaper to make than a Buffer's subarray, and so are the views the
   * MessagePack decoder makes of it); one gathered is what `gather` gave.
   */
  nextBytes(): Uint8Array | undefined {
    if (this.broken) throw this.broken;
    if (this.need < 0) {
      if (this.buffered < LENGTH_PREFIX_BYTES) return undefined;
      const length = this.readPrefix();
      if (length === 0 || length > this.maxFrame) {
        this.broken = new ProtocolError(
          'frame_too_large',
          `frame length ${length} is outside 1..${this.maxFrame}`,
        );
        this.release();
        throw this.broken;
      }
      this.need = length;
    }
    if (this.buffered < this.need) return undefined;
    const body = this.take(this.need);
    this.need = -1;
    return body;
  }

  private readPrefix(): number {
    const chunk = this.chunks[this.first]!;
    const at = this.head;
    if (chunk.length - at >= LENGTH_PREFIX_BYTES) {
      // Byte by byte: cheaper than readUInt32BE's checks on this hot path.
      const length = chunk[at]! * 0x1000000 + ((chunk[at + 1]! << 16) | (chunk[at + 2]! << 8) | chunk[at + 3]!);
      this.advance(LENGTH_PREFIX_BYTES);
      return length;
    }
    let length = 0;
    for (let i = 0; i < LENGTH_PREFIX_BYTES; i++) {
      length = length * 256 + this.chunks[this.first]![this.head]!;
      this.advance(1);
    }
    return length;
  }

  private take(size: number): Uint8Array {
    const chunk = this.chunks[this.first]!;
    if (chunk.length - this.head >= size) {
      const view = new Uint8Array(chunk.buffer, chunk.byteOffset + this.head, size);
      this.advance(size);
      return view;
    }
    const body = this.gather(size);
    let filled = 0;
    while (filled < size) {
      const current = this.chunks[this.first]!;
      const count = Math.min(current.length - this.head, size - filled);
      current.copy(body, filled, this.head, this.head + count);
      filled += count;
      this.advance(count);
    }
    return body;
  }

  /** Consumes `count` bytes that lie inside the current chunk. */
  private advance(count: number): void {
    this.head += count;
    this.buffered -= count;
    if (this.head < this.chunks[this.first]!.length) return;
    this.head = 0;
    this.first += 1;
    if (this.first === this.chunks.length) {
      this.chunks = [];
      this.first = 0;
    } else if (this.first >= 1024) {
      this.chunks = this.chunks.slice(this.first);
      this.first = 0;
    }
  }

  private release(): void {
    this.chunks = [];
    this.first = 0;
    this.head = 0;
    this.buffered = 0;
  }
}

function stringKeysOnly(key: unknown): string {
  if (typeof key !== 'string') throw new DecodeError(`map key of type ${typeof key}`);
  return key;
}

/** A plain object (as MessagePack or JSON decode a map), not yet validated. */
export function isPlainObject(value: unknown): value is FrameBody {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

export interface FrameDecoderOptions {
  maxFrame: number;
}

/**
 * Bodies that span chunks are gathered here: decoding is synchronous and
 * copies every string out, so one buffer serves every decoder in the process.
 * (A `bin` or `ext` value would be a view into it, valid only until the next
 * frame; the protocol has none.)
 */
let scratch = new Uint8Array(64 * 1024);
function scratchBuffer(size: number): Uint8Array {
  if (scratch.length < size) scratch = new Uint8Array(size);
  return new Uint8Array(scratch.buffer, 0, size);
}

/**
 * Decoding is synchronous and keeps nothing between bodies but the key cache:
 * one key decoder serves every FrameDecoder in the process.
 */
const keyDecoder = new Utf8KeyDecoder();

/**
 * A MessagePack decoder whose lengths are capped at the frame limit, giving
 * string values raw and every map key to `keyDecoder` (see utf8-strings.ts).
 */
function bodyDecoder(maxFrame: number): Decoder {
  return new Decoder({
    maxStrLength: maxFrame,
    maxBinLength: maxFrame,
    maxArrayLength: maxFrame,
    maxMapLength: maxFrame,
    maxExtLength: maxFrame,
    rawStrings: true,
    keyDecoder,
    mapKeyConverter: stringKeysOnly,
  });
}

/** A FrameReader whose bodies are decoded into plain objects. */
export class FrameDecoder {
  private readonly reader: FrameReader;
  private decoder: Decoder;
  private broken: ProtocolError | undefined;

  constructor({ maxFrame }: FrameDecoderOptions) {
    this.reader = new FrameReader(maxFrame, scratchBuffer);
    this.decoder = bodyDecoder(maxFrame);
  }

  /** Changes the largest body accepted, from the next length prefix on (see FrameReader.setMaxFrame). */
  setMaxFrame(maxFrame: number): void {
    this.reader.setMaxFrame(maxFrame);
    this.decoder = bodyDecoder(maxFrame);
  }

  get pendingBytes(): number {
    return this.reader.pendingBytes;
  }

  push(chunk: Buffer): void {
    this.reader.push(chunk);
  }

  /**
   * The next decoded body, or undefined when more bytes are needed.
   * @throws ProtocolError `frame_too_large` or `bad_frame` (fatal: the decoder
   *   stays broken), or `bad_message` for a string that is not valid UTF-8
   *   (that frame is dropped; the next call goes on with the following one).
   */
  next(): FrameBody | undefined {
    if (this.broken) throw this.broken;
    let bytes: Uint8Array | undefined;
    try {
      bytes = this.reader.nextBytes();
    } catch (error) {
      this.broken = error instanceof ProtocolError ? error : new ProtocolError('bad_frame', 'unreadable frame', { cause: error });
      throw this.broken;
    }
    if (bytes === undefined) return undefined;
    let body: unknown;
    try {
      keyDecoder.reset();
      body = this.decoder.decode(bytes);
    } catch (error) {
      this.broken = new ProtocolError('bad_frame', `frame body is not valid MessagePack: ${errorMessage(error)}`, { cause: error });
      throw this.broken;
    }
    if (!isPlainObject(body)) {
      this.broken = new ProtocolError('bad_frame', 'frame body is not a MessagePack map');
      throw this.broken;
    }
    if (!settleStrings(body, bytes) || keyDecoder.invalid) {
      throw new ProtocolError('bad_message', 'a string is not valid UTF-8', { id: requestIdOf(body) });
    }
    return body;
  }
}
