import { ErrorUri } from '../../protocol/index.js';
import { AuthDenied, lookupPrincipal, type Authenticator, type PrincipalSource } from '../auth.js';
import { DecoySource, requireAuthid, secretsEqual } from './shared.js';

export interface TicketPrincipal {
  readonly ticket: string;
  readonly authrole: string;
}

export interface TicketAuthOptions {
  readonly principals: PrincipalSource<TicketPrincipal>;
}

/**
 * Ticket authentication (spec §9.2): CHALLENGE {}, AUTHENTICATE carries the ticket. An
 * unknown authid gets the same CHALLENGE and is refused only at AUTHENTICATE, after the same
 * comparison (against a stand-in ticket), with the same URI and message as a wrong ticket.
 */
export function ticketAuth(options: TicketAuthOptions): Authenticator {
  const decoys = new DecoySource();
  return {
    authmethod: 'ticket',
    async begin(hello) {
      const authid = requireAuthid(hello.authid, 'ticket');
      const principal = await lookupPrincipal(options.principals, authid, hello.realm);
      const decoy = decoys.bytes('ticket', authid).toString('base64'); // derived either way: same work for known and unknown
      const expected = principal?.ticket ?? decoy;
      return {
        kind: 'challenge',
        extra: {},
        verify(ticket) {
          if (!secretsEqual(ticket, expected) || !principal) {
            throw new AuthDenied(ErrorUri.authenticationDenied, `ticket for "${authid}" rejected`);
          }
          return { authid, authrole: principal.authrole, authprovider: 'static' };
        },
      };
    },
  };
}
