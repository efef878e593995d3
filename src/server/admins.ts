/** `--admins`: the named accounts get the `admin` role when the server starts. */
import type { Store } from '../store/store.js';
import type { Logger } from '../observe/logger.js';

/**
 * Gives each named account the admin role. A name without an account is
 * skipped with a warning: the role is never waiting for whoever registers
 * the name first.
 */
export async function promoteAdmins(store: Store, names: readonly string[], logger: Logger): Promise<void> {
  for (const name of names) {
    if (await store.setRole(name, 'admin')) logger.info('admin', { user: name });
    else logger.warn('--admins names an account that does not exist; register it, then restart or use the admin command', { user: name });
  }
}
