import type { Dict } from '../protocol/messages.js';
import { resolveSecret, type Authenticator, type Secret } from './authenticator.js';
import { importSeed, signCryptosign } from './ed25519.js';
import { fromHex } from './webcrypto.js';

/** Options of `cryptosign()`. */
export interface CryptosignOptions {
  /** Optional: without it the router picks one (often the public key). */
  readonly authid?: string;
  /** The Ed25519 private key as its 32-byte seed: 64 hex characters or the bytes. */
  readonly privateKey: Secret<string | Uint8Array>;
  /** The role asked for; rxwamp's router ignores it and assigns the principal's role. */
  readonly authrole?: string;
  /** Sent as HELLO.Details.authextra, together with the `pubkey` rxwamp adds. */
  readonly authextra?: Dict;
}

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
