import type { Codec } from '../../codec/index.js';
import type { MatchPolicy } from '../../protocol/index.js';
import type { AuthorizedAction, Identity } from './auth.js';
import type { FlowGate } from './flow-control.js';

/**
 * What became of a message the router tried to send:
 * - sent
 * - closed: the session is gone or has said GOODBYE (nothing may follow it, §4.5)
 * - unencodable: the payload has no form in this peer's serializer
 * - oversize: encoded, it is over maxMessageSize; it was not sent
 */
export type SendOutcome = 'sent' | 'closed' | 'unencodable' | 'oversize';

/** The session identity as WELCOME announced it. */
export interface SessionIdentity extends Identity {
  readonly authmethod: string;
}

/** Whether a session may do `action` on `uri`; the dealer and broker ask before acting. */
export type Permits = (session: RoutedSession, action: AuthorizedAction, uri: string, match: MatchPolicy) => boolean;

/**
 * A joined session as its realm's dealer and broker see it: who it is, what it announced, and
 * how to send to it. RouterSession implements it; the realm's parts depend only on this, so the
 * realm never imports the session that joins it.
 */
export interface RoutedSession {
  /** WELCOME.Session. */
  readonly id: number;
  readonly identity: SessionIdentity | undefined;
  /** Backpressure between this peer and the peers whose messages it relays (see FlowGate). */
  readonly flow: FlowGate;
  /** Whether the client announced `feature` for `role` in HELLO. */
  supports(role: 'caller' | 'callee' | 'publisher' | 'subscriber', feature: string): boolean;
  /** The next router → client request id (INVOCATION). */
  nextInvocationId(): number;
  /** Sends a message; false if it was not sent (see trySend). */
  send(message: readonly unknown[]): boolean;
  /** Sends a message and says what became of it. */
  trySend(message: readonly unknown[]): SendOutcome;
  /** Sends one message to many peers, encoding it once per serializer (`encoded` caches the frames). */
  sendShared(message: readonly unknown[], encoded: Map<Codec, string | Uint8Array | null>): boolean;
}
