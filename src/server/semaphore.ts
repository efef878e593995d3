/** Bounds how many tasks run at once, with a bounded FIFO of waiters. */
export type Release = () => void;

export class Semaphore {
  private running = 0;
  private readonly waiting: Array<() => void> = [];
  /** Most tasks that ran at once. */
  peak = 0;

  constructor(private readonly limit: number, private readonly maxQueued: number) {}

  /** Resolves with a release function once a slot is free; undefined when the queue is full. */
  tryAcquire(): Promise<Release> | undefined {
    if (this.running >= this.limit && this.waiting.length >= this.maxQueued) return undefined;
    return new Promise((resolve) => {
      const start = (): void => {
        this.running += 1;
        this.peak = Math.max(this.peak, this.running);
        let released = false;
        resolve(() => {
          if (released) return;
          released = true;
          this.running -= 1;
          this.waiting.shift()?.();
        });
      };
      if (this.running < this.limit) start();
      else this.waiting.push(start);
    });
  }
}
