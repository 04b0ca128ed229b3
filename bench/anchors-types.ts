/** The small part of autobahn-js (untyped CommonJS) the bench uses. */

/** A when.js promise: `then` takes a third, progress callback. */
export interface WhenPromise {
  then(onResult?: (value: unknown) => void, onError?: (error: unknown) => void, onProgress?: (update: unknown) => void): WhenPromise;
  cancel?(options?: { mode?: string }): void;
}

export interface AutobahnSession {
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): WhenPromise;
}

export interface AutobahnSerializer {
  readonly SERIALIZER_ID: string;
}

export interface AutobahnConnectionOptions {
  url: string;
  realm: string;
  serializers?: AutobahnSerializer[];
  max_retries?: number;
  retry_if_unreachable?: boolean;
}

export interface AutobahnConnection {
  onopen: (session: AutobahnSession) => void;
  onclose: (reason: string, details: unknown) => boolean;
  open(): void;
  close(): void;
}

export interface AutobahnModule {
  Connection: new (options: AutobahnConnectionOptions) => AutobahnConnection;
  serializer: {
    JSONSerializer: new () => AutobahnSerializer;
    /** Present when the optional `cbor` package loads. */
    CBORSerializer?: new () => AutobahnSerializer;
    /** Present when the optional `msgpack5` package loads. */
    MsgpackSerializer?: new () => AutobahnSerializer;
  };
}
