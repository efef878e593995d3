/**
 * `--config FILE`: a JSON object of flag defaults for the client (default
 * `$XDG_CONFIG_HOME/termsender/client.json` when it exists). Flags and
 * `TERMSENDER_*` win over it. A file that cannot be read, is not a JSON
 * object, or names an unknown flag or a value of the wrong type is a usage error.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Options } from 'yargs';
import { configDir } from '../client/known-servers.js';
import { errorMessage } from '../protocol/errors.js';
import { envName, UsageError } from './common.js';

/** The `--config` value from the command line (last one wins), else `TERMSENDER_CONFIG`, else the default file if it exists. */
export function configPath(args: readonly string[], env: NodeJS.ProcessEnv): { file: string; explicit: boolean } | undefined {
  let given: string | undefined;
  for (const [index, arg] of args.entries()) {
    if (arg === '--') break;
    if (arg === '--config') given = args[index + 1];
    else if (arg.startsWith('--config=')) given = arg.slice('--config='.length);
  }
  given ??= env[envName('config')] || undefined;
  if (given !== undefined) return { file: given, explicit: true };
  const file = path.join(configDir(env), 'client.json');
  return existsSync(file) ? { file, explicit: false } : undefined;
}

/** The flag defaults in `file`, checked against `options` (every declared flag but `config` itself). */
export function readConfigFile(file: string, options: Record<string, Options>): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`--config ${file}: ${errorMessage(error).replace(/\s*\n\s*/g, ' ')}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new UsageError(`--config ${file}: must be a JSON object of flag values, e.g. {"host": "chat.example.org"}`);
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const option = options[key];
    if (option === undefined || key === 'config') throw new UsageError(`--config ${file}: unknown flag "${key}"`);
    const type = option.type ?? 'string';
    if (typeof value !== type) throw new UsageError(`--config ${file}: "${key}" must be a ${type}, not ${JSON.stringify(value)}`);
    values[key] = value;
  }
  return values;
}
