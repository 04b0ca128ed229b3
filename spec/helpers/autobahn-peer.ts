import { createRequire } from 'node:module';
import WebSocket from 'ws';

// Autobahn|JS 26 expects a global WebSocket (Node 22+); Node 20 gets the `ws` one.
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

/** What an Autobahn|JS endpoint gets as its third argument. */
export interface AutobahnInvocationDetails {
  /** Present when the caller asked for progressive results (and the dealer passed that on). */
  progress?: (args?: unknown[], kwargs?: Record<string, unknown>) => void;
  procedure?: string;
  caller?: number;
}

/** The parts of Autobahn|JS the tests use (it ships no types). */
export interface AutobahnSession {
  readonly id: number;
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): AutobahnCall;
  register(
    procedure: string,
    endpoint: (args: unknown[], kwargs: Record<string, unknown>, details: AutobahnInvocationDetails) => unknown,
    options?: Record<string, unknown>,
  ): Promise<unknown>;
  publish(topic: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown> | undefined;
  subscribe(topic: string, handler: (...args: unknown[]) => void, options?: Record<string, unknown>): Promise<unknown>;
  _call_reqs: Record<number, unknown>;
  _socket: { onmessage(message: unknown[]): void };
}

/** A when.js promise: `then` takes a third, progress callback; `cancel` sends CANCEL. */
export interface AutobahnCall {
  then(onResult: (result: unknown) => void, onError?: (error: { error: string; args: unknown[] }) => void, onProgress?: (progress: unknown) => void): unknown;
  cancel(options: { mode?: string }): void;
}

export interface AutobahnConnectOptions {
  readonly authmethods?: string[];
  readonly authid?: string;
  readonly authextra?: Record<string, unknown>;
  readonly onchallenge?: (session: unknown, method: string, extra: Record<string, unknown>) => unknown;
}

export interface AutobahnPeer {
  readonly session: AutobahnSession;
  /** WELCOME.Details as the router sent them. */
  readonly welcome: Record<string, unknown>;
  /** Every message the session received after WELCOME, in order. */
  readonly received: unknown[][];
  /** A function, not a method: it may be passed on detached (`closers.push(peer.close)`). */
  readonly close: () => Promise<void>;
}

/** Autobahn|JS has no type declarations; the tests only touch what the interfaces above describe. */
interface AutobahnModule {
  Connection: new (options: Record<string, unknown>) => AutobahnConnection;
  serializer: { JSONSerializer: new () => unknown };
  auth_cra: { sign(key: string, challenge: string): string; derive_key(secret: string, salt: string, iterations?: number, keylen?: number): string };
  auth_cryptosign: { sign_challenge(keyPair: unknown, extra: Record<string, unknown>): string };
  nacl: { sign: { keyPair: { fromSeed(seed: Uint8Array): { publicKey: Uint8Array; secretKey: Uint8Array } } } };
  log: { warn(...args: unknown[]): void };
  Result: new (args?: unknown[], kwargs?: Record<string, unknown>) => unknown;
  Error: new (error: string, args?: unknown[], kwargs?: Record<string, unknown>) => unknown;
}

interface AutobahnConnection {
  isOpen: boolean;
  onopen: (session: AutobahnSession, welcome: Record<string, unknown>) => void;
  onclose: (reason: string, details: { reason?: string; message?: string }) => boolean;
  open(): void;
  close(): void;
}

export const autobahn = createRequire(import.meta.url)('autobahn') as AutobahnModule;
// Autobahn warns on every closed connection; the tests check closes themselves.
autobahn.log.warn = () => undefined;

/**
 * Joins with Autobahn|JS (JSON). Resolves with the session, or rejects with the close
 * reason when the router refuses the join.
 */
export function connectAutobahn(url: string, realm: string, options: AutobahnConnectOptions = {}): Promise<AutobahnPeer> {
  return new Promise((resolve, reject) => {
    const connection = new autobahn.Connection({
      url,
      realm,
      max_retries: 0,
      retry_if_unreachable: false,
      serializers: [new autobahn.serializer.JSONSerializer()],
      ...options,
    });
    let opened = false;
    connection.onopen = (session, welcome) => {
      opened = true;
      const received: unknown[][] = [];
      const deliver = session._socket.onmessage.bind(session._socket);
      session._socket.onmessage = (message: unknown[]) => {
        received.push(message);
        // Autobahn|JS forgets a call when it sends CANCEL with mode skip/killnowait and would
        // treat the router's one terminating ERROR (§6.3) as a protocol violation: keep it
        // on record, but do not hand it to the session.
        const callId = message[0] === 8 && message[1] === 48 ? message[2] : message[0] === 50 ? message[1] : undefined;
        if (typeof callId === 'number' && !(callId in session._call_reqs)) return;
        deliver(message);
      };
      resolve({
        session,
        welcome,
        received,
        close: () =>
          new Promise<void>((done) => {
            if (!connection.isOpen) return done();
            connection.onclose = () => {
              done();
              return true;
            };
            connection.close();
          }),
      });
    };
    connection.onclose = (reason, details) => {
      if (!opened) reject(new Error(`${reason}: ${details.reason ?? ''} ${details.message ?? ''}`));
      return true;
    };
    connection.open();
  });
}
