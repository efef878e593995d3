/** `roles` of `members` and `joined` (an addition): name → `owner` | `moderator` | `admin`, read leniently. */
import type { FieldReader } from './field-reader.js';
import { isPlainObject } from './frame.js';
import type { MemberRole } from './messages.js';

const MEMBER_ROLES: ReadonlySet<string> = new Set<MemberRole>(['owner', 'moderator', 'admin']);

/**
 * `{roles}` when `body` has a map of them, else `{}`; `roles` not a map is
 * `bad_message`. A role this client does not know is left out (a later server
 * may add some), so the member shows as a member.
 */
export function optionalMemberRoles(body: unknown, read: FieldReader): { roles?: Record<string, MemberRole> } {
  const value = isPlainObject(body) ? body['roles'] : undefined;
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) read.fail('bad_message', "'roles' must be a map");
  const known = Object.entries(value).filter((entry): entry is [string, MemberRole] => typeof entry[1] === 'string' && MEMBER_ROLES.has(entry[1]));
  // fromEntries defines each name as its own field (a name such as `__proto__` included).
  return { roles: Object.fromEntries(known) };
}
