import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { ErrorUri } from '../../protocol/index.js';
import { AuthDenied, type Authenticator } from '../auth.js';

export interface CryptosignPrincipal {
  readonly authid: string;
  readonly authrole: string;
}

/**
 * Finds who owns a public key (64 hex chars). `authid` is HELLO's, when the client sent
 * one; return undefined to refuse.
 */
export type CryptosignLookup = (pubkey: string, authid: string | undefined, realm: string) =>
  CryptosignPrincipal | undefined | Promise<CryptosignPrincipal | undefined>;

export interface CryptosignAuthOptions {
  /** authid → its authorized public keys (hex), or a lookup function. */
  readonly principals: Readonly<Record<string, { readonly authrole: string; readonly authorizedKeys: readonly string[] }>> | CryptosignLookup;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
/** DER SubjectPublicKeyInfo header of an Ed25519 key; the raw 32 bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * WAMP-Cryptosign without channel binding (spec §9.4): CHALLENGE carries 32 random bytes,
 * AUTHENTICATE must be hex(signature ‖ challenge) signed by the announced key.
 */
export function cryptosignAuth(options: CryptosignAuthOptions): Authenticator {
  const lookup = typeof options.principals === 'function' ? options.principals : tableLookup(options.principals);
  return {
    authmethod: 'cryptosign',
    async begin(hello) {
      const pubkey = hello.authextra['pubkey'];
      if (typeof pubkey !== 'string' || !HEX_KEY.test(pubkey)) {
        throw new AuthDenied(ErrorUri.authenticationDenied, 'cryptosign needs authextra.pubkey: 32 bytes as 64 hex characters');
      }
      const principal = await lookup(pubkey.toLowerCase(), hello.authid, hello.realm);
      if (!principal) throw new AuthDenied(ErrorUri.noSuchPrincipal, 'public key not authorized');
      const key = ed25519Key(pubkey);
      const challenge = randomBytes(32);
      return {
        kind: 'challenge',
        extra: { challenge: challenge.toString('hex'), channel_binding: null },
        verify(signature) {
          if (!verifySignature(key, challenge, signature)) {
            throw new AuthDenied(ErrorUri.authenticationDenied, 'cryptosign signature rejected');
          }
          return { authid: principal.authid, authrole: principal.authrole, authprovider: 'static' };
        },
      };
    },
  };
}

function tableLookup(table: Exclude<CryptosignAuthOptions['principals'], CryptosignLookup>): CryptosignLookup {
  return (pubkey: string, authid: string | undefined) => {
    const candidates = authid !== undefined ? [authid] : Object.keys(table);
    for (const candidate of candidates) {
      const entry = Object.prototype.hasOwnProperty.call(table, candidate) ? table[candidate] : undefined;
      if (entry?.authorizedKeys.some((key) => key.toLowerCase() === pubkey)) return { authid: candidate, authrole: entry.authrole };
    }
    return undefined;
  };
}

function ed25519Key(pubkeyHex: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(pubkeyHex, 'hex')]), format: 'der', type: 'spki' });
}

/** The signature is 192 hex characters: 64 bytes of Ed25519 signature, then the 32 signed bytes. */
function verifySignature(key: KeyObject, challenge: Buffer, signatureHex: string): boolean {
  if (!/^[0-9a-fA-F]{192}$/.test(signatureHex)) return false;
  const bytes = Buffer.from(signatureHex, 'hex');
  const signed = bytes.subarray(64);
  if (!signed.equals(challenge)) return false;
  try {
    return verify(null, signed, key, bytes.subarray(0, 64));
  } catch {
    return false;
  }
}
