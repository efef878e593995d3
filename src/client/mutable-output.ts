import { Writable } from 'node:stream';

/** A stream in front of the real output that can swallow readline's echo (for passwords). */
export class MutableOutput extends Writable {
  muted = false;
  constructor(private readonly target: NodeJS.WriteStream) {
    super();
    target.on('resize', () => this.emit('resize'));
  }
  get columns(): number {
    return this.target.columns;
  }
  get rows(): number {
    return this.target.rows;
  }
  get isTTY(): boolean {
    return true;
  }
  /**
   * Completes at once, so readline's writes reach the terminal in order with
   * the screen's own (waiting for the target's callback would let them lag).
   */
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (!this.muted) this.target.write(chunk);
    callback();
  }
}
