import { resolveSecret, type Authenticator, type Secret } from './authenticator.js';
import type { Dict } from '../protocol/messages.js';

/** Options of `ticket()`. */
export interface TicketOptions {
  /** Who the client says it is (HELLO.Details.authid); the router looks the ticket up by it. */
  readonly authid: string;
  /** The ticket (token, password); a function is asked again on every join. Sent in clear: use wss://. */
  readonly ticket: Secret;
  /** The role asked for; rxwamp's router ignores it and assigns the principal's role. */
  readonly authrole?: string;
  /** Sent as HELLO.Details.authextra. */
  readonly authextra?: Dict;
}

/** Ticket authentication (digest §9.2): the router's CHALLENGE is answered with the ticket itself. */
export function ticket(options: TicketOptions): Authenticator {
  return {
    method: 'ticket',
    hello: () => ({ authid: options.authid, authrole: options.authrole, authextra: options.authextra }),
    answer: async () => ({ signature: await resolveSecret(options.ticket) }),
  };
}
