/**
 * The one owner of per-address state: how many connections each address has
 * open (`--max-per-ip`) and how many accounts it created lately
 * (`--register-rate`). An address is an IPv4 address or an IPv6 /64 (see
 * ip-address.ts); addresses in `--ip-limit-exempt` are not counted at all.
 *
 * Memory follows the traffic and is freed with it: an address's connection
 * count is dropped when it reaches zero, and its registration window when its
 * newest registration is older than the window. Per process: with
 * `--workers` or a cluster, each process counts its own connections; with
 * `--workers N` each admits 1/N of `--max-per-ip` (perProcessLimit), so that
 * one address has at most `--max-per-ip` in all.
 */
import { addressGroup, type Cidr, inCidr, parseCidrList, parseIp } from './ip-address.js';

/** Who a connection comes from, as the limits see it. */
export interface Peer {
  /** The address group the limits count under (`1.2.3.4`, `2001:db8:0:1::/64`). */
  readonly key: string;
  /** In `--ip-limit-exempt` (or of no known address): no per-address limit applies. */
  readonly exempt: boolean;
}

export interface AddressLimitsOptions {
  /** Connections at once from one address. */
  maxPerIp: number;
  /** Accounts one address may create per `registerWindowMs`; 0 = no limit. */
  registerRate: number;
  registerWindowMs: number;
  /** CIDR ranges (`127.0.0.0/8`, `::1`) the limits do not apply to. */
  exempt: readonly string[];
  /** Milliseconds, monotonic; injected by tests. */
  now?: () => number;
}

/** The share of `maxPerIp` that each of `processes` processes sharing a port admits (at least 1). */
export function perProcessLimit(maxPerIp: number, processes: number): number {
  return Math.max(1, Math.floor(maxPerIp / processes));
}

/** The refusal's words for the per-address limit, with the per-process share when there are several. */
export function perAddressRefusal(maxPerIp: number, processes: number): string {
  const share = processes > 1 ? `: ${perProcessLimit(maxPerIp, processes)} in each of ${processes} server processes` : '';
  return `too many connections from your address (per-address limit ${maxPerIp}${share})`;
}

/** Undoes what was counted; calling it again does nothing. */
export type Release = () => void;

const NOTHING_TO_RELEASE: Release = () => undefined;

function once(release: () => void): Release {
  let done = false;
  return () => {
    if (done) return;
    done = true;
    release();
  };
}

export class AddressLimits {
  private readonly exempt: readonly Cidr[];
  private readonly now: () => number;
  private readonly connections = new Map<string, number>();
  /**
   * Each address's registration times, oldest first. Map order is the order of
   * the addresses' latest registration, so expired windows sit at the front.
   */
  private readonly registrations = new Map<string, number[]>();

  constructor(private readonly options: AddressLimitsOptions) {
    this.exempt = options.exempt.flatMap((range) => parseCidrList(range));
    this.now = options.now ?? (() => performance.now());
  }

  /** `socket.remoteAddress` as a Peer. A socket already gone has no address: nothing to count. */
  peerOf(remoteAddress: string | undefined): Peer {
    const address = remoteAddress === undefined ? undefined : parseIp(remoteAddress);
    if (address === undefined) return { key: 'unknown', exempt: true };
    return { key: addressGroup(address), exempt: this.exempt.some((range) => inCidr(address, range)) };
  }

  /** Counts one more connection of `peer`; undefined when it has `maxPerIp` already. */
  admit(peer: Peer): Release | undefined {
    if (peer.exempt) return NOTHING_TO_RELEASE;
    const open = this.connections.get(peer.key) ?? 0;
    if (open >= this.options.maxPerIp) return undefined;
    this.connections.set(peer.key, open + 1);
    return once(() => {
      const left = (this.connections.get(peer.key) ?? 1) - 1;
      if (left <= 0) this.connections.delete(peer.key);
      else this.connections.set(peer.key, left);
    });
  }

  /**
   * Takes one of `peer`'s registrations in the current window; undefined when
   * it has used them all. The returned refund gives it back (the account was
   * not created after all).
   */
  takeRegistration(peer: Peer): Release | undefined {
    const { registerRate, registerWindowMs } = this.options;
    if (peer.exempt || registerRate === 0) return NOTHING_TO_RELEASE;
    const now = this.now();
    this.forgetExpired(now);
    const times = (this.registrations.get(peer.key) ?? []).filter((at) => now - at < registerWindowMs);
    if (times.length >= registerRate) return undefined;
    times.push(now);
    this.registrations.delete(peer.key); // to the back: its latest registration is the newest
    this.registrations.set(peer.key, times);
    return once(() => {
      const current = this.registrations.get(peer.key);
      const index = current?.lastIndexOf(now) ?? -1;
      if (current === undefined || index < 0) return;
      current.splice(index, 1);
      if (current.length === 0) this.registrations.delete(peer.key);
    });
  }

  /** Addresses with state held (open connections or a registration window), for tests and metrics. */
  get trackedAddresses(): number {
    this.forgetExpired(this.now());
    return new Set([...this.connections.keys(), ...this.registrations.keys()]).size;
  }

  private forgetExpired(now: number): void {
    for (const [key, times] of this.registrations) {
      const newest = times[times.length - 1];
      if (newest !== undefined && now - newest < this.options.registerWindowMs) return;
      this.registrations.delete(key);
    }
  }
}
