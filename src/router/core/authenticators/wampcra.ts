import { deriveKey, signChallenge } from '../../../auth/wampcra.js';
import { bytesToBase64 } from '../../../codec/base64.js';
import { ErrorUri } from '../../../protocol/index.js';
import { AuthDenied, lookupPrincipal, type Authenticator, type PrincipalSource } from '../auth.js';
import { DecoySource, requireAuthid, secretsEqual } from './shared.js';

/** One user of WAMP-CRA, by authid in WampcraAuthOptions.principals. */
export interface CraPrincipal {
  /** The role the session is admitted with. */
  readonly authrole: string;
  /**
   * The HMAC key: the plain secret, or for a salted principal the derived key that
   * `await deriveCraKey(password, salt, iterations, keylen)` gives (store that, not the password).
   */
  readonly secret: string;
  /** Salted WAMP-CRA: the client derives the key from its password with these. */
  readonly salt?: string;
  /** Salted WAMP-CRA: the PBKDF2 iterations `secret` was derived with (default 1000, as Autobahn's). */
  readonly iterations?: number;
  /** Salted WAMP-CRA: the derived key's length in bytes (default 32, as Autobahn's). */
  readonly keylen?: number;
}

/**
 * What the CHALLENGE for an authid that has no principal looks like: the role named in the
 * challenge string and, when salted, the salt parameters (the salt itself is derived from the
 * authid, so it is the same on every attempt).
 */
export interface CraDecoyShape {
  /** The role the challenge string names. */
  readonly authrole: string;
  /** Present for a salted shape: the salt parameters the CHALLENGE shows. */
  readonly salted?: {
    /** The PBKDF2 iterations shown. */
    readonly iterations: number;
    /** The derived key length shown, in bytes. */
    readonly keylen: number;
    /** The fake salt's length, in characters (its padding included). */
    readonly saltLength: number;
    /** Characters the fake salt is made of (default: the base64 alphabet). */
    readonly saltAlphabet?: string;
    /** How many of its last characters are base64 padding ('='). */
    readonly saltPadding?: number;
  };
}

/** Options of `wampcraAuth()`. */
export interface WampcraAuthOptions {
  /** The users: a table by authid, or a lookup function `(authid, realm) => principal | undefined`. */
  readonly principals: PrincipalSource<CraPrincipal>;
  /**
   * Shapes for unknown authids; each unknown authid always gets the same one of them. Default:
   * with a table, the shapes of the table's own principals (so an unknown authid looks like a
   * randomly chosen real one: same roles, same salted/unsalted mix, same iterations and keylen);
   * with a lookup function, `[{ authrole: 'user' }]` (unsalted): set it to match your principals.
   */
  readonly decoys?: readonly CraDecoyShape[];
  /**
   * Key the fake salts are derived from. Default: random per authenticator, so fake salts change
   * when the router restarts (real ones do not); set it to keep them stable across restarts and
   * across several routers.
   */
  readonly decoySecret?: string | Uint8Array;
}

/**
 * The key of salted WAMP-CRA (spec §9.3): base64 text of PBKDF2-HMAC-SHA256 over the
 * UTF-8 password and UTF-8 salt, as Autobahn computes it. Asynchronous, as WebCrypto is
 * (the router core uses no Node module, so it runs in browsers too).
 *
 * @param password - The salted principal's password (what its client knows).
 * @param salt - The salt the router shows in CHALLENGE (`CraPrincipal.salt`).
 * @param iterations - PBKDF2 iterations (default 1000, as Autobahn's).
 * @param keylen - The derived key's length in bytes (default 32, as Autobahn's).
 * @returns The key to store as `CraPrincipal.secret`, as base64 text.
 */
export function deriveCraKey(password: string, salt: string, iterations = 1000, keylen = 32): Promise<string> {
  return deriveKey(password, salt, iterations, keylen);
}

/**
 * The WAMP-CRA signature of `challenge` (spec §9.3): base64 HMAC-SHA256 keyed with `key` (the
 * secret, or for salted users what `deriveCraKey` gives). What a client sends in AUTHENTICATE.
 * Asynchronous, as WebCrypto is.
 *
 * @param key - The UTF-8 HMAC key: the secret, or the salted key `deriveCraKey` gives.
 * @param challenge - CHALLENGE.Extra.challenge, signed exactly as received.
 * @returns The signature, as base64 text.
 */
export function signCraChallenge(key: string, challenge: string): Promise<string> {
  return signChallenge(key, challenge);
}

/**
 * WAMP-CRA (spec §9.3): a JSON challenge bound to the session, answered with its HMAC. An
 * authid without a principal gets a CHALLENGE of the same shape (see `decoys`) and is refused
 * at AUTHENTICATE, after the same HMAC and comparison, with the URI and message of a wrong secret.
 */
export function wampcraAuth(options: WampcraAuthOptions): Authenticator {
  const decoySource = new DecoySource(options.decoySecret);
  const decoys = options.decoys ?? tableShapes(options.principals) ?? [{ authrole: 'user' }];
  if (decoys.length === 0) throw new TypeError('wampcraAuth: decoys must not be empty');
  return {
    authmethod: 'wampcra',
    async begin(hello) {
      const authid = requireAuthid(hello.authid, 'wampcra');
      const principal = await lookupPrincipal(options.principals, authid, hello.realm);
      const decoy = await decoyPrincipal(decoySource, decoys, authid); // derived either way: same work for known and unknown
      const shown = principal ?? decoy;
      const challenge = JSON.stringify({
        authid,
        authrole: shown.authrole,
        authmethod: 'wampcra',
        authprovider: 'static',
        nonce: bytesToBase64(globalThis.crypto.getRandomValues(new Uint8Array(16))),
        timestamp: new Date().toISOString(),
        session: hello.sessionId,
      });
      const extra: Record<string, unknown> = { challenge };
      if (shown.salt !== undefined) {
        extra['salt'] = shown.salt;
        extra['iterations'] = shown.iterations ?? 1000;
        extra['keylen'] = shown.keylen ?? 32;
      }
      return {
        kind: 'challenge',
        extra,
        async verify(signature) {
          if (!(await secretsEqual(signature, await signCraChallenge(shown.secret, challenge))) || !principal) {
            throw new AuthDenied(ErrorUri.authenticationDenied, `WAMP-CRA signature of "${authid}" rejected`);
          }
          return { authid, authrole: principal.authrole, authprovider: 'static' };
        },
      };
    },
  };
}

/** The shapes of a principal table's entries, computed once (so an unknown authid costs no more than a known one). */
function tableShapes(principals: PrincipalSource<CraPrincipal>): CraDecoyShape[] | undefined {
  if (typeof principals === 'function') return undefined;
  const shapes = Object.values(principals).map((principal): CraDecoyShape =>
    principal.salt === undefined
      ? { authrole: principal.authrole }
      : {
          authrole: principal.authrole,
          salted: {
            iterations: principal.iterations ?? 1000,
            keylen: principal.keylen ?? 32,
            saltLength: principal.salt.length,
            saltAlphabet: alphabetOf(principal.salt.replace(/=+$/, '')),
            saltPadding: /=*$/.exec(principal.salt)![0].length,
          },
        },
  );
  return shapes.length > 0 ? shapes : undefined;
}

/** A stand-in principal for an unknown authid: its shape, salt and key are fixed by the authid. */
async function decoyPrincipal(source: DecoySource, decoys: readonly CraDecoyShape[], authid: string): Promise<CraPrincipal> {
  const shape = decoys[await source.pick('wampcra-shape', authid, decoys.length)]!;
  const secret = bytesToBase64(await source.bytes('wampcra-key', authid));
  if (!shape.salted) return { authrole: shape.authrole, secret };
  const { iterations, keylen, saltLength, saltAlphabet = SALT_ALPHABETS.at(-1)!, saltPadding = 0 } = shape.salted;
  const padding = Math.min(saltPadding, saltLength - 1);
  const salt = (await source.text('wampcra-salt', authid, Math.max(1, saltLength - padding), saltAlphabet)) + '='.repeat(Math.max(0, padding));
  return { authrole: shape.authrole, secret, salt, iterations, keylen };
}

/** From narrow to wide: a fake salt uses the narrowest one the real salt it imitates fits in. */
const SALT_ALPHABETS = [
  '0123456789',
  '0123456789abcdef',
  '0123456789ABCDEF',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_',
  'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/',
];

function alphabetOf(salt: string): string {
  // eslint-disable-next-line @typescript-eslint/no-misused-spread -- the alphabets are ASCII: any code point fits or not
  return SALT_ALPHABETS.find((alphabet) => [...salt].every((char) => alphabet.includes(char))) ?? SALT_ALPHABETS.at(-1)!;
}
