import { RouterCore } from '../router/core/router-core.js';
import type { RealmView } from '../router/core/realm-view.js';
import type { RouterOptions } from '../router/core/router-options.js';
import { MemoryTransport, type MemoryTransportObserver, type MemoryWebSocketClass } from './memory-transport.js';

/**
 * The router core with an in-memory transport instead of a listener: the same realms, dealer,
 * broker, authentication, limits and shutdown as `Router`, and no Node import, so it runs in a
 * browser, under jsdom, in Bun and Deno. Clients reach it through `WebSocket` (any URL).
 */
export class MemoryRouter extends RouterCore {
  /** The transport every connection to this router goes through (freeze, thaw, open connections). */
  readonly transport: MemoryTransport;
  /** A WebSocket class for `WampClientOptions.WebSocket` whose connections go into this router. */
  readonly WebSocket: MemoryWebSocketClass;

  constructor(options: RouterOptions, observer?: MemoryTransportObserver) {
    super(options);
    this.transport = new MemoryTransport(
      { codecs: this.codecs, maxFrameSize: this.limits.maxFrameSize, isClosing: () => this.isClosing(), open: (connection) => this.openSession(connection) },
      observer,
    );
    this.WebSocket = this.transport.webSocketClass();
  }

  /** The realms this router serves, in the order given. */
  get realmNames(): readonly string[] {
    return this.realmUris();
  }

  /** What realm `uri` holds now; undefined for a realm it does not serve. */
  view(uri: string): RealmView | undefined {
    return this.realmView(uri);
  }

  /** Thaws the transport (a frozen one would hold the GOODBYEs), then closes like `Router.close()`. */
  override close(): Promise<void> {
    this.transport.thaw();
    return super.close();
  }
}
