import { createRequire } from 'node:module';
import WebSocket from 'ws';

/**
 * Independent WAMP clients from npm used as the other side of a call: autobahn-js and wampy.
 * Only the parts of their APIs the tests use are typed here.
 */

const require = createRequire(import.meta.url);

// autobahn-js 26 looks for a global WebSocket (Node 22 has one; Node 20 does not).
(globalThis as { WebSocket?: unknown }).WebSocket ??= WebSocket;

export interface AutobahnInvocationDetails {
  progress?: (args?: unknown[], kwargs?: Record<string, unknown>) => void;
  procedure?: string;
  caller?: number;
}

export interface AutobahnSession {
  id: number;
  register(procedure: string, endpoint: (args: unknown[], kwargs: Record<string, unknown>, details: AutobahnInvocationDetails) => unknown, options?: Record<string, unknown>): Promise<unknown>;
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): AutobahnCallPromise;
  publish(topic: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown> | undefined;
}

/** A when.js promise: its third `then` argument receives progressive results. */
export interface AutobahnCallPromise {
  then(onResult: (result: unknown) => void, onError?: (error: { error: string; args: unknown[]; kwargs: Record<string, unknown> }) => void, onProgress?: (progress: { args: unknown[]; kwargs: Record<string, unknown> }) => void): unknown;
}

interface AutobahnModule {
  Connection: new (options: Record<string, unknown>) => {
    onopen: (session: AutobahnSession) => void;
    onclose: (reason: string, details: unknown) => boolean;
    open(): void;
    close(): void;
  };
  Result: new (args?: unknown[], kwargs?: Record<string, unknown>) => unknown;
  Error: new (error: string, args?: unknown[], kwargs?: Record<string, unknown>) => unknown;
}

export const autobahn = require('autobahn') as AutobahnModule;

export async function connectAutobahn(url: string, realm: string): Promise<{ session: AutobahnSession; close(): Promise<void> }> {
  const connection = new autobahn.Connection({ url, realm, max_retries: 0 });
  const session = await new Promise<AutobahnSession>((resolve, reject) => {
    connection.onopen = resolve;
    connection.onclose = (reason) => { reject(new Error(`autobahn could not connect: ${reason}`)); return true; };
    connection.open();
  });
  return {
    session,
    close: () => new Promise<void>((resolve) => {
      connection.onclose = () => { resolve(); return true; };
      connection.close();
    }),
  };
}

export interface WampyCallResult {
  details: Record<string, unknown>;
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
}

export interface WampyClient {
  connect(): Promise<unknown>;
  disconnect(): Promise<unknown>;
  call(procedure: string, payload?: unknown, options?: { progress_callback?: (result: WampyCallResult) => void; timeout?: number }): Promise<WampyCallResult>;
  subscribe(topic: string, onEvent: (event: WampyCallResult) => void): Promise<unknown>;
}

type WampySerializerName = 'json' | 'cbor' | 'msgpack';

export async function connectWampy(url: string, realm: string, serializer: WampySerializerName = 'json'): Promise<WampyClient> {
  const { Wampy } = await import('wampy') as unknown as { Wampy: new (url: string, options: Record<string, unknown>) => WampyClient };
  const options: Record<string, unknown> = { realm, ws: WebSocket, autoReconnect: false };
  if (serializer === 'cbor') {
    const { CborSerializer } = await import('wampy/CborSerializer.js') as unknown as { CborSerializer: new () => unknown };
    options['serializer'] = new CborSerializer();
  } else if (serializer === 'msgpack') {
    const { MsgpackSerializer } = await import('wampy/MsgpackSerializer.js') as unknown as { MsgpackSerializer: new () => unknown };
    options['serializer'] = new MsgpackSerializer();
  }
  const wampy = new Wampy(url, options);
  await wampy.connect();
  return wampy;
}
