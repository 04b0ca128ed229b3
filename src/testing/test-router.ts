import { ticket } from '../auth/ticket.js';
import { WampClient } from '../client/client.js';
import type { WampClientOptions } from '../client/options.js';
import * as MessageType from '../protocol/message-type.js';
import type { RealmView } from '../router/core/realm-view.js';
import type { RouterOptions } from '../router/core/router-options.js';
import { anonymousAuth } from '../router/core/authenticators/anonymous.js';
import { ticketAuth, type TicketPrincipal } from '../router/core/authenticators/ticket.js';
import { MemoryRouter } from './memory-router.js';
import type { FrameDirection, MemoryConnection, MemoryWebSocketClass } from './memory-transport.js';

/** A user of the test router: logs in with WAMP ticket authentication (`router.client({ authid })`). */
export interface TestUser {
  /** The ticket (password) the user logs in with. */
  readonly ticket: string;
  /** The role the session is admitted with (default `user`). */
  readonly role?: string;
}

/** Options of `createTestRouter()`: any `RouterOptions` of rxwamp/router, `realms` optional, plus `users`. */
export interface TestRouterOptions extends Omit<RouterOptions, 'realms'> {
  /** Realms clients may join (default `['realm1']`); the first is the default of `client()` and `view()`. */
  readonly realms?: RouterOptions['realms'];
  /**
   * Users by authid, admitted with ticket authentication besides anonymous (the realms'
   * `authenticators` option, when given, replaces anonymous).
   */
  readonly users?: Readonly<Record<string, TestUser>>;
}

/** Options of `router.client()`: a `WampClient`'s, without `url` and `WebSocket` (the router supplies them). */
export interface TestClientOptions extends Omit<WampClientOptions, 'url' | 'WebSocket' | 'realm'> {
  /** The realm to join (default the router's first). */
  readonly realm?: string;
  /** Log in as this user of `TestRouterOptions.users` (ticket authentication); without it the client joins anonymously. */
  readonly authid?: string;
}

/** One WAMP message the router received or sent, decoded, as `router.messages` lists it. */
export interface SeenMessage {
  /** `to-router`: a client sent it; `from-router`: the router sent it to a client. */
  readonly direction: FrameDirection;
  /** The session of the connection it went over (undefined before WELCOME). */
  readonly session: number | undefined;
  /** The message type's name, e.g. `CALL`, `CANCEL`, `INTERRUPT`, `YIELD`. */
  readonly type: string;
  /** The message as decoded from the frame: `[48, 1, {}, 'com.example.add', [1, 2]]`. */
  readonly message: readonly unknown[];
}

/**
 * A real rxwamp router in memory, for unit tests: no socket, no port, no timer of its own.
 * Made by `createTestRouter()`.
 */
export interface TestRouter {
  /** A placeholder URL for clients an application builds itself (with `WebSocket`); nothing listens on it. */
  readonly url: string;
  /** A WebSocket class whose connections go into this router: `new WampClient({ url: router.url, realm, WebSocket: router.WebSocket })`. */
  readonly WebSocket: MemoryWebSocketClass;
  /** Every message of every connection, both ways, decoded, in the order delivered. */
  readonly messages: readonly SeenMessage[];
  /**
   * A `WampClient` that has joined (resolves after WELCOME; rejects, and closes the client, if
   * the join fails). `close()` closes it.
   */
  client(options?: TestClientOptions): Promise<WampClient>;
  /** What `realm` (default the first) holds now: sessions, registrations, subscriptions, calls in flight. */
  view(realm?: string): RealmView;
  /** The first message matching, already seen or to come. Rejects when the router closes first. */
  waitForMessage(match: (message: SeenMessage) => boolean): Promise<SeenMessage>;
  /**
   * Resolves once `condition()` holds: checked now, and each time the messages delivered so far
   * have been handled (and once more a promise job later). For a condition that only your own
   * timers make true, use your test runner's polling wait instead. Rejects when the router closes first.
   */
  waitFor(condition: () => boolean): Promise<void>;
  /**
   * Loses the connection of a client (one `client()` made, or any client by its session id) as
   * a network failure would: close code 1006, no GOODBYE. The router releases the session; the
   * client reconnects if its `reconnect` option says so.
   */
  drop(target: WampClient | number): void;
  /** A hung router: nothing is delivered either way until `thaw()` (frames are held, in order). */
  freeze(): void;
  /** Delivers what `freeze()` held, then everything after it. */
  thaw(): void;
  /**
   * Closes every client `client()` made, says GOODBYE to every other session (a frozen router
   * is thawed first) and rejects pending waits. Leaves no timer and no connection.
   */
  close(): Promise<void>;
}

/** The URL clients of a test router are given: a placeholder, never connected to. */
const TEST_URL = 'ws://rxwamp.test/ws';

const MESSAGE_NAMES = new Map<unknown, string>(Object.entries(MessageType).map(([name, code]) => [code, name]));

interface Waiter {
  /** Whether it is satisfied now (then it is removed and resolved). */
  readonly check: () => boolean;
  readonly reject: (error: unknown) => void;
}

/**
 * A real rxwamp router, in memory, for your application's unit tests: the same realms, dealer,
 * broker, authentication and limits as `rxwamp/router`, with clients connected through an
 * in-memory transport that still runs the serializers. No Node import: it runs in Node, in a
 * browser, under jsdom (Vitest, Jest, Karma), in Bun and Deno.
 *
 * ```ts
 * const router = createTestRouter({ users: { alice: { ticket: 's3cret', role: 'admin' } } });
 * const callee = await router.client();
 * const alice = await router.client({ authid: 'alice' });
 * // ... assert on router.view(), router.messages, await router.waitForMessage((m) => m.type === 'CANCEL')
 * await router.close();
 * ```
 */
export function createTestRouter(options: TestRouterOptions = {}): TestRouter {
  const { users, realms = ['realm1'], ...routerOptions } = options;
  const principals: Record<string, TicketPrincipal> = {};
  for (const [authid, user] of Object.entries(users ?? {})) principals[authid] = { ticket: user.ticket, authrole: user.role ?? 'user' };
  const authenticators = users ? [ticketAuth({ principals }), ...(routerOptions.authenticators ?? [anonymousAuth()])] : routerOptions.authenticators;

  const messages: SeenMessage[] = [];
  const sessionOf = new Map<MemoryConnection, number>();
  const waiters = new Set<Waiter>();
  // A condition or match that throws rejects its own wait; the other waits and the traffic go on.
  const checkWaiters = () => {
    for (const waiter of [...waiters]) {
      try {
        if (waiter.check()) waiters.delete(waiter);
      } catch (error) {
        waiters.delete(waiter);
        waiter.reject(error);
      }
    }
  };
  const core = new MemoryRouter(
    { ...routerOptions, realms, ...(authenticators ? { authenticators } : {}) },
    {
      closed: (connection) => sessionOf.delete(connection),
      // Conditions are checked once what was delivered has been handled: a client's handlers run
      // synchronously on delivery, and their promise continuations one job later.
      idle: () => {
        checkWaiters();
        void Promise.resolve().then(checkWaiters);
      },
      delivered: (connection, direction, frame) => {
        const message = decode(connection, frame);
        if (direction === 'from-router' && message[0] === MessageType.WELCOME && typeof message[1] === 'number') sessionOf.set(connection, message[1]);
        messages.push({ direction, session: sessionOf.get(connection), type: MESSAGE_NAMES.get(message[0]) ?? `UNKNOWN(${String(message[0])})`, message });
      },
    },
  );
  const firstRealm = core.realmNames[0]!;
  const clients = new Map<WampClient, Set<MemoryConnection>>();
  let closing: Promise<void> | undefined;

  const wait = <T>(satisfied: () => T | undefined): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      if (closing) return reject(new Error('the test router is closed'));
      const waiter: Waiter = {
        check: () => {
          const result = satisfied();
          if (result === undefined) return false;
          resolve(result);
          return true;
        },
        reject,
      };
      if (!waiter.check()) waiters.add(waiter);
    });

  const router: TestRouter = {
    url: TEST_URL,
    WebSocket: core.WebSocket,
    messages,

    async client(clientOptions = {}) {
      if (closing) throw new Error('the test router is closed');
      const { authid, realm = firstRealm, ...rest } = clientOptions;
      let auth = rest.auth;
      if (authid !== undefined) {
        const user = users?.[authid];
        if (!user) throw new TypeError(`createTestRouter: no user "${authid}" in options.users`);
        auth = ticket({ authid, ticket: user.ticket });
      }
      const connections = new Set<MemoryConnection>();
      const client = new WampClient({
        ...rest,
        ...(auth ? { auth } : {}),
        url: TEST_URL,
        realm,
        WebSocket: core.transport.webSocketClass((connection) => connections.add(connection)),
      });
      clients.set(client, connections);
      try {
        await client.connect();
      } catch (error) {
        clients.delete(client);
        await client.close();
        throw error;
      }
      return client;
    },

    view(realm = firstRealm) {
      const view = core.view(realm);
      if (!view) throw new TypeError(`createTestRouter: no realm "${realm}" (realms: ${core.realmNames.join(', ')})`);
      return view;
    },

    waitForMessage(match) {
      let seen = 0;
      return wait(() => {
        for (; seen < messages.length; seen++) if (match(messages[seen]!)) return messages[seen]!;
        return undefined;
      });
    },

    waitFor(condition) {
      return wait(() => (condition() ? true : undefined)).then(() => undefined);
    },

    drop(target) {
      if (typeof target === 'number') {
        let found = false;
        for (const [connection, session] of sessionOf) {
          if (session !== target) continue;
          found = true;
          connection.drop();
        }
        if (!found) throw new TypeError(`createTestRouter: no connection with session ${target}`);
        return;
      }
      const connections = clients.get(target);
      if (!connections) throw new TypeError('createTestRouter: drop() takes a client made by router.client(), or a session id');
      for (const connection of connections) if (connection.isOpen) connection.drop();
    },

    freeze: () => core.transport.freeze(),
    thaw: () => core.transport.thaw(),

    close() {
      closing ??= (async () => {
        core.transport.thaw();
        // A client that is mid-way through (re)connecting may reject its close; the router closes regardless.
        await Promise.all([...clients.keys()].map((client) => client.close().catch(() => undefined)));
        await core.close();
        for (const waiter of waiters) waiter.reject(new Error('the test router closed before the condition held'));
        waiters.clear();
      })();
      return closing;
    },
  };
  return router;
}

/** The message in a frame, as the connection's serializer decodes it (a frame that does not decode is listed as such). */
function decode(connection: MemoryConnection, frame: string | Uint8Array): readonly unknown[] {
  try {
    const message = connection.codec?.decode(frame);
    return Array.isArray(message) ? message : [message];
  } catch {
    return ['UNDECODABLE'];
  }
}
