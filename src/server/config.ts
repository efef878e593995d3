/** Everything a server needs to run, already validated (the CLI builds it). */
import type { Limits } from '../protocol/limits.js';
import type { ScryptCost } from './passwords.js';
import type { LogFormat, LogLevel } from '../observe/logger.js';
import type { RetentionSettings } from './retention.js';

export interface TlsFiles {
  /** PEM contents, not paths. */
  cert: string | Buffer;
  key: string | Buffer;
  /** When set, clients must present a certificate signed by this CA. */
  clientCa?: string | Buffer | undefined;
}

export interface ServerConfig {
  host: string;
  /** 0 picks a free port. */
  port: number;
  tls: TlsFiles;
  tlsMinVersion: 'TLSv1.2' | 'TLSv1.3';
  /** Folder of the SQLite store. */
  dataDir: string;
  /** SQLite: `normal` keeps every commit across a process crash; `full` also across a power loss (an fsync per batch). */
  sync?: 'normal' | 'full' | undefined;
  registration: 'open' | 'closed';
  limits: Limits;
  /** Password hashing cost; lower only in tests. */
  scryptCost: ScryptCost;
  logLevel: LogLevel;
  /** `json` (the default) or `text`. */
  logFormat?: LogFormat | undefined;
  /** Name/version announced in `welcome`. */
  serverName: string;
  /** Accounts given the `admin` role at start (`--admins`); names without an account are skipped (logged). */
  admins?: readonly string[] | undefined;
  /** Cluster mode: share everything through this Redis instead of the SQLite store. */
  redis?: RedisConfig | undefined;
  /** `--retention-days`/`--retention-messages`: off when absent or both 0. */
  retention?: RetentionSettings | undefined;
  /** Serve `GET /metrics` and `GET /healthz` over plain HTTP here (port 0 picks one). */
  metrics?: { host: string; port: number } | undefined;
  /** Server processes sharing the port (`--workers`; 1 when absent): each admits its share of `maxPerIp`. */
  processes?: number | undefined;
}

export interface RedisConfig {
  /** `redis://host:port` */
  url: string;
  /** How long a node's member and online entries live without a refresh. */
  memberTtlMs: number;
}
