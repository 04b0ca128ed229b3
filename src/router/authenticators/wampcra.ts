import { createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { ErrorUri } from '../../protocol/index.js';
import { AuthDenied, lookupPrincipal, type Authenticator, type PrincipalSource } from '../auth.js';
import { requireAuthid, secretsEqual } from './shared.js';

export interface CraPrincipal {
  readonly authrole: string;
  /**
   * The HMAC key: the plain secret, or for a salted principal the derived key that
   * `deriveCraKey(password, salt, iterations, keylen)` gives (store that, not the password).
   */
  readonly secret: string;
  /** Salted WAMP-CRA: the client derives the key from its password with these. */
  readonly salt?: string;
  readonly iterations?: number;
  readonly keylen?: number;
}

/**
 * The key of salted WAMP-CRA (spec §9.3): base64 text of PBKDF2-HMAC-SHA256 over the
 * UTF-8 password and UTF-8 salt, as Autobahn computes it.
 */
export function deriveCraKey(password: string, salt: string, iterations = 1000, keylen = 32): string {
  return pbkdf2Sync(Buffer.from(password, 'utf8'), Buffer.from(salt, 'utf8'), iterations, keylen, 'sha256').toString('base64');
}

export function signCraChallenge(key: string, challenge: string): string {
  return createHmac('sha256', Buffer.from(key, 'utf8')).update(challenge, 'utf8').digest('base64');
}

/** WAMP-CRA (spec §9.3): a JSON challenge bound to the session, answered with its HMAC. */
export function wampcraAuth(options: { readonly principals: PrincipalSource<CraPrincipal> }): Authenticator {
  return {
    authmethod: 'wampcra',
    async begin(hello) {
      const authid = requireAuthid(hello.authid, 'wampcra');
      const principal = await lookupPrincipal(options.principals, authid, hello.realm);
      if (!principal) throw new AuthDenied(ErrorUri.noSuchPrincipal, `no principal "${authid}"`);
      const challenge = JSON.stringify({
        authid,
        authrole: principal.authrole,
        authmethod: 'wampcra',
        authprovider: 'static',
        nonce: randomBytes(16).toString('base64'),
        timestamp: new Date().toISOString(),
        session: hello.sessionId,
      });
      const extra: Record<string, unknown> = { challenge };
      if (principal.salt !== undefined) {
        extra['salt'] = principal.salt;
        extra['iterations'] = principal.iterations ?? 1000;
        extra['keylen'] = principal.keylen ?? 32;
      }
      return {
        kind: 'challenge',
        extra,
        verify(signature) {
          if (!secretsEqual(signature, signCraChallenge(principal.secret, challenge))) {
            throw new AuthDenied(ErrorUri.authenticationDenied, `WAMP-CRA signature of "${authid}" rejected`);
          }
          return { authid, authrole: principal.authrole, authprovider: 'static' };
        },
      };
    },
  };
}
