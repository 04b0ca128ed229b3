import { bytesToBase64 } from '../../../codec/base64.js';
import { ErrorUri } from '../../../protocol/index.js';
import { AuthDenied, lookupPrincipal, type Authenticator, type PrincipalSource } from '../auth.js';
import { DecoySource, requireAuthid, secretsEqual } from './shared.js';

/** One user of ticket authentication, by authid in TicketAuthOptions.principals. */
export interface TicketPrincipal {
  /** The ticket the client must send, compared in constant time. */
  readonly ticket: string;
  /** The role the session is admitted with. */
  readonly authrole: string;
}

/** Options of `ticketAuth()`. */
export interface TicketAuthOptions {
  /** The users: a table by authid, or a lookup function `(authid, realm) => principal | undefined`. */
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
      const decoy = bytesToBase64(await decoys.bytes('ticket', authid)); // derived either way: same work for known and unknown
      const expected = principal?.ticket ?? decoy;
      return {
        kind: 'challenge',
        extra: {},
        async verify(ticket) {
          if (!(await secretsEqual(ticket, expected)) || !principal) {
            throw new AuthDenied(ErrorUri.authenticationDenied, `ticket for "${authid}" rejected`);
          }
          return { authid, authrole: principal.authrole, authprovider: 'static' };
        },
      };
    },
  };
}
