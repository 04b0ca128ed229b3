import type { Authenticator } from './authenticator.js';

/** Offers `anonymous` (the usual name of joining without credentials), e.g. as a fallback after another method. */
export function anonymous(options: { readonly authid?: string } = {}): Authenticator {
  return {
    method: 'anonymous',
    hello: () => (options.authid === undefined ? {} : { authid: options.authid }),
    answer: () => ({ signature: '' }),
  };
}
