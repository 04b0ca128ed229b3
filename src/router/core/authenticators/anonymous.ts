import type { Authenticator } from '../auth.js';

/** Options of `anonymousAuth()`. */
export interface AnonymousAuthOptions {
  /** Role given to anonymous sessions; 'anonymous' by default. */
  readonly authrole?: string;
}

/**
 * Admits everyone (the default when a router has no authenticators configured). The authid
 * is always generated (`anonymous-<session id>`) and the role is the configured one: HELLO's
 * authid and authrole are claims nobody verified, so an anonymous session never gets them.
 */
export function anonymousAuth(options: AnonymousAuthOptions = {}): Authenticator {
  const authrole = options.authrole ?? 'anonymous';
  return {
    authmethod: 'anonymous',
    begin(hello) {
      return { kind: 'welcome', identity: { authid: `anonymous-${hello.sessionId}`, authrole, authprovider: 'static' } };
    },
  };
}
