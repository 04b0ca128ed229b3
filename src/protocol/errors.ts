import type { Args, Dict } from './messages.js';

export interface WampErrorInit {
  readonly args?: Args;
  readonly kwargs?: Dict;
  readonly details?: Dict;
  /** Human-readable text; defaults to the URI plus the first string argument. */
  readonly message?: string;
  readonly cause?: unknown;
}

/**
 * An error with a WAMP error URI: what a router or callee answered (ERROR, ABORT, GOODBYE),
 * or what rxwamp itself concluded (a protocol violation, a lost connection). Callees throw it
 * to answer with a specific URI, args and kwargs.
 */
export class WampError extends Error {
  readonly uri: string;
  readonly args: Args;
  readonly kwargs: Dict;
  readonly details: Dict;

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
 * The connection to the router could not be opened, or was lost. Every operation pending on
 * that session fails with it; the next operation opens a new connection.
 */
export class WampConnectionError extends Error {
  /** WebSocket close code, when the transport reported one. */
  readonly code: number | undefined;

  constructor(message: string, code?: number, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.name = 'WampConnectionError';
    this.code = code;
  }
}
