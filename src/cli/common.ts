/** What every command line of the project shares: usage errors and yargs behaviour. */
import type { Argv } from 'yargs';

/** A mistake in the command line: reported in one line, exit status 2, no help dump. */
export class UsageError extends Error {}

/**
 * Strict flags (a flag given twice takes the last value), `--help`/`-h`, and a failure handler that prints one line
 * (not the whole help, yargs issue #2394) and exits 2 for usage errors.
 * Runtime errors thrown from checks that are not UsageErrors pass through.
 */
export function strictCli<T>(cli: Argv<T>, name: string): Argv<T> {
  return cli
    .parserConfiguration({ 'duplicate-arguments-array': false })
    .strict()
    .help()
    .alias('help', 'h')
    .fail((message, error) => {
      if (error && !(error instanceof UsageError)) throw error;
      process.stderr.write(`${name}: ${error?.message ?? message}\nRun with --help for usage.\n`);
      process.exit(2);
    });
}
