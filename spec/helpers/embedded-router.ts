import { ALL_SERIALIZERS, type SerializerName } from './codecs.js';
import type { Dict } from '../../src/protocol/index.js';
import { RawPeer } from './raw-peer.js';
import { Router, type RouterOptions } from '../../src/router/index.js';

export interface EmbeddedRouter {
  readonly url: string;
  readonly realm: string;
  readonly router: Router;
  stop(): Promise<void>;
}

/**
 * Starts the embedded router on 127.0.0.1 with a free port. `url` is ws://127.0.0.1:<port>/ws;
 * `realm` is the first realm ('realm1' by default). It speaks JSON, CBOR and MessagePack unless
 * `options.serializers` says otherwise.
 */
export async function startEmbeddedRouter(options: Partial<RouterOptions> = {}): Promise<EmbeddedRouter> {
  const realms = options.realms ?? ['realm1'];
  const router = new Router({ serializers: ALL_SERIALIZERS, ...options, realms, closeGraceMs: options.closeGraceMs ?? 200 });
  const { url } = await router.listen({ host: '127.0.0.1', port: 0, path: '/ws' });
  const first = realms[0]!;
  return { url, realm: typeof first === 'string' ? first : first.uri, router, stop: () => router.close() };
}

/** Raw peers on a fresh embedded router per test, all stopped after it (see useRouterWithRawPeers). */
export interface RawPeerRouter {
  /** The router of the running test. */
  readonly fixture: EmbeddedRouter;
  /** Opens a raw WebSocket and joins `realm` (default realm1). */
  join(options?: { realm?: string; serializer?: SerializerName; roles?: Dict; details?: Dict }): Promise<RawPeer>;
  /** Opens a raw WebSocket without joining. */
  open(serializer?: SerializerName): Promise<RawPeer>;
}

/** Starts an embedded router before each test; after it, closes every peer opened through it and the router. */
export function useRouterWithRawPeers(options: Partial<RouterOptions> = {}): RawPeerRouter {
  let running: EmbeddedRouter | undefined;
  const peers: RawPeer[] = [];
  const track = (peer: RawPeer) => {
    peers.push(peer);
    return peer;
  };
  beforeEach(async () => {
    running = await startEmbeddedRouter(options);
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
    await running?.stop();
    running = undefined;
  });
  return {
    get fixture() {
      if (!running) throw new Error('the embedded router runs only inside a test');
      return running;
    },
    async join({ realm = 'realm1', ...joinOptions } = {}) {
      return track(await RawPeer.join(this.fixture.url, realm, joinOptions));
    },
    async open(serializer) {
      return track(await RawPeer.open(this.fixture.url, serializer));
    },
  };
}
