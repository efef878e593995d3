/**
 * What every command line of the project shares: usage errors, the
 * `TERMSENDER_*` variables of a command's own flags, the accepted range of
 * each numeric flag, and yargs behaviour.
 */
import type { Argv, InferredOptionTypes, Options } from 'yargs';
import { type NumberRange, readBooleanArgs, readFlagValue } from './flag-values.js';
import { exitWithUsageError, UsageError } from './usage-error.js';
import { yargs } from './yargs.js';

export { exitWithUsageError, UsageError } from './usage-error.js';

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
    values[flag] = readFlagValue(variable, raw, option, ranges[flag]);
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
 * How yargs is told about each flag: a flag that takes a value must have
 * one; a numeric flag reaches yargs untyped (yargs would turn "abc" into NaN
 * before anyone could quote it) and is read by `readFlagValue`, like its
 * variable; `--help` still shows it as a number.
 */
function declaredOptions(options: Record<string, Options>, ranges: Record<string, NumberRange | undefined>): Record<string, Options> {
  return Object.fromEntries(Object.entries(withEnvNames(options)).map(([flag, option]) => {
    if (option.type === 'boolean') return [flag, option];
    if (option.type !== 'number') return [flag, { ...option, requiresArg: true }];
    const { type: _number, ...untyped } = option;
    return [flag, {
      ...untyped, requiresArg: true, describe: `${option.describe ?? ''} [number]`,
      coerce: (value: unknown) => readFlagValue(`--${flag}`, value, option, ranges[flag]),
    }];
  }));
}

/**
 * Every command's yargs setup: its help text; its flags, each also read from
 * `TERMSENDER_<FLAG>` (the command line wins) and each value read by the
 * rules of `flag-values.ts` (numbers against `ranges`, booleans as 1/0,
 * true/false, yes/no, on/off); strict flags (a flag given twice takes the
 * last value, a flag that takes a value must have one); `--help`/`-h`; and a
 * failure handler that prints one line (not the whole help, yargs issue
 * #2394) and exits 2 for usage errors. Runtime errors thrown from checks
 * that are not UsageErrors pass through.
 */
export function strictCli<O extends Record<string, Options>>(
  args: readonly string[], help: CommandHelp, options: O, ranges: RangeTable<O>, env: NodeJS.ProcessEnv = process.env,
  /** Flag values below the variables and the command line (a config file's). */
  base: Record<string, unknown> = {},
): Argv<Omit<object, keyof O> & InferredOptionTypes<O>> {
  const rangeOf: Record<string, NumberRange | undefined> = ranges;
  let fromEnv: Record<string, unknown> = base;
  let parsedArgs = [...args];
  let earlyError: UsageError | undefined;
  try {
    fromEnv = { ...base, ...readVariables(options, rangeOf, env) };
    parsedArgs = readBooleanArgs(args, options);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    earlyError = error; // reported by the first check, so that --help still works
  }
  return yargs(parsedArgs)
    .scriptName(help.name)
    .usage(`$0 [flags]\n\n${help.summary}`)
    .epilogue(`${help.details}\nEvery flag also reads TERMSENDER_<FLAG>, e.g. ${help.envExample}.`)
    .parserConfiguration({ 'duplicate-arguments-array': false })
    // Typed as declared: the untyped numeric flags come out as numbers (their coerce).
    .options(declaredOptions(options, rangeOf) as O)
    .config(fromEnv)
    // A known mistake goes first: `--register yes` is about --register, not an unknown word.
    .strict(earlyError === undefined)
    .check(() => {
      if (earlyError !== undefined) throw earlyError;
      return true;
    })
    .help()
    .alias('help', 'h')
    .fail((message, error) => {
      // yargs' own parse errors ("Not enough arguments following: port") are YErrors: usage errors too.
      if (error && !(error instanceof UsageError) && error.name !== 'YError') throw error;
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: …"): one line here.
      exitWithUsageError(help.name, namedOnce((error?.message ?? message).trim().replace(/\s*\n\s*/g, ' ')));
    });
}
