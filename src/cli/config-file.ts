/**
 * `--config FILE`: a JSON object of flag defaults (keys are flag names
 * without `--`), for the client (default `$XDG_CONFIG_HOME/termsender/client.json`
 * when it exists) and the server (no default). Flags and `TERMSENDER_*` win
 * over it. A file that cannot be read, is not a JSON object, names an
 * unknown flag, or holds a value its flag does not take is a usage error:
 * one line, exit status 2.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Options } from 'yargs';
import { errorMessage } from '../protocol/errors.js';
import { envName, type RangeTable } from './common.js';
import { type NumberRange, readFlagValue } from './flag-values.js';
import { UsageError } from './usage-error.js';

/** The `--config` value from the command line (last one wins), else `TERMSENDER_CONFIG`, else `defaultFile` if it exists. */
export function configPath(args: readonly string[], env: NodeJS.ProcessEnv, defaultFile?: string): string | undefined {
  let given: string | undefined;
  for (const [index, arg] of args.entries()) {
    if (arg === '--') break;
    if (arg === '--config') given = args[index + 1];
    else if (arg.startsWith('--config=')) given = arg.slice('--config='.length);
  }
  given ??= env[envName('config')] || undefined;
  if (given !== undefined) return given;
  return defaultFile !== undefined && existsSync(defaultFile) ? defaultFile : undefined;
}

/** The flag defaults in `file`, checked against `options` (every declared flag but `config` itself) and `ranges`, as the flags are. */
export function readConfigFile<O extends Record<string, Options>>(file: string, options: O, ranges: RangeTable<O> = {}): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--config ${file}: ${errorMessage(error).replace(/\s*\n\s*/g, ' ')}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--config ${file}: must be a JSON object of flag values, e.g. {"port": 9999}`);
  const rangeOf: Record<string, NumberRange | undefined> = ranges;
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const option: Options | undefined = Object.hasOwn(options, key) ? options[key] : undefined;
    if (option === undefined || key === 'config') throw new UsageError(`--config ${file}: unknown flag "${key}"`);
    const type = option.type ?? 'string';
    if (typeof value !== type) throw new UsageError(`--config ${file}: "${key}" must be a ${type}, not ${JSON.stringify(value)}`);
    values[key] = readFlagValue(`--config ${file}: "${key}"`, value, option, rangeOf[key]);
  }
  return values;
}

/**
 * The config file's flag defaults for a command, or, for a bad file, its
 * one line on stderr and exit status 2.
 */
export function configDefaults<O extends Record<string, Options>>(
  command: string, args: readonly string[], env: NodeJS.ProcessEnv, options: O, ranges: RangeTable<O>, defaultFile?: string,
): Record<string, unknown> {
  const config = configPath(args, env, defaultFile);
  try {
    return config === undefined ? {} : readConfigFile(config, options, ranges);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    process.stderr.write(`${command}: ${error.message}\n`);
    process.exit(2);
  }
}
