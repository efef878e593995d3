/** Reading `/metrics` and `/healthz` of a server under test. */
import { setTimeout as sleep } from 'node:timers/promises';
import { WAIT_MS } from './wire-client.js';

export interface Scrape {
  text: string;
  /** The sample's value (`name` or `name{label="value"}` as in the exposition); undefined when absent. */
  value(sample: string): number | undefined;
}

export async function scrape(port: number): Promise<Scrape> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  const values = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line === '') continue;
    const space = line.lastIndexOf(' ');
    values.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return { text, value: (sample) => values.get(sample) };
}

export async function healthz(port: number): Promise<{ status: number; body: { status: string; reason?: string } }> {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`);
  return { status: response.status, body: (await response.json()) as { status: string; reason?: string } };
}

/** Asks again (each answer awaited, at most WAIT_MS in all) until `check` holds; returns that answer. */
export async function until<T>(ask: () => Promise<T>, check: (answer: T) => boolean, what: string, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: T | undefined;
  while (performance.now() < deadline) {
    last = await ask();
    if (check(last)) return last;
    await sleep(25); // between two HTTP requests, not a wait for the condition itself
  }
  throw new Error(`${what}: not reached in ${timeoutMs} ms (last: ${JSON.stringify(last)})`);
}
