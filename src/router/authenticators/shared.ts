import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
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

/**
 * Derives the stand-ins an authenticator shows for principals that do not exist, so that a
 * CHALLENGE never tells an unknown authid or key from a known one. The same secret and input
 * always give the same bytes (an unknown authid looks the same on every attempt); the secret
 * is random per authenticator unless configured, so outsiders cannot predict them.
 */
export class DecoySource {
  private readonly secret: Buffer;

  constructor(secret?: string | Uint8Array) {
    this.secret = secret === undefined ? randomBytes(32) : Buffer.from(secret);
  }

  /** 64 deterministic bytes for (purpose, input). */
  bytes(purpose: string, input: string): Buffer {
    return createHmac('sha512', this.secret).update(`${purpose}\0${input}`, 'utf8').digest();
  }

  /** A deterministic choice in [0, count). */
  pick(purpose: string, input: string, count: number): number {
    return this.bytes(purpose, input).readUInt32BE(0) % count;
  }

  /** A deterministic string of `length` characters from `alphabet`. */
  text(purpose: string, input: string, length: number, alphabet: string): string {
    let out = '';
    for (let round = 0; out.length < length; round++) {
      for (const byte of this.bytes(`${purpose}#${round}`, input)) {
        if (out.length === length) break;
        out += alphabet.charAt(byte % alphabet.length);
      }
    }
    return out;
  }
}
