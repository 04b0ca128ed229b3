import type { Dict } from '../../protocol/index.js';
import type { HelloInfo, Identity } from './auth.js';

/** What an authenticator sees of HELLO.Details: only well-typed values, everything else left out. */
export function readHello(realm: string, details: Dict, sessionId: number): HelloInfo {
  const authmethods = Array.isArray(details['authmethods'])
    ? (details['authmethods'] as unknown[]).filter((method): method is string => typeof method === 'string')
    : [];
  const authextra = details['authextra'];
  return {
    realm,
    authid: typeof details['authid'] === 'string' ? details['authid'] : undefined,
    authrole: typeof details['authrole'] === 'string' ? details['authrole'] : undefined,
    authmethods,
    authextra: typeof authextra === 'object' && authextra !== null && !Array.isArray(authextra) ? (authextra as Dict) : {},
    sessionId,
  };
}

/** An authenticator's bug must not admit a session without a proper identity. */
export function isIdentity(identity: unknown): identity is Identity {
  const candidate = identity as Partial<Identity> | undefined;
  return typeof candidate?.authid === 'string' && candidate.authid !== '' && typeof candidate.authrole === 'string' && candidate.authrole !== '';
}
