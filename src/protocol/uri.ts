/**
 * URI rules of spec §3.1. rxwamp checks outgoing URIs with the loose rules (MUST) so that
 * routers following the strict rules still see valid input; empty components are legal only
 * for wildcard patterns.
 */

const LOOSE = /^([^\s.#]+\.)*([^\s.#]+)$/;
const LOOSE_EMPTY_ALLOWED = /^(([^\s.#]+\.)|\.)*([^\s.#]+)?$/;
const STRICT = /^([0-9a-z_]+\.)*([0-9a-z_]+)$/;
const STRICT_EMPTY_ALLOWED = /^(([0-9a-z_]+\.)|\.)*([0-9a-z_]+)?$/;

/**
 * How a registration or subscription URI is matched: exactly, as a prefix, or as a pattern
 * whose empty components match any one component.
 *
 * @inline
 */
export type MatchPolicy = 'exact' | 'prefix' | 'wildcard';

export interface UriCheckOptions {
  /** Only components of [0-9a-z_] (the spec's SHOULD). */
  readonly strict?: boolean;
  /** How the URI will be matched: wildcard patterns may have empty components. */
  readonly match?: MatchPolicy;
}

export function isValidUri(uri: unknown, options?: UriCheckOptions): uri is string {
  if (typeof uri !== 'string' || uri.length === 0) return false;
  const emptyAllowed = options?.match === 'wildcard';
  const pattern = options?.strict ? (emptyAllowed ? STRICT_EMPTY_ALLOWED : STRICT) : emptyAllowed ? LOOSE_EMPTY_ALLOWED : LOOSE;
  return pattern.test(uri);
}

/** A reason string for an invalid URI, or undefined when it is fine. */
export function describeInvalidUri(uri: unknown, what: string, options?: UriCheckOptions): string | undefined {
  if (typeof uri !== 'string') return `${what} must be a string URI, got ${typeof uri}`;
  if (!isValidUri(uri, options)) {
    return (
      `${what} "${uri}" is not a valid WAMP URI (dot-separated components without whitespace or '#'` + `${options?.match === 'wildcard' ? '' : ', none empty'})`
    );
  }
  return undefined;
}
