import { createPublicKey, generateKeyPairSync, randomBytes, verify, type KeyObject } from 'node:crypto';
import { ErrorUri } from '../../protocol/index.js';
import { AuthDenied, type Authenticator } from '../auth.js';

/** Who owns a public key, as a CryptosignLookup answers. */
export interface CryptosignPrincipal {
  /** The authid the session is admitted with. */
  readonly authid: string;
  /** The role the session is admitted with. */
  readonly authrole: string;
}

/**
 * Finds who owns a public key (64 hex chars, lowercase). `authid` is HELLO's, when the client
 * sent one (a claim: return undefined unless the key belongs to that authid); return undefined
 * to refuse.
 */
export type CryptosignLookup = (
  pubkey: string,
  authid: string | undefined,
  realm: string,
) => CryptosignPrincipal | undefined | Promise<CryptosignPrincipal | undefined>;

/** Options of `cryptosignAuth()`. */
export interface CryptosignAuthOptions {
  /**
   * A table from authid to `{ authrole, authorizedKeys }` (the role, and the Ed25519 public
   * keys, 64 hex characters each, that may join as that authid), or a lookup function.
   */
  readonly principals: Readonly<Record<string, { readonly authrole: string; readonly authorizedKeys: readonly string[] }>> | CryptosignLookup;
}

const HEX_KEY = /^[0-9a-fA-F]{64}$/;
/** DER SubjectPublicKeyInfo header of an Ed25519 key; the raw 32 bytes follow it. */
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/**
 * WAMP-Cryptosign without channel binding (spec §9.4): CHALLENGE carries 32 random bytes,
 * AUTHENTICATE must be hex(signature ‖ challenge) signed by the announced key. A key nobody
 * owns (or not the claimed authid's) gets the same CHALLENGE and is refused at AUTHENTICATE,
 * after the same signature check (against a stand-in key), with the URI of a bad signature.
 */
export function cryptosignAuth(options: CryptosignAuthOptions): Authenticator {
  const lookup = typeof options.principals === 'function' ? options.principals : tableLookup(options.principals);
  const decoyKey = generateKeyPairSync('ed25519').publicKey;
  return {
    authmethod: 'cryptosign',
    async begin(hello) {
      const pubkey = hello.authextra['pubkey'];
      if (typeof pubkey !== 'string' || !HEX_KEY.test(pubkey)) {
        throw new AuthDenied(ErrorUri.authenticationDenied, 'cryptosign needs authextra.pubkey: 32 bytes as 64 hex characters');
      }
      const principal = await lookup(pubkey.toLowerCase(), hello.authid, hello.realm);
      const announced = ed25519Key(pubkey); // parsed either way, so a known key costs no more time
      const key = principal && announced ? announced : decoyKey;
      const challenge = randomBytes(32);
      return {
        kind: 'challenge',
        extra: { challenge: challenge.toString('hex'), channel_binding: null },
        verify(signature) {
          if (!verifySignature(key, challenge, signature) || !principal) {
            throw new AuthDenied(ErrorUri.authenticationDenied, 'cryptosign signature rejected');
          }
          return { authid: principal.authid, authrole: principal.authrole, authprovider: 'static' };
        },
      };
    },
  };
}

/** An index by key, built once: finding a key costs the same whether anyone owns it or not. */
function tableLookup(table: Exclude<CryptosignAuthOptions['principals'], CryptosignLookup>): CryptosignLookup {
  const owners = new Map<string, CryptosignPrincipal[]>();
  for (const [authid, entry] of Object.entries(table)) {
    for (const key of entry.authorizedKeys) {
      const normalized = key.toLowerCase();
      owners.set(normalized, [...(owners.get(normalized) ?? []), { authid, authrole: entry.authrole }]);
    }
  }
  return (pubkey: string, authid: string | undefined) => {
    const candidates = owners.get(pubkey);
    return authid === undefined ? candidates?.[0] : candidates?.find((candidate) => candidate.authid === authid);
  };
}

function ed25519Key(pubkeyHex: string): KeyObject | undefined {
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, Buffer.from(pubkeyHex, 'hex')]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
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
