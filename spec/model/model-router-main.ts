/**
 * The child-process side of model-router.ts: the embedded router on 127.0.0.1 with a control
 * channel on stdin/stdout for the model-based client tests (modelled on ../helpers/router-main.ts,
 * which other tests use unchanged).
 *
 *   stdout, once:  {"listening":<port>}            (or {"failed":"<message>"} and exit 1)
 *   stdin:  {"id":1,"query":"state"}               → {"id":1,"state":{sessions,connections,registrations,subscriptions}}
 *   stdin:  {"id":2,"drop":<session>,"how":"terminate"|"close"}
 *                                                  → {"id":2,"dropped":true|false}
 *
 * The router has no meta API, so the state is read from the Router's own tables. They are
 * private; TypeScript's element access (`router['realms']`) reads them type-checked without a
 * change to src/router (a renamed field fails `npm run typecheck`, not silently at run time).
 * Only the WebSocket under a session's PeerConnection is reached through a cast: that class is
 * not exported.
 *
 * Run as `node --import tsx model-router-main.ts <port> <realm>`. The parent holds our stdin
 * open; when it dies the pipe reaches EOF and we exit, so no router outlives its test run.
 */
import { createInterface } from 'node:readline';
import type { WebSocket } from 'ws';
import { Router } from '../../src/router/index.js';
import type { RouterSession } from '../../src/router/core/router-session.js';
import { ALL_SERIALIZERS } from '../helpers/codecs.js';

const HOST = '127.0.0.1';
const BIND_ATTEMPTS = 40;
const BIND_RETRY_MS = 50;

export interface RouterRegistration {
  readonly procedure: string;
  readonly match: string;
  readonly session: number;
}
export interface RouterSubscription {
  readonly topic: string;
  readonly match: string;
  readonly sessions: number[];
}
export interface RouterState {
  /** Joined session ids (every WAMP session the router holds, joined or not, is in `connections`). */
  readonly sessions: number[];
  /** RouterSessions alive: one per WebSocket the router accepted and has not seen close. */
  readonly connections: number;
  readonly registrations: RouterRegistration[];
  readonly subscriptions: RouterSubscription[];
}

function report(line: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(line)}\n`);
}

function readState(router: Router, realmUri: string): RouterState {
  const realm = router['realms'].get(realmUri);
  if (!realm) throw new Error(`no realm ${realmUri}`);
  const registrations: RouterRegistration[] = [];
  for (const [session, held] of realm.dealer['registrations']['bySession']) {
    for (const registration of held) registrations.push({ procedure: registration.uri, match: registration.match, session: session.id });
  }
  const subscriptions: RouterSubscription[] = [];
  const seen = new Set<object>();
  for (const held of realm.broker['subscriptions']['bySession'].values()) {
    for (const subscription of held) {
      if (seen.has(subscription)) continue;
      seen.add(subscription);
      subscriptions.push({ topic: subscription.uri, match: subscription.match, sessions: [...subscription.subscribers].map((s) => s.id) });
    }
  }
  return {
    sessions: [...realm.sessions.keys()],
    connections: router['sessions'].size,
    registrations,
    subscriptions,
  };
}

function drop(router: Router, sessionId: number, how: 'terminate' | 'close'): boolean {
  const session: RouterSession | undefined = [...router['sessions']].find((candidate) => candidate.id === sessionId);
  if (!session) return false;
  const socket = (session['connection'] as unknown as { socket?: WebSocket }).socket;
  if (!socket || typeof socket.terminate !== 'function') throw new Error('the PeerConnection has no ws socket (server-socket.ts changed?)');
  // terminate: the TCP connection is destroyed, no close frame (a crashed peer or a cut cable);
  // close: the WebSocket closing handshake with 1001 (a router shedding one connection).
  if (how === 'terminate') socket.terminate();
  else socket.close(1001, 'dropped by the model test');
  return true;
}

/** A restarted router may find its port still held for a moment: a fresh Router per attempt. */
async function listen(port: number, realm: string): Promise<{ router: Router; port: number }> {
  for (let attempt = 1; ; attempt++) {
    const router = new Router({ realms: [realm], serializers: ALL_SERIALIZERS, closeGraceMs: 200 });
    try {
      return { router, port: (await router.listen({ host: HOST, port, path: '/ws' })).port };
    } catch (error) {
      await router.close().catch(() => undefined);
      const inUse = (error as { code?: unknown }).code === 'EADDRINUSE';
      if (!inUse || port === 0 || attempt >= BIND_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, BIND_RETRY_MS));
    }
  }
}

async function main(): Promise<void> {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  const [portText = '0', realm = 'realm1'] = process.argv.slice(2);
  const { router, port } = await listen(Number(portText), realm);
  createInterface({ input: process.stdin }).on('line', (line) => {
    let request: { id?: unknown; query?: unknown; drop?: unknown; how?: unknown };
    try {
      request = JSON.parse(line) as typeof request;
    } catch {
      return;
    }
    const id = request.id;
    try {
      if (request.query === 'state') report({ id, state: readState(router, realm) });
      else if (typeof request.drop === 'number') report({ id, dropped: drop(router, request.drop, request.how === 'close' ? 'close' : 'terminate') });
      else report({ id, error: `unknown request ${line}` });
    } catch (error) {
      report({ id, error: error instanceof Error ? error.message : String(error) });
    }
  });
  report({ listening: port });
}

main().catch((error: unknown) => {
  report({ failed: error instanceof Error ? error.message : String(error) });
  process.exit(1);
});
