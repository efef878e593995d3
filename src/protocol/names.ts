/**
 * The name rule (`user`, `group`), worded once for every message that states
 * it, and the key a name is unique under.
 */

/** Names (`user`, `group`), as NAME_RULE words it. */
export const NAME_PATTERN = /^[A-Za-z0-9_.-]{1,32}$/;

/** The name rule in words, for every message that states it. */
export const NAME_RULE = '1 to 32 of A-Z a-z 0-9 _ . -';

export function isValidName(value: string): boolean {
  return NAME_PATTERN.test(value);
}

declare const nameKeyBrand: unique symbol;

/**
 * The key a name is unique under, as its own type: a display name (`Alice`)
 * is a plain string and cannot stand where a key (`alice`) is wanted.
 */
export type NameKey = string & { readonly [nameKeyBrand]: true };

/** The key a name is unique under: names are ASCII, so lower case is exact. */
export function nameKey(name: string): NameKey {
  return name.toLowerCase() as NameKey;
}

/** A key read back from where only keys are written (a store's key column, a Redis key). */
export function storedNameKey(key: string): NameKey {
  return key as NameKey;
}
