/**
 * Ed25519 through WebCrypto for cryptosign. Kept apart from cryptosign.ts so the public
 * declarations of `rxwamp/auth` never mention WebCrypto's types (CryptoKey is only in lib.dom).
 */
import { fromHex, subtle, toHex } from './webcrypto.js';

/** PKCS#8 wrapping of a raw Ed25519 seed (RFC 8410), which is what WebCrypto imports. */
const PKCS8_ED25519_PREFIX = fromHex('302e020100300506032b657004220420', 'prefix');

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
    throw new Error(`cryptosign needs Ed25519 in WebCrypto, which this platform refused: ${(error as Error).message}`, { cause: error });
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
