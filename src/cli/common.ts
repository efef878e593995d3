/**
 * What every command line of the project shares: usage errors, the
 * `TERMSENDER_*` variables of a command's own flags, the accepted range of
 * each numeric flag, and yargs behaviour.
 */
import type { Argv, InferredOptionTypes, Options } from 'yargs';

/** A mistake in the command line: reported in one line, exit status 2, no help dump. */
export class UsageError extends Error {}

/** What `--help` says around the flags. */
export interface CommandHelp {
  /** The command's name in messages and in `--help`. */
  name: string;
  /** One line under the usage line. */
  summary: string;
  /** Lines after the flags, before the note on environment variables. */
  details: string;
  /** A variable to show in that note, e.g. TERMSENDER_PORT=9000. */
  envExample: string;
}

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

/** The accepted range of every numeric flag of a command, by flag name. */
export type RangeTable<O> = Partial<Record<Extract<keyof O, string>, NumberRange>>;

/** The environment variable a flag also reads. */
export function envName(flag: string): string {
  return `TERMSENDER_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** The same options, each description ending with the variable it also reads, so `--help` lists them all. */
export function withEnvNames<T extends Record<string, Options>>(options: T): T {
  return Object.fromEntries(Object.entries(options).map(([flag, option]) => [flag, { ...option, describe: `${option.describe ?? ''} [${envName(flag)}]` }])) as T;
}

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

const TRUE_WORDS = new Set(['1', 'true', 'yes', 'on']);
const FALSE_WORDS = new Set(['0', 'false', 'no', 'off']);

/** A variable's text as the value of its flag, checked like the flag, or a UsageError naming the variable. */
function readVariable(variable: string, raw: string, option: Options, range: NumberRange | undefined): unknown {
  if (option.type === 'boolean') {
    const word = raw.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
    throw new UsageError(`${variable} must be one of 1/0, true/false, yes/no, on/off, not ${JSON.stringify(raw)}`);
  }
  if (option.type === 'number') {
    const value = raw.trim() === '' ? Number.NaN : Number(raw);
    if (!Number.isFinite(value)) throw new UsageError(`${variable} must be a number, not ${JSON.stringify(raw)}`);
    if (range !== undefined) checkRange(variable, value, range, raw);
    return value;
  }
  const choices: unknown = option.choices;
  if (Array.isArray(choices) && !choices.includes(raw)) {
    throw new UsageError(`${variable} must be one of ${choices.join(', ')}, not ${JSON.stringify(raw)}`);
  }
  return raw;
}

/**
 * The values of the command's own flags given through `TERMSENDER_<FLAG>`:
 * only those (a variable meant for another command is none of this one's
 * business), each read like its flag. An empty variable counts as unset.
 */
export function readVariables(options: Record<string, Options>, ranges: Record<string, NumberRange | undefined>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [flag, option] of Object.entries(options)) {
    const variable = envName(flag);
    const raw = env[variable];
    if (raw === undefined || raw === '') continue;
    values[flag] = readVariable(variable, raw, option, ranges[flag]);
  }
  return values;
}

/**
 * yargs names an unknown flag twice, as typed and camel-cased ("Unknown
 * arguments: bogus-flag, bogusFlag"): keep the names as typed.
 */
export function namedOnce(message: string): string {
  const match = /^(Unknown arguments?): (.*)$/.exec(message);
  if (match === null) return message;
  const names = (match[2] ?? '').split(', ');
  const typed = names.filter((name) => !names.some((other) => other !== name && other.includes('-') && camelCase(other) === name));
  return `${typed.length === 1 ? 'Unknown argument' : 'Unknown arguments'}: ${typed.join(', ')}`;
}

function camelCase(flag: string): string {
  return flag.replace(/-+([a-z0-9])/g, (_dash, letter: string) => letter.toUpperCase());
}

/**
 * Every command's yargs setup: its help text; its flags, each also read from
 * `TERMSENDER_<FLAG>` (the command line wins) and each numeric one checked
 * against `ranges`; strict flags (a flag given twice takes the last value, a
 * flag that takes a value must have one); `--help`/`-h`; and a failure
 * handler that prints one line (not the whole help, yargs issue #2394) and
 * exits 2 for usage errors. Runtime errors thrown from checks that are not
 * UsageErrors pass through.
 */
export function strictCli<T, O extends Record<string, Options>>(
  cli: Argv<T>, help: CommandHelp, options: O, ranges: RangeTable<O>, env: NodeJS.ProcessEnv = process.env,
  /** Flag values below the variables and the command line (a config file's). */
  base: Record<string, unknown> = {},
): Argv<Omit<T, keyof O> & InferredOptionTypes<O>> {
  const rangeOf: Record<string, NumberRange | undefined> = ranges;
  let fromEnv: Record<string, unknown> = base;
  let envError: UsageError | undefined;
  try {
    fromEnv = { ...base, ...readVariables(options, rangeOf, env) };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    envError = error; // reported by the first check, so that --help still works
  }
  const declared = Object.fromEntries(Object.entries(options).map(([flag, option]) => [flag, option.type === 'boolean' ? option : { ...option, requiresArg: true }]));
  return cli
    .scriptName(help.name)
    .usage(`$0 [flags]\n\n${help.summary}`)
    .epilogue(`${help.details}\nEvery flag also reads TERMSENDER_<FLAG>, e.g. ${help.envExample}.`)
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .options(withEnvNames(declared) as O)
    .config(fromEnv)
    .strict()
    .check((args) => {
      if (envError !== undefined) throw envError;
      for (const [flag, range] of Object.entries(rangeOf)) {
        const value: unknown = args[flag];
        if (range === undefined || value === undefined) continue;
        checkRange(`--${flag}`, typeof value === 'number' ? value : Number.NaN, range, String(value));
      }
      return true;
    })
    .help()
    .alias('help', 'h')
    .fail((message, error) => {
      // yargs' own parse errors ("Not enough arguments following: port") are YErrors: usage errors too.
      if (error && !(error instanceof UsageError) && error.name !== 'YError') throw error;
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: …"): one line here.
      const text = namedOnce((error?.message ?? message).trim().replace(/\s*\n\s*/g, ' '));
      process.stderr.write(`${help.name}: ${text}\nRun with --help for usage.\n`);
      process.exit(2);
    });
}
