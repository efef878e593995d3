/**
 * Framing benchmark: this codec against the bare @msgpack/msgpack calls (the
 * ceiling: no framing, no stream, no checks) and newline-delimited JSON (what
 * many would pick instead), for chat-sized and 4 KiB texts.
 */
import { Decoder, Encoder } from '@msgpack/msgpack';
import { FrameDecoder, FrameEncoder } from '../../src/protocol/frame.js';
import type { ChatMessage } from '../../src/protocol/messages.js';
import { compare, type Rate } from './measure.js';

export interface FramingOptions {
  durationMs: number;
  rounds: number;
  /** Socket read size used to cut the decode streams. */
  chunkBytes: number;
}

export interface FramingCase {
  name: string;
  textBytes: number;
  frameBytes: number;
  encode: { codec: Rate; bare: Rate; json: Rate; ratio: number };
  decode: { codec: Rate; bare: Rate; json: Rate; ratio: number };
}

const STREAM_BYTES = 4 * 1024 * 1024;

function sampleMessage(textBytes: number): ChatMessage {
  const words = 'the quick brown fox jumps over the lazy dog 0123456789 ';
  return { type: 'msg', group: 'general', seq: 1, from: 'alice', text: words.repeat(Math.ceil(textBytes / words.length)).slice(0, textBytes), ts: Date.now() };
}

function chunks(stream: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let at = 0; at < stream.length; at += size) out.push(stream.subarray(at, at + size));
  return out;
}

/** Splits newline-delimited JSON across chunks, copying each partial line once. */
function parseJsonLines(pieces: Buffer[]): number {
  let count = 0;
  let partial: Buffer[] = [];
  for (const piece of pieces) {
    let start = 0;
    for (let newline = piece.indexOf(10, start); newline !== -1; newline = piece.indexOf(10, start)) {
      const line = partial.length === 0 ? piece.subarray(start, newline) : Buffer.concat([...partial, piece.subarray(start, newline)]);
      partial = [];
      if (typeof JSON.parse(line.toString('utf8')) === 'object') count += 1;
      start = newline + 1;
    }
    if (start < piece.length) partial.push(piece.subarray(start));
  }
  return count;
}

function runCase(name: string, textBytes: number, options: FramingOptions): FramingCase {
  const message = sampleMessage(textBytes);
  const frameEncoder = new FrameEncoder();
  const bareEncoder = new Encoder();
  const timing = { durationMs: options.durationMs, rounds: options.rounds };
  const frameBytes = frameEncoder.encode(message).length;
  const perBatch = 256;

  const encodeWith = (encodeOne: () => number) => () => {
    let bytes = 0;
    for (let i = 0; i < perBatch; i++) {
      message.seq += 1;
      bytes += encodeOne();
    }
    return { ops: perBatch, bytes };
  };
  const encode = compare({
    codec: encodeWith(() => frameEncoder.encode(message).length),
    bare: encodeWith(() => bareEncoder.encodeSharedRef(message).length),
    json: encodeWith(() => Buffer.from(`${JSON.stringify(message)}\n`).length),
  }, timing);

  const count = Math.max(64, Math.floor(STREAM_BYTES / frameBytes));
  const messages = Array.from({ length: count }, (_, i) => ({ ...message, seq: i + 1 }));
  const framedStream = Buffer.concat(messages.map((m) => frameEncoder.encode(m)));
  const framedChunks = chunks(framedStream, options.chunkBytes);
  const bodies = messages.map((m) => Buffer.from(bareEncoder.encode(m)));
  const bodyBytes = bodies.reduce((sum, body) => sum + body.length, 0);
  const jsonChunks = chunks(Buffer.from(messages.map((m) => `${JSON.stringify(m)}\n`).join('')), options.chunkBytes);
  const jsonBytes = jsonChunks.reduce((sum, piece) => sum + piece.length, 0);
  const bareDecoder = new Decoder();
  const check = (decoded: number) => {
    if (decoded !== count) throw new Error(`${name}: decoded ${decoded} of ${count} messages`);
  };

  const decode = compare({
    codec: () => {
      const decoder = new FrameDecoder({ maxFrame: 65_536 });
      let decoded = 0;
      for (const piece of framedChunks) {
        decoder.push(piece);
        while (decoder.next() !== undefined) decoded += 1;
      }
      check(decoded);
      return { ops: decoded, bytes: framedStream.length };
    },
    bare: () => {
      let decoded = 0;
      for (const body of bodies) if (bareDecoder.decode(body) !== null) decoded += 1;
      check(decoded);
      return { ops: decoded, bytes: bodyBytes };
    },
    json: () => {
      const decoded = parseJsonLines(jsonChunks);
      check(decoded);
      return { ops: decoded, bytes: jsonBytes };
    },
  }, timing);

  return {
    name,
    textBytes,
    frameBytes,
    encode: { ...encode.rates, ratio: encode.ratio('codec', 'bare') },
    decode: { ...decode.rates, ratio: decode.ratio('codec', 'bare') },
  };
}

export function runFramingBench(options: FramingOptions): FramingCase[] {
  return [runCase('chat (100 B text)', 100, options), runCase('large (4 KiB text)', 4096, options)];
}
