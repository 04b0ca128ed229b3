import { ALL_SERIALIZERS, type SerializerName } from './codecs.js';
import type { Dict } from '../../src/protocol/index.js';
import type { RouterCore } from '../../src/router/core/router-core.js';
import { Router, type RouterOptions } from '../../src/router/index.js';
import { MemoryRouter } from '../../src/testing/memory-router.js';
import type { MemoryWebSocketClass } from '../../src/testing/memory-transport.js';
import { MemoryRawPeer } from './memory-raw-peer.js';
import { RawPeer } from './raw-peer.js';
import type { QueuedRawSession } from './raw-session.js';

export interface EmbeddedRouter {
  readonly url: string;
  readonly realm: string;
  readonly router: Router;
  stop(): Promise<void>;
}

/** The realm list and close grace every router of the suite starts with, unless the test says otherwise. */
function suiteOptions(options: Partial<RouterOptions>): RouterOptions & { realm: string } {
  const realms = options.realms ?? ['realm1'];
  const first = realms[0]!;
  return { serializers: ALL_SERIALIZERS, ...options, realms, closeGraceMs: options.closeGraceMs ?? 200, realm: typeof first === 'string' ? first : first.uri };
}

/**
 * Starts the embedded router on 127.0.0.1 with a free port. `url` is ws://127.0.0.1:<port>/ws;
 * `realm` is the first realm ('realm1' by default). It speaks JSON, CBOR and MessagePack unless
 * `options.serializers` says otherwise.
 */
export async function startEmbeddedRouter(options: Partial<RouterOptions> = {}): Promise<EmbeddedRouter> {
  const { realm, ...routerOptions } = suiteOptions(options);
  const router = new Router(routerOptions);
  const { url } = await router.listen({ host: '127.0.0.1', port: 0, path: '/ws' });
  return { url, realm, router, stop: () => router.close() };
}

/** How a test reaches the router: over a real WebSocket on 127.0.0.1, or through the in-memory transport (rxwamp/testing). */
export type RouterTransport = 'websocket' | 'memory';

/** Every transport a routing suite runs over. */
export const ROUTER_TRANSPORTS: readonly RouterTransport[] = ['websocket', 'memory'];

/** Writes a suite once for every transport: `body` is called with each (its describe titles should name it). */
export function forEachRouterTransport(body: (transport: RouterTransport) => void): void {
  for (const transport of ROUTER_TRANSPORTS) body(transport);
}

/** `describe(title, …)` once per transport, the transport named in the title: `router: broker (memory)`. */
export function describeOnEachTransport(title: string, body: (transport: RouterTransport) => void): void {
  forEachRouterTransport((transport) => describe(`${title} (${transport})`, () => body(transport)));
}

/** A raw peer on either transport (RawPeer or MemoryRawPeer): raw frames, a message queue, the close code. */
export type TransportPeer = QueuedRawSession;

/** What a raw peer's HELLO may carry besides the realm. */
export interface JoinOptions {
  readonly serializer?: SerializerName;
  readonly roles?: Dict;
  readonly details?: Dict;
}

/** Opens raw peers of one kind on one router. */
export interface PeerOpener<Peer> {
  /** Opens a raw connection (no HELLO). */
  openPeer(serializer?: SerializerName): Promise<Peer>;
  /** Opens a raw connection and joins `realm`; resolves once WELCOME arrived. */
  joinPeer(realm: string, options?: JoinOptions): Promise<Peer>;
}

/** A running router as a transport-neutral test sees it. */
export interface RouterFixture extends PeerOpener<TransportPeer> {
  readonly transport: RouterTransport;
  /** The first realm ('realm1' by default). */
  readonly realm: string;
  /** What both Router and MemoryRouter are: sessionCount(), peerOutput(), close(). */
  readonly router: RouterCore;
  /** What a WampClient needs to reach this router: its URL, and for the in-memory transport its WebSocket class. */
  clientOptions(): { readonly url: string; readonly WebSocket?: MemoryWebSocketClass };
  stop(): Promise<void>;
}

/**
 * Starts a router reached over `transport`, with startEmbeddedRouter's defaults: the embedded
 * router listening on a free port, or a MemoryRouter (no socket, the same options).
 */
export async function startRouter(transport: RouterTransport, options: Partial<RouterOptions> = {}): Promise<RouterFixture> {
  if (transport === 'websocket') {
    const embedded = await startEmbeddedRouter(options);
    const { url, realm, router } = embedded;
    return { transport, realm, router, stop: () => embedded.stop(), clientOptions: () => ({ url }), ...rawPeersAt(url) };
  }
  const { realm, ...routerOptions } = suiteOptions(options);
  const router = new MemoryRouter(routerOptions);
  return {
    transport,
    realm,
    router,
    stop: () => router.close(),
    clientOptions: () => ({ url: 'ws://in-memory/ws', WebSocket: router.WebSocket }),
    openPeer: (serializer) => MemoryRawPeer.open(router.WebSocket, serializer),
    joinPeer: (realmUri, joinOptions) => MemoryRawPeer.join(router.WebSocket, realmUri, joinOptions),
  };
}

/** Raw peers on a fresh router per test, all closed after it (see useRouterWithRawPeers). */
export interface RawPeerRouter<Fixture, Peer> {
  /** The router of the running test. */
  readonly fixture: Fixture;
  /** Opens a raw connection and joins `realm` (default realm1). */
  join(options?: JoinOptions & { readonly realm?: string }): Promise<Peer>;
  /** Opens a raw connection without joining. */
  open(serializer?: SerializerName): Promise<Peer>;
}

/**
 * Starts a router before each test; after it, closes every peer opened through it and the
 * router. Without `transport`, the embedded router over WebSocket with RawPeers (for suites
 * about the WebSocket itself); with it, a RouterFixture and peers on that transport.
 */
export function useRouterWithRawPeers(options?: Partial<RouterOptions>): RawPeerRouter<EmbeddedRouter, RawPeer>;
export function useRouterWithRawPeers(options: Partial<RouterOptions>, transport: RouterTransport): RawPeerRouter<RouterFixture, TransportPeer>;
export function useRouterWithRawPeers(
  options: Partial<RouterOptions> = {},
  transport?: RouterTransport,
): RawPeerRouter<EmbeddedRouter, RawPeer> | RawPeerRouter<RouterFixture, TransportPeer> {
  return transport
    ? usePeers(
        () => startRouter(transport, options),
        (fixture) => fixture,
      )
    : usePeers(
        () => startEmbeddedRouter(options),
        (fixture) => rawPeersAt(fixture.url),
      );
}

/** RawPeers on the WebSocket at `url`. */
function rawPeersAt(url: string): PeerOpener<RawPeer> {
  return {
    openPeer: (serializer) => RawPeer.open(url, serializer),
    joinPeer: (realm, joinOptions) => RawPeer.join(url, realm, joinOptions),
  };
}

function usePeers<Fixture extends { stop(): Promise<void> }, Peer extends TransportPeer>(
  start: () => Promise<Fixture>,
  peersOf: (fixture: Fixture) => PeerOpener<Peer>,
): RawPeerRouter<Fixture, Peer> {
  let running: Fixture | undefined;
  const peers: Peer[] = [];
  const track = (peer: Peer) => {
    peers.push(peer);
    return peer;
  };
  beforeEach(async () => {
    running = await start();
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((peer) => peer.close()));
    await running?.stop();
    running = undefined;
  });
  return {
    get fixture() {
      if (!running) throw new Error('the router runs only inside a test');
      return running;
    },
    async join({ realm = 'realm1', ...joinOptions } = {}) {
      return track(await peersOf(this.fixture).joinPeer(realm, joinOptions));
    },
    async open(serializer) {
      return track(await peersOf(this.fixture).openPeer(serializer));
    },
  };
}
