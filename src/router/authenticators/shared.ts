import { createHash, timingSafeEqual } from 'node:crypto';
import { ErrorUri } from '../../protocol/index.js';
import { AuthDenied } from '../auth.js';

export function requireAuthid(authid: string | undefined, method: string): string {
  if (authid === undefined || authid === '') throw new AuthDenied(ErrorUri.noSuchPrincipal, `${method} authentication needs HELLO.Details.authid`);
  return authid;
}

/** Constant-time comparison of two strings (hashed first so lengths do not leak either). */
export function secretsEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given, 'utf8').digest();
  const b = createHash('sha256').update(expected, 'utf8').digest();
  return timingSafeEqual(a, b);
}
