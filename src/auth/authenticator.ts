import type { Dict } from '../protocol/messages.js';

/** A value, or a function giving it (sync or async): called on every join, so a token can be refreshed. */
export type Secret<T = string> = T | (() => T | Promise<T>);

/** What HELLO.Details carries for one authentication method (digest §4.2). */
export interface HelloAuth {
  /** HELLO.Details.authid: who the client says it is. */
  readonly authid?: string;
  /** HELLO.Details.authrole: the role asked for (routers may ignore it and assign their own). */
  readonly authrole?: string;
  /** HELLO.Details.authextra: what the method needs besides (e.g. cryptosign's `pubkey`). */
  readonly authextra?: Dict;
}

/** What AUTHENTICATE carries in answer to a CHALLENGE. */
export interface ChallengeAnswer {
  /** AUTHENTICATE.Signature: the ticket, or the signature the method computed. */
  readonly signature: string;
  /** AUTHENTICATE.Extra, when the method sends any. */
  readonly extra?: Dict;
}

/**
 * One authentication method the client offers. `ticket`, `wampcra`, `cryptosign` and
 * `anonymous` from `rxwamp/auth` build these; anything custom implements the interface.
 */
export interface Authenticator {
  /** The `authmethods` name, e.g. `ticket`. */
  readonly method: string;
  /** HELLO details for this method, computed on every (re)join. */
  hello(): HelloAuth | Promise<HelloAuth>;
  /** Answers the router's CHALLENGE for this method (its Extra dict). */
  answer(extra: Dict): ChallengeAnswer | Promise<ChallengeAnswer>;
}

export async function resolveSecret<T>(secret: Secret<T>): Promise<T> {
  return typeof secret === 'function' ? await (secret as () => T | Promise<T>)() : secret;
}
