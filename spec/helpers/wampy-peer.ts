import WebSocket from 'ws';

/** wampy 8 as an independent peer; only the parts of its API the tests use are typed here. */

export interface WampyCallResult {
  details: Record<string, unknown>;
  argsList?: unknown[];
  argsDict?: Record<string, unknown>;
}

export interface WampyClient {
  connect(): Promise<unknown>;
  disconnect(): Promise<unknown>;
  call(procedure: string, payload?: unknown, options?: { progress_callback?: (result: WampyCallResult) => void; timeout?: number }): Promise<WampyCallResult>;
  progressiveCall(
    procedure: string,
    payload?: unknown,
    options?: Record<string, unknown>,
  ): { result: Promise<WampyCallResult>; sendData(payload: unknown, options?: { progress?: boolean }): void };
  subscribe(topic: string, onEvent: (event: WampyCallResult) => void): Promise<unknown>;
}

type WampySerializerName = 'json' | 'cbor' | 'msgpack';

export async function connectWampy(url: string, realm: string, serializer: WampySerializerName = 'json'): Promise<WampyClient> {
  const { Wampy } = (await import('wampy')) as unknown as { Wampy: new (url: string, options: Record<string, unknown>) => WampyClient };
  const options: Record<string, unknown> = { realm, ws: WebSocket, autoReconnect: false };
  if (serializer === 'cbor') {
    const { CborSerializer } = (await import('wampy/CborSerializer.js')) as unknown as { CborSerializer: new () => unknown };
    options['serializer'] = new CborSerializer();
  } else if (serializer === 'msgpack') {
    const { MsgpackSerializer } = (await import('wampy/MsgpackSerializer.js')) as unknown as { MsgpackSerializer: new () => unknown };
    options['serializer'] = new MsgpackSerializer();
  }
  const wampy = new Wampy(url, options);
  await wampy.connect();
  return wampy;
}
