import { subtle, utf8 } from '../../../auth/webcrypto.js';
import { ErrorUri } from '../../../protocol/index.js';
import { AuthDenied } from '../auth.js';

export function requireAuthid(authid: string | undefined, method: string): string {
  if (authid === undefined || authid === '') throw new AuthDenied(ErrorUri.authenticationDenied, `${method} authentication needs HELLO.Details.authid`);
  return authid;
}

/**
 * Constant-time comparison of two strings. Both are hashed first (SHA-256), so their lengths do
 * not leak either, and the digests are compared in full whatever differs (WebCrypto has no
 * timingSafeEqual; an XOR over two fixed-length digests does the same).
 */
export async function secretsEqual(given: string, expected: string): Promise<boolean> {
  const crypto = subtle('the router authentication');
  const [a, b] = await Promise.all([crypto.digest('SHA-256', utf8(given)), crypto.digest('SHA-256', utf8(expected))]);
  const left = new Uint8Array(a);
  const right = new Uint8Array(b);
  let difference = left.length ^ right.length;
  for (let i = 0; i < left.length; i++) difference |= left[i]! ^ right[i]!;
  return difference === 0;
}

/**
 * Derives the stand-ins an authenticator shows for principals that do not exist, so that a
 * CHALLENGE never tells an unknown authid or key from a known one. The same secret and input
 * always give the same bytes (an unknown authid looks the same on every attempt); the secret
 * is random per authenticator unless configured, so outsiders cannot predict them.
 */
export class DecoySource {
  /** Bytes as utf8() gives them: on a plain (not shared) buffer, which WebCrypto takes. */
  readonly #secret: ReturnType<typeof utf8>;
  /** The HMAC key, imported on first use (WebCrypto imports asynchronously; the constructor cannot wait). */
  #key: Promise<CryptoKey> | undefined;

  constructor(secret?: string | Uint8Array) {
    this.#secret =
      secret === undefined ? globalThis.crypto.getRandomValues(new Uint8Array(32)) : typeof secret === 'string' ? utf8(secret) : new Uint8Array(secret);
  }

  /** 64 deterministic bytes for (purpose, input): HMAC-SHA-512 keyed with the secret. */
  async bytes(purpose: string, input: string): Promise<Uint8Array> {
    this.#key ??= subtle('the router authentication').importKey('raw', this.#secret, { name: 'HMAC', hash: 'SHA-512' }, false, ['sign']);
    const key = await this.#key;
    return new Uint8Array(await subtle('the router authentication').sign('HMAC', key, utf8(`${purpose}\0${input}`)));
  }

  /** A deterministic choice in [0, count). */
  async pick(purpose: string, input: string, count: number): Promise<number> {
    const bytes = await this.bytes(purpose, input);
    return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0) % count;
  }

  /** A deterministic string of `length` characters from `alphabet`. */
  async text(purpose: string, input: string, length: number, alphabet: string): Promise<string> {
    let out = '';
    for (let round = 0; out.length < length; round++) {
      for (const byte of await this.bytes(`${purpose}#${round}`, input)) {
        if (out.length === length) break;
        out += alphabet.charAt(byte % alphabet.length);
      }
    }
    return out;
  }
}
