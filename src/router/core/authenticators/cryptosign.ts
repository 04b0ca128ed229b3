import { fromHex, subtle, toHex } from '../../../auth/webcrypto.js';
import { ErrorUri } from '../../../protocol/index.js';
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
const PURPOSE = 'the router cryptosign authentication';

/**
 * WAMP-Cryptosign without channel binding (spec §9.4): CHALLENGE carries 32 random bytes,
 * AUTHENTICATE must be hex(signature ‖ challenge) signed by the announced key. A key nobody
 * owns (or not the claimed authid's) gets the same CHALLENGE and is refused at AUTHENTICATE,
 * after the same signature check (against a stand-in key), with the URI of a bad signature.
 * Ed25519 goes through WebCrypto (Node 20, current browsers).
 */
export function cryptosignAuth(options: CryptosignAuthOptions): Authenticator {
  const lookup = typeof options.principals === 'function' ? options.principals : tableLookup(options.principals);
  // The stand-in key: a real Ed25519 public key whose private half nobody keeps (so no answer
  // verifies against it), generated on the first HELLO (WebCrypto generates asynchronously).
  let decoyKey: Promise<CryptoKey> | undefined;
  return {
    authmethod: 'cryptosign',
    async begin(hello) {
      const pubkey = hello.authextra['pubkey'];
      if (typeof pubkey !== 'string' || !HEX_KEY.test(pubkey)) {
        throw new AuthDenied(ErrorUri.authenticationDenied, 'cryptosign needs authextra.pubkey: 32 bytes as 64 hex characters');
      }
      const principal = await lookup(pubkey.toLowerCase(), hello.authid, hello.realm);
      decoyKey ??= generateDecoyKey();
      const [announced, decoy] = await Promise.all([ed25519Key(pubkey), decoyKey]); // parsed either way, so a known key costs no more time
      const key = principal && announced ? announced : decoy;
      const challenge = globalThis.crypto.getRandomValues(new Uint8Array(32));
      return {
        kind: 'challenge',
        extra: { challenge: toHex(challenge), channel_binding: null },
        async verify(signature) {
          if (!(await verifySignature(key, challenge, signature)) || !principal) {
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

async function generateDecoyKey(): Promise<CryptoKey> {
  const pair = await subtle(PURPOSE).generateKey({ name: 'Ed25519' }, false, ['sign', 'verify']);
  return pair.publicKey;
}

/** The announced key (64 hex characters, checked), or undefined when WebCrypto refuses it. */
async function ed25519Key(pubkeyHex: string): Promise<CryptoKey | undefined> {
  try {
    return await subtle(PURPOSE).importKey('raw', fromHex(pubkeyHex, 'pubkey'), { name: 'Ed25519' }, false, ['verify']);
  } catch {
    return undefined;
  }
}

/** The signature is 192 hex characters: 64 bytes of Ed25519 signature, then the 32 signed bytes. */
async function verifySignature(key: CryptoKey, challenge: Uint8Array, signatureHex: string): Promise<boolean> {
  if (!/^[0-9a-fA-F]{192}$/.test(signatureHex)) return false;
  const bytes = fromHex(signatureHex, 'signature');
  const signed = bytes.subarray(64);
  if (!sameBytes(signed, challenge)) return false;
  try {
    return await subtle(PURPOSE).verify({ name: 'Ed25519' }, key, bytes.subarray(0, 64), signed);
  } catch {
    return false;
  }
}

/** Whether two byte strings are equal (the challenge is public: no need for constant time). */
function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
