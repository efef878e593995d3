/**
 * Structured logs on stderr (stdout carries only the `listening on` line and
 * the certificate fingerprint), one line per event: a JSON object, or for a
 * person at a terminal, text (`time LEVEL message key=value …`). Callers pass
 * fields, never secrets or message text.
 */
export const LOG_LEVELS = ['debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** How each line is written: `json` for machines, `text` for people. */
export const LOG_FORMATS = ['json', 'text'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields & { error?: never }, error?: unknown): void;
}

/** Characters a terminal might act on (C0, DEL, C1, line separators, bidi overrides): never written raw in text logs. */
const UNSAFE_CHARACTERS = /[\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;
/** A value that needs quotes in text logs: empty, or holding a space, a quote, `=`, a backslash or an unsafe character. */
const NEEDS_QUOTES = /^$|[\s"=\\\p{Cc}\u2028\u2029\u202a-\u202e\u2066-\u2069]/u;

function escapeCharacter(character: string): string {
  switch (character) {
    case '\n': return '\\n';
    case '\r': return '\\r';
    case '\t': return '\\t';
    default: return `\\u${character.codePointAt(0)!.toString(16).padStart(4, '0')}`;
  }
}

/** A text-log value: as is when plain, else in double quotes with `\`, `"` and unsafe characters escaped. */
export function textValue(value: string): string {
  if (!NEEDS_QUOTES.test(value)) return value;
  return `"${value.replace(/[\\"]/g, (character) => `\\${character}`).replace(UNSAFE_CHARACTERS, escapeCharacter)}"`;
}

/** One event as a text line: `2024-05-01T12:00:00.000Z INFO listening host=127.0.0.1 port=9999`. */
export function formatText(entry: Readonly<Record<string, unknown>>): string {
  const { time, level, msg, ...fields } = entry;
  const parts = [String(time), String(level).toUpperCase().padEnd(5), textValue(String(msg))];
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) parts.push(`${textValue(key)}=${textValue(String(value))}`);
  }
  return parts.join(' ');
}

export function createLogger(level: LogLevel, write: (line: string) => void = (line) => process.stderr.write(line), format: LogFormat = 'json'): Logger {
  const threshold = RANK[level];
  const log = (at: LogLevel, message: string, fields?: LogFields, error?: unknown): void => {
    if (RANK[at] < threshold) return;
    const entry: Record<string, unknown> = { time: new Date().toISOString(), level: at, msg: message, ...fields };
    if (error !== undefined) entry['err'] = error instanceof Error ? (error.stack ?? error.message) : String(error);
    write(`${format === 'text' ? formatText(entry) : JSON.stringify(entry)}\n`);
  };
  return {
    debug: (message, fields) => log('debug', message, fields),
    info: (message, fields) => log('info', message, fields),
    warn: (message, fields) => log('warn', message, fields),
    error: (message, fields, error) => log('error', message, fields, error),
  };
}
