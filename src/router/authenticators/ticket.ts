import { ErrorUri } from '../../protocol/index.js';
import { AuthDenied, lookupPrincipal, type Authenticator, type PrincipalSource } from '../auth.js';
import { requireAuthid, secretsEqual } from './shared.js';

export interface TicketPrincipal {
  readonly ticket: string;
  readonly authrole: string;
}

/** Ticket authentication (spec §9.2): CHALLENGE {}, AUTHENTICATE carries the ticket. */
export function ticketAuth(options: { readonly principals: PrincipalSource<TicketPrincipal> }): Authenticator {
  return {
    authmethod: 'ticket',
    async begin(hello) {
      const authid = requireAuthid(hello.authid, 'ticket');
      const principal = await lookupPrincipal(options.principals, authid, hello.realm);
      return {
        kind: 'challenge',
        extra: {},
        verify(ticket) {
          // An unknown principal is refused only now, so the CHALLENGE does not reveal it.
          if (!principal || !secretsEqual(ticket, principal.ticket)) {
            throw new AuthDenied(ErrorUri.authenticationDenied, `ticket for "${authid}" rejected`);
          }
          return { authid, authrole: principal.authrole, authprovider: 'static' };
        },
      };
    },
  };
}
