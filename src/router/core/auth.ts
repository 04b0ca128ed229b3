import type { Dict, MatchPolicy } from '../../protocol/index.js';

/** What a client asked for in HELLO (spec §4.2, §9.1). */
export interface HelloInfo {
  /** The realm the client asked to join (one the router serves). */
  readonly realm: string;
  /** HELLO.Details.authid: only a claim until an authenticator has verified it. */
  readonly authid: string | undefined;
  /**
   * HELLO.Details.authrole: what the client asked for (Autobahn sends it). Only a claim: the
   * built-in authenticators ignore it, and the session gets the role its authenticator assigns.
   */
  readonly authrole: string | undefined;
  /** HELLO.Details.authmethods: the methods the client offers, in its order of preference. */
  readonly authmethods: readonly string[];
  /** HELLO.Details.authextra (`{}` when absent): e.g. cryptosign's `pubkey`. */
  readonly authextra: Dict;
  /** The session id WELCOME will carry (WAMP-CRA binds its challenge to it). */
  readonly sessionId: number;
}

/**
 * The identity a session is admitted with (WELCOME.Details, spec §4.3). The router uses it, and
 * never HELLO's claims, for caller/publisher disclosure and eligible/exclude_auth* filters.
 */
export interface Identity {
  /** Who the session is, as WELCOME.Details.authid tells it. */
  readonly authid: string;
  /** The session's role: what an Authorizer decides by. */
  readonly authrole: string;
  /** Who vouched for the identity (the built-in authenticators say `static`). */
  readonly authprovider?: string;
  /** Extra data for the client in WELCOME.Details.authextra. */
  readonly authextra?: Dict;
}

/**
 * An authenticator's first answer: admit at once (`kind: 'welcome'`, with the `identity` the
 * session is admitted with), or ask the client to prove itself (`kind: 'challenge'`: the
 * router sends CHALLENGE and admits the session with what `verify` returns).
 */
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
  /** The method's name in HELLO.Details.authmethods, e.g. `ticket`. */
  readonly authmethod: string;
  /** Called once per HELLO that chose this method: admits, challenges, or throws to refuse. */
  begin(hello: HelloInfo): AuthStep | Promise<AuthStep>;
}

/** What a session asks to do, as an Authorizer sees it. */
export type AuthorizedAction = 'call' | 'register' | 'publish' | 'subscribe';

/** One request to authorize, as an Authorizer gets it. */
export interface AuthorizationRequest {
  /** The realm the session joined. */
  readonly realm: string;
  /** The session's id. */
  readonly session: number;
  /** The identity its authenticator admitted the session with (never HELLO's claims). */
  readonly authid: string;
  /** The session's role, as its authenticator assigned it. */
  readonly authrole: string;
  /** The authentication method that admitted the session, e.g. `ticket` or `anonymous`. */
  readonly authmethod: string;
  /** What the session asks to do. */
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
  /**
   * Thrown by an authenticator's `begin` or `verify` to refuse the session.
   *
   * @param uri - The ABORT reason, e.g. `wamp.error.authentication_denied` (see ErrorUri).
   * @param message - Sent to the client as ABORT.Details.message.
   */
  constructor(
    readonly uri: string,
    message: string,
  ) {
    super(message);
    this.name = 'AuthDenied';
  }
}

/**
 * Principals for the built-in authenticators: a table by authid, or a function (which may
 * consult a database) that also sees the realm.
 */
export type PrincipalSource<P> = Readonly<Record<string, P>> | ((authid: string, realm: string) => P | undefined | Promise<P | undefined>);

export async function lookupPrincipal<P>(source: PrincipalSource<P>, authid: string, realm: string): Promise<P | undefined> {
  if (typeof source === 'function') return source(authid, realm);
  return Object.prototype.hasOwnProperty.call(source, authid) ? source[authid] : undefined;
}
