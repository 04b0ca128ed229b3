/**
 * Authentication methods for `WampClient`'s `auth` option, each a small function that an app
 * pays for only when it imports it: `import { ticket } from 'rxwamp/auth'`.
 *
 * @module rxwamp/auth
 */
export { anonymous } from './auth/anonymous.js';
export { cryptosign, type CryptosignOptions } from './auth/cryptosign.js';
export { ticket, type TicketOptions } from './auth/ticket.js';
export { wampcra, type WampCraOptions } from './auth/wampcra.js';
export type { Authenticator, ChallengeAnswer, HelloAuth, Secret } from './auth/authenticator.js';
