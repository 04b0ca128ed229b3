import type { SessionInfo } from '../session/session.js';

/**
 * What the client's connection is doing, as `client.state$` emits it (see the README's
 * "Connection, reconnect and liveness"):
 *
 * ```
 * idle → connecting → open → closed (willRetry) → reconnecting → connecting → open …
 * connecting → connecting      with several endpoints: that one failed, the next is tried at once
 * connecting → closed          the first connection failed, or a refusal that must not be retried
 * reconnecting → closed        maxAttempts used up
 * any → closed                 close(): nothing is retried afterwards
 * ```
 * A closed client connects again when the application starts a new operation.
 *
 * Narrow on `status`; the other fields are:
 * - `attempt`: which round of attempts this is, from 1 (counted afresh after each lost
 *   connection). A round tries each endpoint of `options.url` once, so with one URL a round is
 *   one attempt;
 * - `url`: the endpoint being tried (`connecting`) or in use (`open`), as given in `options.url`;
 * - `session`, `routerFeatures`: the joined session and what the router announced in WELCOME;
 * - `delay`: ms until the next attempt starts;
 * - `error`: why the connection ended or the last attempt failed (usually a WampConnectionError);
 * - `willRetry`: whether the client reconnects by itself (`reconnecting` comes next).
 */
export type ConnectionState =
  | { readonly status: 'idle' }
  | { readonly status: 'connecting'; readonly attempt: number; readonly url: string }
  | { readonly status: 'open'; readonly url: string; readonly session: SessionInfo; readonly routerFeatures: RouterFeatures }
  | { readonly status: 'reconnecting'; readonly attempt: number; readonly delay: number; readonly error: Error }
  | { readonly status: 'closed'; readonly error: Error; readonly willRetry: boolean };

/** The `status` of a ConnectionState: `'idle' | 'connecting' | 'open' | 'reconnecting' | 'closed'`. */
export type ConnectionStatus = ConnectionState['status'];

/** The features the router announced in WELCOME, per role. */
export interface RouterFeatures {
  /** The dealer's (RPC) features, e.g. `progressive_call_results: true`; `{}` when it announced none. */
  readonly dealer: Readonly<Record<string, boolean>>;
  /** The broker's (pub/sub) features, e.g. `publisher_exclusion: true`; `{}` when it announced none. */
  readonly broker: Readonly<Record<string, boolean>>;
}

export function routerFeatures(session: SessionInfo): RouterFeatures {
  const roles = session.details['roles'] as Record<string, { features?: Record<string, boolean> } | undefined> | undefined;
  return { dealer: { ...roles?.['dealer']?.features }, broker: { ...roles?.['broker']?.features } };
}
