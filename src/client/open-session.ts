import { Callee } from '../roles/callee.js';
import { Caller } from '../roles/caller.js';
import { Publisher } from '../roles/publisher.js';
import { Subscriber } from '../roles/subscriber.js';
import { Session } from '../session/session.js';
import { openWebSocket } from '../transport/websocket.js';
import type { ResolvedOptions } from './options.js';

/** One joined session and the roles working on it. */
export interface ActiveSession {
  readonly session: Session;
  readonly caller: Caller;
  readonly callee: Callee;
  readonly publisher: Publisher;
  readonly subscriber: Subscriber;
}

/** HELLO.Details.roles: each role with the features it implements. */
const ROLES = {
  caller: { features: Caller.features },
  callee: { features: Callee.features },
  publisher: { features: Publisher.features },
  subscriber: { features: Subscriber.features },
};

/**
 * One connection attempt to the endpoint `url` (one of `options.urls`): opens the transport its URL's
 * scheme picks (WebSocket, or RawSocket when plugged in) and joins the realm within one `connectTimeout` deadline for both. Aborting `signal` drops
 * whatever is open and rejects with its reason. `ended` hears of the session's end first,
 * before its roles fail their operations.
 */
export async function openSession(
  options: ResolvedOptions,
  url: string,
  signal: AbortSignal,
  ended: (session: Session, error: Error) => void,
): Promise<ActiveSession> {
  const deadline = Date.now() + options.connectTimeout;
  // The resolved options are handed on whole: each part reads the fields it declares.
  // The endpoint's scheme picks the transport: rs(s):// the plugged-in RawSocket one (resolveOptions
  // made sure it was given), anything else the WebSocket. A test of one letter: the URL was checked.
  const transport = await (/^r/i.test(url) ? options.rawSocket! : openWebSocket)({ ...options, url, signal });
  const session = new Session(transport, { ...options, roles: ROLES });
  session.onClose((error) => ended(session, error));
  const active: ActiveSession = {
    session,
    caller: new Caller(session, options),
    callee: new Callee(session, options),
    publisher: new Publisher(session),
    subscriber: new Subscriber(session),
  };
  const abort = () => void session.close(undefined, signal.reason as Error);
  if (signal.aborted) abort();
  signal.addEventListener('abort', abort);
  try {
    // What is left of the one deadline (at least 1 ms, so the HELLO still gets its chance); 0: no limit.
    await session.open(
      options.connectTimeout > 0 ? Math.max(1, deadline - Date.now()) : 0,
      `the router did not answer HELLO within connectTimeout (${options.connectTimeout} ms)`,
    );
  } finally {
    signal.removeEventListener('abort', abort);
  }
  return active;
}
