import type { Authenticator } from '../auth.js';

export interface AnonymousAuthOptions {
  /** Role given to anonymous sessions; 'anonymous' by default. */
  readonly authrole?: string;
}

/** Admits everyone (the default when a router has no authenticators configured). */
export function anonymousAuth(options: AnonymousAuthOptions = {}): Authenticator {
  const authrole = options.authrole ?? 'anonymous';
  return {
    authmethod: 'anonymous',
    begin(hello) {
      return { kind: 'welcome', identity: { authid: hello.authid ?? `anonymous-${hello.sessionId}`, authrole, authprovider: 'static' } };
    },
  };
}
