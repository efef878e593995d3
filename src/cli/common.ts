/** What every command line of the project shares: usage errors and yargs behaviour. */
import type { Argv, Options } from 'yargs';

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

/**
 * Every command's yargs setup: its help text, flags also read from
 * `TERMSENDER_<FLAG>`, strict flags (a flag given twice takes the last
 * value), `--help`/`-h`, and a failure handler that prints one line (not the
 * whole help, yargs issue #2394) and exits 2 for usage errors. Runtime errors
 * thrown from checks that are not UsageErrors pass through.
 */
export function strictCli<T>(cli: Argv<T>, help: CommandHelp): Argv<T> {
  return cli
    .scriptName(help.name)
    .usage(`$0 [flags]\n\n${help.summary}`)
    .epilogue(`${help.details}\nEvery flag also reads TERMSENDER_<FLAG>, e.g. ${help.envExample}.`)
    .env('TERMSENDER')
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .strict()
    .help()
    .alias('help', 'h')
    .fail((message, error) => {
      if (error && !(error instanceof UsageError)) throw error;
      // yargs spreads some messages over lines ("Invalid values:\n  Argument: …"): one line here.
      const text = (error?.message ?? message).trim().replace(/\s*\n\s*/g, ' ');
      process.stderr.write(`${help.name}: ${text}\nRun with --help for usage.\n`);
      process.exit(2);
    });
}

/** The environment variable a flag also reads (yargs `.env('TERMSENDER')`). */
export function envName(flag: string): string {
  return `TERMSENDER_${flag.replace(/-/g, '_').toUpperCase()}`;
}

/** The same options, each description ending with the variable it also reads, so `--help` lists them all. */
export function withEnvNames<T extends Record<string, Options>>(options: T): T {
  return Object.fromEntries(Object.entries(options).map(([flag, option]) => [flag, { ...option, describe: `${option.describe ?? ''} [${envName(flag)}]` }])) as T;
}
