import type { Args, Dict } from './messages.js';

/**
 * What a WampError carries besides its URI; every field is optional.
 *
 * @inline
 */
export interface WampErrorInit {
  /** The ERROR's positional arguments. Default `[]`. */
  readonly args?: Args;
  /** The ERROR's keyword arguments. Default `{}`. */
  readonly kwargs?: Dict;
  /** The ERROR's details. Default `{}`. */
  readonly details?: Dict;
  /** Human-readable text; defaults to the URI plus `details.message` or the first string argument. */
  readonly message?: string;
  /** The error's `cause` (what led to it), kept for debugging; never sent. */
  readonly cause?: unknown;
}

/**
 * An error with a WAMP error URI: what a router or callee answered (ERROR, ABORT, GOODBYE),
 * or what rxwamp itself concluded (a protocol violation, a lost connection). Callees throw it
 * to answer with a specific URI, args and kwargs.
 */
export class WampError extends Error {
  /** The error URI, e.g. `wamp.error.no_such_procedure`: what to branch on. */
  readonly uri: string;
  /** The ERROR's positional arguments (`[]` when it had none). */
  readonly args: Args;
  /** The ERROR's keyword arguments (`{}` when it had none). */
  readonly kwargs: Dict;
  /** The ERROR's, ABORT's or GOODBYE's details (`{}` when it had none). */
  readonly details: Dict;

  /**
   * A callee throws `new WampError('com.myapp.error.not_found', { args: ['no such user'] })`
   * to answer its caller with that URI and payload.
   */
  constructor(uri: string, init: WampErrorInit = {}) {
    super(init.message ?? describe(uri, init.args, init.details), init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'WampError';
    this.uri = uri;
    this.args = init.args ?? [];
    this.kwargs = init.kwargs ?? {};
    this.details = init.details ?? {};
  }
}

function describe(uri: string, args: Args | undefined, details: Dict | undefined): string {
  const text = typeof details?.['message'] === 'string' ? details['message'] : typeof args?.[0] === 'string' ? args[0] : undefined;
  return text ? `${uri}: ${text}` : uri;
}

/**
 * Why a connection or session ended, as a stable code to branch on:
 * - `connect-failed`: the WebSocket could not be opened (refused, unreachable, no subprotocol);
 * - `timeout`: opening the WebSocket and joining the realm took longer than `connectTimeout`;
 * - `lost`: an open connection dropped, or the liveness deadline (ping/idle) passed;
 * - `router-closed`: the router ended the session (GOODBYE, or ABORT after WELCOME); see `reason`;
 * - `protocol-violation`: the router sent a malformed or unexpected message; rxwamp sent ABORT;
 * - `closed`: the application called `close()`.
 */
export type ConnectionErrorCode = 'connect-failed' | 'timeout' | 'lost' | 'router-closed' | 'protocol-violation' | 'closed';

/**
 * What a WampConnectionError carries besides its code and message; every field is optional.
 *
 * @inline
 */
export interface WampConnectionErrorInit {
  /** The WAMP close or abort reason URI, when the router gave one (or rxwamp sent one). */
  readonly reason?: string;
  /** The WebSocket close code, when the transport reported one. */
  readonly closeCode?: number;
  /** The GOODBYE's or ABORT's details. Default `{}`. */
  readonly details?: Dict;
  /** The error's `cause` (e.g. the socket's error), kept for debugging. */
  readonly cause?: unknown;
}

/** Router close reasons after which reconnecting would only be refused or is not wanted. */
const FINAL_REASONS = new Set([
  'wamp.close.killed',
  'wamp.close.close_realm',
  'wamp.close.normal',
  'wamp.close.goodbye_and_out',
  'wamp.error.no_such_realm',
  'wamp.error.authentication_failed',
  'wamp.error.authentication_denied',
  'wamp.error.authorization_failed',
  'wamp.error.not_authorized',
  'wamp.error.no_such_role',
  'wamp.error.no_such_principal',
  'wamp.error.no_auth_method',
  'wamp.error.no_matching_auth_method',
]);

/** Whether a router's GOODBYE/ABORT reason leaves a retry any hope (shutdowns do, refusals do not). */
export function isRetryableReason(reason: string): boolean {
  return !FINAL_REASONS.has(reason);
}

/**
 * The connection to the router could not be opened, or the session on it ended: every
 * operation pending on that session fails with it, each with the same instance. `retryable`
 * says whether re-issuing the operation may succeed (the client reconnects, or connects again
 * for the next operation): true for everything but `close()` and a deliberate router close.
 */
export class WampConnectionError extends Error {
  /** Why the connection or session ended: what to branch on (see ConnectionErrorCode). */
  readonly code: ConnectionErrorCode;
  /** Whether re-issuing the operation may succeed: false after `close()` and after a close or refusal the router meant. */
  readonly retryable: boolean;
  /** The WAMP close or abort reason URI (e.g. `wamp.close.system_shutdown`), when there was one. */
  readonly reason: string | undefined;
  /** The WebSocket close code, when the transport reported one. */
  readonly closeCode: number | undefined;
  /** The router's GOODBYE or ABORT details (`{}` when there were none). */
  readonly details: Dict;

  /** rxwamp makes these; applications rarely need to (a test double of the client might). */
  constructor(code: ConnectionErrorCode, message: string, init: WampConnectionErrorInit = {}) {
    super(message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = 'WampConnectionError';
    this.code = code;
    this.reason = init.reason;
    this.closeCode = init.closeCode;
    this.details = init.details ?? {};
    this.retryable = code !== 'closed' && (init.reason === undefined || isRetryableReason(init.reason));
  }
}
