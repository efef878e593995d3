/**
 * The transport port: a connection's frames, message by message, whatever
 * carries them. The server's Connection and the client run on a FrameLink;
 * a TLS socket (`stream-link.ts`) and an in-memory pair (`memory-link.ts`)
 * implement it. Frames cross a link encoded, so the codec always runs.
 */
import type { PeerCertificate } from 'node:tls';
import type { FrameBody } from '../protocol/frame.js';

/** Who is at the other end, as far as the transport knows. */
export interface LinkPeer {
  /** The remote IP address (undefined in memory, or once the socket is gone). */
  readonly address: string | undefined;
  /** The client certificate it presented (mutual TLS); undefined without one. */
  certificate(): PeerCertificate | undefined;
}

/** What a link tells its user; each is called synchronously from the transport's event. */
export interface FrameLinkHandler {
  /** `bytes` arrived (not after `end`): whole frames may now be read with `next`. */
  received(bytes: number): void;
  /** A turn's frames were handed to the transport; `unsent` is what it has not taken. */
  flushed(unsent: number): void;
  /** The transport failed (the link destroys itself next; `closed` follows). */
  failed(error: Error): void;
  /** The link is closed, from either end. Called once. */
  closed(): void;
}

export interface FrameLink {
  readonly peer: LinkPeer;
  /** Starts reading and reporting to `handler`. */
  start(handler: FrameLinkHandler): void;
  /** The next whole frame received, decoded; undefined when none is complete. Throws a ProtocolError on a bad frame. */
  next(): FrameBody | undefined;
  /** The largest frame body accepted from the next length prefix on (a client, once `welcome` announced its limit). */
  setMaxFrame(maxFrame: number): void;
  /** Bytes received and not yet taken as frames. */
  readonly buffered: number;
  /** Stops and restarts reading (TCP pushes back meanwhile). */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  /** Queues one encoded frame; the frames of one turn leave together. */
  send(frame: Buffer): void;
  /** Output not yet taken by the transport (sent this turn included). */
  readonly backlog: number;
  /** Forgets the output the transport has not taken, at a frame boundary (a slow consumer's). */
  dropBacklog(): void;
  /** Resolves when some output drained or the link closed, or at `stopWaiting`; next turn when nothing waits. */
  drained(): Promise<void>;
  /** Resolves the `drained` under way now. */
  stopWaiting(): void;
  /**
   * Writes what is queued, then ends the output. Input is dropped from now
   * on, and a peer that sends more than `maxFrame` bytes after it is reset.
   */
  end(): void;
  /** Closes at once; queued output is lost. */
  destroy(): void;
}
