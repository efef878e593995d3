/**
 * The XDG base directories the client keeps its files under: the variable's
 * value when it is an absolute path (the XDG rule: a relative one is
 * ignored), else its default under the home directory.
 */
import os from 'node:os';
import path from 'node:path';

export type XdgVariable = 'XDG_CONFIG_HOME' | 'XDG_STATE_HOME';

const DEFAULTS: Readonly<Record<XdgVariable, string>> = {
  XDG_CONFIG_HOME: '.config',
  XDG_STATE_HOME: path.join('.local', 'state'),
};

/** `$VARIABLE/termsender/`, else `~/DEFAULT/termsender/`. */
export function termsenderDir(variable: XdgVariable, env: NodeJS.ProcessEnv, home: string = os.homedir()): string {
  const value = env[variable];
  const base = value !== undefined && value !== '' && path.isAbsolute(value) ? value : path.join(home, DEFAULTS[variable]);
  return path.join(base, 'termsender');
}
