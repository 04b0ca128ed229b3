import { resolveSecret, type Authenticator, type Secret } from './authenticator.js';
import type { Dict } from '../protocol/messages.js';

export interface TicketOptions {
  readonly authid: string;
  /** The ticket (token, password); a function is asked again on every join. Sent in clear: use wss://. */
  readonly ticket: Secret;
  readonly authrole?: string;
  readonly authextra?: Dict;
}

/** Ticket authentication (digest §9.2): the router's CHALLENGE is answered with the ticket itself. */
export function ticket(options: TicketOptions): Authenticator {
  return {
    method: 'ticket',
    hello: () => ({ authid: options.authid, authrole: options.authrole, authextra: options.authextra }),
    answer: async () => ({ signature: String(await resolveSecret(options.ticket)) }),
  };
}
