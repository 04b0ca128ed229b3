/**
 * rxwamp/router: an embedded, single-process WAMP v2 router (Node only). Never imported by
 * the client.
 *
 * @module rxwamp/router
 */
export { Router, type ListenOptions, type ListeningAddress } from './router.js';
export type { RawSocketAddress, RawSocketListenOptions, RawSocketPingPolicy } from './rawsocket-server.js';
export type { RouterOptions, RealmOptions } from './router-options.js';
export { DEFAULT_SESSION_LIMITS, LimitErrorUri, type SessionLimits } from './session-limits.js';
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
} from './auth.js';
export { anonymousAuth, type AnonymousAuthOptions } from './authenticators/anonymous.js';
export { ticketAuth, type TicketPrincipal, type TicketAuthOptions } from './authenticators/ticket.js';
export { wampcraAuth, deriveCraKey, signCraChallenge, type CraPrincipal, type CraDecoyShape, type WampcraAuthOptions } from './authenticators/wampcra.js';
export { cryptosignAuth, type CryptosignAuthOptions, type CryptosignLookup, type CryptosignPrincipal } from './authenticators/cryptosign.js';
export { ROUTER_ROLES, DEALER_FEATURES, BROKER_FEATURES } from './features.js';
