import { ErrorUri, isValidUri, type MatchPolicy } from '../../protocol/index.js';

/**
 * Why a URI in a REGISTER/SUBSCRIBE/CALL/PUBLISH is refused, or undefined when it is fine.
 * Longer than `maxUriLength` first (SessionLimits.maxUriLength), so neither the validating
 * regex nor any lookup ever walks more than that; then the loose rules (§3.1); a prefix
 * pattern may end with a dot; `wamp.` is reserved for the router itself when `reservedRefused`
 * (registering or publishing).
 */
export function refuseUri(uri: string, match: MatchPolicy, reservedRefused: boolean, maxUriLength: number): { uri: string; message: string } | undefined {
  if (uri.length > maxUriLength) {
    return { uri: ErrorUri.invalidUri, message: `the URI is ${uri.length} characters long, over the router's limit of ${maxUriLength}` };
  }
  const checked = match === 'prefix' && uri.endsWith('.') ? uri.slice(0, -1) : uri;
  if (!isValidUri(checked, { match })) return { uri: ErrorUri.invalidUri, message: `"${uri}" is not a valid URI` };
  if (reservedRefused && (uri === 'wamp' || uri.startsWith('wamp.'))) {
    return { uri: ErrorUri.invalidUri, message: `"${uri}" is in the reserved wamp namespace` };
  }
  return undefined;
}
