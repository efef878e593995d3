/**
 * better-sqlite3's native module (`build/Release/better_sqlite3.node`),
 * compiled by `npm install` for the Node.js in use: missing when install
 * scripts did not run (npm 12 skips unapproved ones), or unusable after a
 * Node.js upgrade. Found before the store needs it, and said in one line
 * with the command that fixes it, instead of a stack of paths.
 */
import Database from 'better-sqlite3';
import { errorMessage } from '../protocol/errors.js';

/** How better-sqlite3 and Node say the module is missing or built for another Node.js (or another machine). */
const BINDING_FAILURE = /bindings file|better_sqlite3\.node|NODE_MODULE_VERSION|invalid ELF header|wrong ELF class|cannot open shared object|dlopen/i;

/** Undefined when SQLite can be used; else what is missing and how to fix it. Other failures are thrown. */
export function sqliteBindingProblem(): string | undefined {
  try {
    new Database(':memory:').close();
    return undefined;
  } catch (error) {
    const message = errorMessage(error);
    if (!BINDING_FAILURE.test(message)) throw error;
    const built = /NODE_MODULE_VERSION/.test(message) ? `built for another Node.js version than ${process.version}` : 'missing (its install script did not run)';
    return `the SQLite binding (better-sqlite3's native module) is ${built}: run \`npm rebuild better-sqlite3\` in the project folder, then start again`;
  }
}
