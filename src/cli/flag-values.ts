/**
 * How a flag's value is read, wherever it comes from (the command line, a
 * `TERMSENDER_*` variable, a config file): one rule per type, and a refusal
 * that quotes what was given and names where it came from.
 */
import type { Options } from 'yargs';
import { UsageError } from './usage-error.js';

/** The values a numeric flag accepts: from `min` to `max`, whole numbers only when `integer`. */
export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
  /** Shown after the range, e.g. "bytes" or "seconds". */
  unit?: string;
  /** What a special value means, shown after the range, e.g. "0 turns it off". */
  note?: string;
}

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);
const BOOLEAN_WORDS = '1/0, true/false, yes/no, on/off';

function describeRange(range: NumberRange): string {
  const kind = range.integer === true ? 'a whole number' : 'a number';
  const unit = range.unit === undefined ? '' : ` ${range.unit}`;
  const note = range.note === undefined ? '' : ` (${range.note})`;
  return `${kind} from ${range.min} to ${range.max}${unit}${note}`;
}

/** Throws a UsageError naming `label` (a flag or a variable) unless `value` is in `range`. */
export function checkRange(label: string, value: number, range: NumberRange, given: string = String(value)): void {
  const fits = Number.isFinite(value) && value >= range.min && value <= range.max && (range.integer !== true || Number.isInteger(value));
  if (!fits) throw new UsageError(`${label} must be ${describeRange(range)}, not ${JSON.stringify(given)}`);
}

/** A boolean word (1/0, true/false, yes/no, on/off, any case), or undefined for anything else. */
export function booleanWord(raw: string): boolean | undefined {
  const word = raw.trim().toLowerCase();
  if (TRUE_WORDS.has(word)) return true;
  if (FALSE_WORDS.has(word)) return false;
  return undefined;
}

function readBoolean(label: string, raw: unknown): boolean {
  const value = typeof raw === 'string' ? booleanWord(raw) : raw;
  if (typeof value !== 'boolean') throw new UsageError(`${label} must be one of ${BOOLEAN_WORDS}, not ${JSON.stringify(raw)}`);
  return value;
}

function readNumber(label: string, raw: unknown, range: NumberRange | undefined): number {
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  const given = typeof raw === 'string' ? raw : String(raw);
  if (range !== undefined) checkRange(label, value, range, given);
  else if (!Number.isFinite(value)) throw new UsageError(`${label} must be a number, not ${JSON.stringify(given)}`);
  return value;
}

/**
 * `raw` (text as typed or exported, or a config file's JSON value) as the
 * value of a flag declared by `option`, or a UsageError naming `label`.
 */
export function readFlagValue(label: string, raw: unknown, option: Options, range: NumberRange | undefined): unknown {
  if (option.type === 'boolean') return readBoolean(label, raw);
  if (option.type === 'number') return readNumber(label, raw, range);
  const choices: unknown = option.choices;
  if (Array.isArray(choices) && !choices.includes(raw)) {
    throw new UsageError(`${label} must be one of ${choices.join(', ')}, not ${JSON.stringify(raw)}`);
  }
  return raw;
}

/**
 * The command line with every boolean flag's `--flag=WORD` (and
 * `--no-flag=WORD`) read by the boolean rule: yargs alone takes any word but
 * `true` as false. A boolean flag never takes the next word as its value
 * (`--register yes` would be a flag and a stray word): a boolean word right
 * after one is refused, naming the flag, so nobody thinks it was read.
 */
export function readBooleanArgs(args: readonly string[], options: Record<string, Options>): string[] {
  const isBoolean = (flag: string): boolean => options[flag]?.type === 'boolean';
  const out: string[] = [];
  for (let index = 0; index < args.length; index += 1) {
    const arg = args[index]!;
    if (arg === '--') {
      out.push(...args.slice(index));
      break;
    }
    const match = /^--([^=]+)(=(.*))?$/s.exec(arg);
    const name = match?.[1] ?? '';
    // `--no-x` is a negation when x is a boolean flag and no-x is not a flag of its own.
    const negated = !isBoolean(name) && name.startsWith('no-') && isBoolean(name.slice(3));
    const flag = negated ? name.slice(3) : name;
    if (match === null || !isBoolean(flag)) {
      out.push(arg);
      continue;
    }
    const typed = `--${name}`;
    const value = match[3];
    if (value !== undefined) {
      const on = readBoolean(typed, value);
      out.push(`--${flag}=${on !== negated}`);
      continue;
    }
    const next = args[index + 1];
    if (next !== undefined && booleanWord(next) !== undefined) {
      throw new UsageError(`${typed} takes no separate value: write ${typed} alone, or ${typed}=${next}`);
    }
    out.push(arg);
  }
  return out;
}
