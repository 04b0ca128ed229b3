import { bytesToBase64 } from '../codec/base64.js';
import type { Dict } from '../protocol/messages.js';
import { resolveSecret, type Authenticator, type Secret } from './authenticator.js';
import { subtle, utf8 } from './webcrypto.js';

export interface WampCraOptions {
  readonly authid: string;
  /** The shared secret (for salted users: the password); a function is asked again on every join. */
  readonly secret: Secret;
  readonly authrole?: string;
  readonly authextra?: Dict;
}

/**
 * WAMP-CRA (digest §9.3): HMAC-SHA256 of the challenge string, keyed with the secret, or for
 * salted users with the base64 text of PBKDF2-SHA256(secret, salt, iterations, keylen).
 */
export function wampcra(options: WampCraOptions): Authenticator {
  return {
    method: 'wampcra',
    hello: () => ({ authid: options.authid, authrole: options.authrole, authextra: options.authextra }),
    answer: async (extra) => {
      const challenge = extra['challenge'];
      if (typeof challenge !== 'string') throw new Error('the wampcra CHALLENGE carries no challenge string');
      const secret = String(await resolveSecret(options.secret));
      const key = typeof extra['salt'] === 'string'
        ? await deriveKey(secret, extra['salt'], numberOr(extra['iterations'], 1000), numberOr(extra['keylen'], 32))
        : secret;
      return { signature: await signChallenge(key, challenge) };
    },
  };
}

/** base64(HMAC-SHA256(utf8(key), utf8(challenge))): the challenge string is signed exactly as received. */
export async function signChallenge(key: string, challenge: string): Promise<string> {
  const crypto = subtle('WAMP-CRA');
  const hmacKey = await crypto.importKey('raw', utf8(key), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return bytesToBase64(new Uint8Array(await crypto.sign('HMAC', hmacKey, utf8(challenge))));
}

/** The salted key: base64 of PBKDF2-HMAC-SHA256(utf8(secret), utf8(salt), iterations, keylen bytes), as Autobahn derives it. */
export async function deriveKey(secret: string, salt: string, iterations: number, keylen: number): Promise<string> {
  const crypto = subtle('salted WAMP-CRA');
  const password = await crypto.importKey('raw', utf8(secret), 'PBKDF2', false, ['deriveBits']);
  const bits = await crypto.deriveBits({ name: 'PBKDF2', salt: utf8(salt), iterations, hash: 'SHA-256' }, password, keylen * 8);
  return bytesToBase64(new Uint8Array(bits));
}

function numberOr(value: unknown, fallback: number): number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : fallback;
}
