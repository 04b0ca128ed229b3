import type { SessionInfo } from '../session/session.js';

/**
 * What the client's connection is doing, as `client.state$` emits it (see the README's
 * "Connection, reconnect and liveness"):
 *
 * ```
 * idle → connecting → open → closed (willRetry) → reconnecting → connecting → open …
 * connecting → closed          the first connection failed, or a refusal that must not be retried
 * reconnecting → closed        maxAttempts used up
 * any → closed                 close(): nothing is retried afterwards
 * ```
 * A closed client connects again when the application starts a new operation.
 */
export type ConnectionState =
  | { readonly status: 'idle' }
  | { readonly status: 'connecting'; readonly attempt: number }
  | { readonly status: 'open'; readonly session: SessionInfo; readonly routerFeatures: RouterFeatures }
  | { readonly status: 'reconnecting'; readonly attempt: number; readonly delay: number; readonly error: Error }
  | { readonly status: 'closed'; readonly error: Error; readonly willRetry: boolean };

export type ConnectionStatus = ConnectionState['status'];

/** The features the router announced in WELCOME, per role. */
export interface RouterFeatures {
  readonly dealer: Readonly<Record<string, boolean>>;
  readonly broker: Readonly<Record<string, boolean>>;
}

export function routerFeatures(session: SessionInfo): RouterFeatures {
  const roles = session.details['roles'] as Record<string, { features?: Record<string, boolean> } | undefined> | undefined;
  return { dealer: { ...roles?.['dealer']?.features }, broker: { ...roles?.['broker']?.features } };
}
