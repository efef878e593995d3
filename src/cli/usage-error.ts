/** A mistake in the command line: reported in one line, exit status 2, no help dump. */
export class UsageError extends Error {}

/** How every command reports a usage error: its name, the reason, the pointer to --help; exit status 2. */
export function exitWithUsageError(command: string, reason: string): never {
  process.stderr.write(`${command}: ${reason}\nRun with --help for usage.\n`);
  process.exit(2);
}
