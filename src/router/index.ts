/**
 * rxwamp/router: an embedded, single-process WAMP v2 router (Node only). Never imported by
 * the client.
 *
 * @module rxwamp/router
 */
export { Router, type ListenOptions, type ListeningAddress } from './node/router.js';
export type { RawSocketAddress, RawSocketListenOptions, RawSocketPingPolicy } from './node/rawsocket-server.js';
export type { RouterOptions, RealmOptions } from './core/router-options.js';
export { DEFAULT_SESSION_LIMITS, LimitErrorUri, type SessionLimits } from './core/session-limits.js';
export {
  AuthDenied,
  type Authenticator,
  type AuthStep,
  type HelloInfo,
  type Identity,
  type PrincipalSource,
  type Authorizer,
  type AuthorizationRequest,
  type AuthorizedAction,
} from './core/auth.js';
export { anonymousAuth, type AnonymousAuthOptions } from './core/authenticators/anonymous.js';
export { ticketAuth, type TicketPrincipal, type TicketAuthOptions } from './core/authenticators/ticket.js';
export { wampcraAuth, deriveCraKey, signCraChallenge, type CraPrincipal, type CraDecoyShape, type WampcraAuthOptions } from './core/authenticators/wampcra.js';
export { cryptosignAuth, type CryptosignAuthOptions, type CryptosignLookup, type CryptosignPrincipal } from './core/authenticators/cryptosign.js';
export { ROUTER_ROLES, DEALER_FEATURES, BROKER_FEATURES } from './core/features.js';
