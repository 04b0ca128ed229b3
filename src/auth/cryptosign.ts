import type { Dict } from '../protocol/messages.js';
import { resolveSecret, type Authenticator, type Secret } from './authenticator.js';
import { fromHex, subtle, toHex } from './webcrypto.js';

export interface CryptosignOptions {
  /** Optional: without it the router picks one (often the public key). */
  readonly authid?: string;
  /** The Ed25519 private key as its 32-byte seed: 64 hex characters or the bytes. */
  readonly privateKey: Secret<string | Uint8Array>;
  readonly authrole?: string;
  readonly authextra?: Dict;
}

/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410), which is what WebCrypto imports. */
const PKCS8_ED25519_PREFIX = fromHex('302e020100300506032b657004220420', 'prefix');

/**
 * WAMP-Cryptosign (digest §9.4): HELLO carries the Ed25519 public key; the answer is
 * hex(signature ‖ challenge), 192 hex characters. TLS channel binding is not supported (no
 * browser can provide it): a CHALLENGE asking for one is refused.
 */
export function cryptosign(options: CryptosignOptions): Authenticator {
  let key: Promise<{ privateKey: CryptoKey; publicKeyHex: string }> | undefined;
  let keyFor: unknown;
  /** The key is imported once per distinct secret value (a function may hand out a new one). */
  const keyPair = async () => {
    const secret = await resolveSecret(options.privateKey);
    if (key === undefined || keyFor !== secret) {
      keyFor = secret;
      key = importSeed(secret);
    }
    return key;
  };
  return {
    method: 'cryptosign',
    hello: async () => {
      const { publicKeyHex } = await keyPair();
      return { authid: options.authid, authrole: options.authrole, authextra: { ...options.authextra, pubkey: publicKeyHex } };
    },
    answer: async (extra) => {
      const challenge = extra['challenge'];
      if (typeof challenge !== 'string' || challenge.length !== 64) throw new Error('the cryptosign CHALLENGE carries no 32-byte hex challenge');
      if (extra['channel_binding'] !== undefined && extra['channel_binding'] !== null) {
        throw new Error(`the router asked for channel binding "${String(extra['channel_binding'])}", which rxwamp does not support`);
      }
      const { privateKey } = await keyPair();
      return { signature: await signCryptosign(privateKey, fromHex(challenge, 'the cryptosign challenge')) };
    },
  };
}

/** hex(Ed25519 signature of the challenge bytes ‖ the challenge bytes). */
export async function signCryptosign(privateKey: CryptoKey, challenge: Uint8Array<ArrayBuffer>): Promise<string> {
  const signature = new Uint8Array(await subtle('cryptosign').sign({ name: 'Ed25519' }, privateKey, challenge));
  return toHex(signature) + toHex(challenge);
}

export async function importSeed(seed: string | Uint8Array): Promise<{ privateKey: CryptoKey; publicKeyHex: string }> {
  const bytes = typeof seed === 'string' ? fromHex(seed, 'cryptosign privateKey') : seed;
  if (bytes.length !== 32) throw new TypeError('cryptosign privateKey must be the 32-byte Ed25519 seed (64 hex characters)');
  const pkcs8 = new Uint8Array(PKCS8_ED25519_PREFIX.length + 32);
  pkcs8.set(PKCS8_ED25519_PREFIX);
  pkcs8.set(bytes, PKCS8_ED25519_PREFIX.length);
  const crypto = subtle('cryptosign');
  let privateKey: CryptoKey;
  try {
    privateKey = await crypto.importKey('pkcs8', pkcs8, { name: 'Ed25519' }, true, ['sign']);
  } catch (error) {
    throw new Error(`cryptosign needs Ed25519 in WebCrypto, which this platform refused: ${(error as Error).message}`);
  }
  // The JWK export carries the public key (x); nothing else leaves WebCrypto.
  const jwk = await crypto.exportKey('jwk', privateKey);
  return { privateKey, publicKeyHex: toHex(base64UrlToBytes(jwk.x!)) };
}

function base64UrlToBytes(text: string): Uint8Array {
  const base64 = text.replace(/-/g, '+').replace(/_/g, '/');
  const binary = atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (c) => c.charCodeAt(0));
}
