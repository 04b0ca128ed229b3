import type { Dict, MatchPolicy } from '../protocol/index.js';

/** What a client asked for in HELLO (spec §4.2, §9.1). */
export interface HelloInfo {
  readonly realm: string;
  /** HELLO.Details.authid: only a claim until an authenticator has verified it. */
  readonly authid: string | undefined;
  /**
   * HELLO.Details.authrole: what the client asked for (Autobahn sends it). Only a claim: the
   * built-in authenticators ignore it, and the session gets the role its authenticator assigns.
   */
  readonly authrole: string | undefined;
  readonly authmethods: readonly string[];
  readonly authextra: Dict;
  /** The session id WELCOME will carry (WAMP-CRA binds its challenge to it). */
  readonly sessionId: number;
}

/**
 * The identity a session is admitted with (WELCOME.Details, spec §4.3). The router uses it, and
 * never HELLO's claims, for caller/publisher disclosure and eligible/exclude_auth* filters.
 */
export interface Identity {
  readonly authid: string;
  readonly authrole: string;
  readonly authprovider?: string;
  readonly authextra?: Dict;
}

/** An authenticator's first answer: admit at once, or ask the client to prove itself. */
export type AuthStep =
  | { readonly kind: 'welcome'; readonly identity: Identity }
  | {
    readonly kind: 'challenge';
    /** CHALLENGE.Extra */
    readonly extra: Dict;
    /** Checks AUTHENTICATE's signature and extra; throws AuthDenied to refuse. */
    verify(signature: string, extra: Dict): Identity | Promise<Identity>;
  };

/**
 * One authentication method (`authmethod` name as in HELLO.Details.authmethods). `begin`
 * throws AuthDenied to refuse; any other exception refuses with
 * wamp.error.authentication_failed (fail secure).
 */
export interface Authenticator {
  readonly authmethod: string;
  begin(hello: HelloInfo): AuthStep | Promise<AuthStep>;
}

/** What a session asks to do, as an Authorizer sees it. */
export type AuthorizedAction = 'call' | 'register' | 'publish' | 'subscribe';

export interface AuthorizationRequest {
  readonly realm: string;
  readonly session: number;
  /** The identity its authenticator admitted the session with (never HELLO's claims). */
  readonly authid: string;
  readonly authrole: string;
  readonly authmethod: string;
  readonly action: AuthorizedAction;
  /** The procedure or topic (for REGISTER and SUBSCRIBE, the pattern). */
  readonly uri: string;
  /** The match policy of a REGISTER or SUBSCRIBE; 'exact' for CALL and PUBLISH. */
  readonly match: MatchPolicy;
}

/**
 * Decides, synchronously, whether a session may CALL, REGISTER, PUBLISH or SUBSCRIBE (so
 * messages are still handled in the order they came). false refuses with
 * wamp.error.not_authorized (a PUBLISH without acknowledge is dropped silently, §3.4); an
 * exception refuses too and is reported as an internal error.
 */
export type Authorizer = (request: AuthorizationRequest) => boolean;

/** Refuses a join: the session gets ABORT with this reason URI. */
export class AuthDenied extends Error {
  constructor(readonly uri: string, message: string) {
    super(message);
    this.name = 'AuthDenied';
  }
}

/**
 * Principals for the built-in authenticators: a table by authid, or a function (which may
 * consult a database) that also sees the realm.
 */
export type PrincipalSource<P> =
  | Readonly<Record<string, P>>
  | ((authid: string, realm: string) => P | undefined | Promise<P | undefined>);

export async function lookupPrincipal<P>(source: PrincipalSource<P>, authid: string, realm: string): Promise<P | undefined> {
  if (typeof source === 'function') return source(authid, realm);
  return Object.prototype.hasOwnProperty.call(source, authid) ? source[authid] : undefined;
}
