import { bytesToBase64 } from '../codec/base64.js';
import type { Dict } from '../protocol/messages.js';
import { resolveSecret, type Authenticator, type Secret } from './authenticator.js';
import { subtle, utf8 } from './webcrypto.js';

/** Options of `wampcra()`. */
export interface WampCraOptions {
  /** Who the client says it is (HELLO.Details.authid); the router looks the secret up by it. */
  readonly authid: string;
  /** The shared secret (for salted users: the password); a function is asked again on every join. */
  readonly secret: Secret;
  /** The role asked for; rxwamp's router ignores it and assigns the principal's role. */
  readonly authrole?: string;
  /** Sent as HELLO.Details.authextra. */
  readonly authextra?: Dict;
  /** Most PBKDF2 iterations a salted CHALLENGE may ask for (default 1,000,000); more is refused before deriving. */
  readonly maxIterations?: number;
  /** Longest derived key, in bytes, a salted CHALLENGE may ask for (default 64); longer is refused before deriving. */
  readonly maxKeylen?: number;
}

/** What a salted CHALLENGE without iterations/keylen means: Autobahn's defaults (autobahn-python derive_key, autobahn-js cra.js). */
const DEFAULT_ITERATIONS = 1000;
const DEFAULT_KEYLEN = 32;

/**
 * The router chooses the PBKDF2 cost, so a hostile or misconfigured one could ask for 2^31−1
 * iterations (minutes of a WebCrypto worker thread on a fast server, far more on a phone, and
 * again on every reconnect). Real deployments ask for far less: Crossbar's docs and
 * Autobahn|Python's examples use 100, Autobahn's default is 1000, OWASP (2023) recommends
 * 600,000 for PBKDF2-HMAC-SHA256. 1,000,000 leaves room above OWASP and costs about 0.2 s in
 * Node 20 on a server core. keylen: Crossbar's example uses 16, Autobahn's default is 32 (one
 * SHA-256 block); every further 32 bytes reruns all iterations, so a big keylen is an iteration
 * multiplier in disguise. 64 bounds the worst case at twice the iteration limit.
 */
const DEFAULT_MAX_ITERATIONS = 1_000_000;
const DEFAULT_MAX_KEYLEN = 64;

interface SaltedParameters {
  readonly salt: string;
  readonly iterations: number;
  readonly keylen: number;
}

interface Limits {
  readonly maxIterations: number;
  readonly maxKeylen: number;
}

/**
 * WAMP-CRA (digest §9.3): HMAC-SHA256 of the challenge string, keyed with the secret, or for
 * salted users with the base64 text of PBKDF2-SHA256(secret, salt, iterations, keylen).
 */
export function wampcra(options: WampCraOptions): Authenticator {
  const limits: Limits = {
    maxIterations: limitOption(options.maxIterations, 'maxIterations', DEFAULT_MAX_ITERATIONS),
    maxKeylen: limitOption(options.maxKeylen, 'maxKeylen', DEFAULT_MAX_KEYLEN),
  };
  return {
    method: 'wampcra',
    hello: () => ({ authid: options.authid, authrole: options.authrole, authextra: options.authextra }),
    answer: async (extra) => {
      const challenge = extra['challenge'];
      if (typeof challenge !== 'string') throw new Error('the wampcra CHALLENGE carries no challenge string');
      // Checked before the secret is asked for, so a refused challenge costs nothing.
      const salted = saltedParameters(extra, limits);
      const secret = await resolveSecret(options.secret);
      const key = salted ? await deriveKey(secret, salted.salt, salted.iterations, salted.keylen) : secret;
      return { signature: await signChallenge(key, challenge) };
    },
  };
}

/**
 * The PBKDF2 parameters of a salted CHALLENGE, or undefined when it is unsalted (no salt, or
 * null; Autobahn then ignores iterations and keylen too). Absent iterations/keylen take
 * Autobahn's defaults; anything present must be a positive integer within the limits.
 */
function saltedParameters(extra: Dict, limits: Limits): SaltedParameters | undefined {
  const salt = extra['salt'];
  if (salt === undefined || salt === null) return undefined;
  if (typeof salt !== 'string') throw new TypeError(`the wampcra CHALLENGE's salt must be a string, but is ${describe(salt)}`);
  return {
    salt,
    iterations: parameter(extra['iterations'], 'iterations', DEFAULT_ITERATIONS, limits.maxIterations, 'maxIterations'),
    keylen: parameter(extra['keylen'], 'keylen', DEFAULT_KEYLEN, limits.maxKeylen, 'maxKeylen'),
  };
}

function parameter(value: unknown, name: string, fallback: number, limit: number, option: string): number {
  if (value === undefined || value === null) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`the wampcra CHALLENGE's ${name} must be a positive integer, but is ${describe(value)}`);
  }
  if (value > limit) {
    throw new RangeError(
      `the wampcra CHALLENGE asks for PBKDF2 ${name} ${value}, over this client's limit of ${limit}; ` +
        `refused before deriving the key (if your router is really configured so, raise the limit: wampcra({ ..., ${option}: ${value} }))`,
    );
  }
  return value;
}

function limitOption(value: number | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) throw new TypeError(`wampcra: ${name} must be a positive integer, but is ${describe(value)}`);
  return value;
}

/** A value for an error message: its type and a short rendering (only CHALLENGE fields and options come here, never the secret). */
function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return `${value === null ? '' : `the ${typeof value} `}${text.length > 40 ? `${text.slice(0, 40)}…` : text}`;
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
