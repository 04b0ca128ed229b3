import { expect } from 'chai';
import WebSocket from 'ws';
import { MessageType as M } from '../../src/protocol/index.js';
import { useRouterWithRawPeers } from '../helpers/embedded-router.js';
import { FULL_ROLES } from '../helpers/raw-peer.js';

/**
 * A JSON WAMP peer whose WebSocket never answers pings (ws's `autoPong: false`): what the
 * router sees of a frozen process or a dead link, while TCP stays up.
 */
class FrozenPeer {
  pingsSeen = 0;
  private readonly inbox: unknown[][] = [];
  private waiter: (() => void) | undefined;
  readonly closed: Promise<number>;
  private requestId = 0;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.inbox.push(JSON.parse(data.toString('utf8')) as unknown[]);
      this.waiter?.();
    });
    socket.on('ping', () => {
      this.pingsSeen++;
    });
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      socket.once('close', (code) => {
        this.waiter?.();
        resolve(code);
      }),
    );
  }

  static async join(url: string): Promise<FrozenPeer> {
    const socket = new WebSocket(url, ['wamp.2.json'], { autoPong: false });
    await new Promise((resolve, reject) => {
      socket.once('open', resolve);
      socket.once('error', reject);
    });
    const peer = new FrozenPeer(socket);
    peer.send([M.HELLO, 'realm1', { roles: FULL_ROLES }]);
    await peer.next((m) => m[0] === M.WELCOME);
    return peer;
  }

  send(message: unknown[]): void {
    this.socket.send(JSON.stringify(message));
  }

  nextRequestId(): number {
    return ++this.requestId;
  }

  async next(predicate: (m: unknown[]) => boolean): Promise<unknown[]> {
    for (;;) {
      const index = this.inbox.findIndex(predicate);
      if (index >= 0) return this.inbox.splice(index, 1)[0]!;
      if (this.socket.readyState !== WebSocket.OPEN) throw new Error('FrozenPeer: the connection closed');
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
  }

  async register(procedure: string): Promise<void> {
    const request = this.nextRequestId();
    this.send([M.REGISTER, request, {}, procedure]);
    await this.next((m) => m[0] === M.REGISTERED && m[1] === request);
  }
}

describe('router: liveness (WebSocket ping)', () => {
  describe('with pingInterval 100 ms and pongTimeout 200 ms', () => {
    const routerWithPeers = useRouterWithRawPeers({ pingInterval: 100, pongTimeout: 200 });
    const frozen: FrozenPeer[] = [];
    afterEach(() => {
      for (const peer of frozen.splice(0)) peer.socket.terminate();
    });

    it('drops a callee that stops answering pings: its callers get wamp.error.canceled, its registration goes', async () => {
      const callee = await FrozenPeer.join(routerWithPeers.fixture.url);
      frozen.push(callee);
      await callee.register('com.example.frozen');
      const caller = await routerWithPeers.join();
      const request = caller.call('com.example.frozen', [1]);
      await callee.next((m) => m[0] === M.INVOCATION);

      const outcome = await caller.callOutcome(request, 10_000);
      expect(outcome).to.deep.equal([M.ERROR, M.CALL, request, { message: 'the callee left' }, 'wamp.error.canceled']);
      expect(callee.pingsSeen, 'the router pinged the frozen peer').to.be.greaterThan(0);
      expect(await callee.closed, 'terminated without a close handshake').to.equal(1006);
      expect(routerWithPeers.fixture.router.sessionCount('realm1')).to.equal(1);
      // The registration went with the session.
      const again = caller.call('com.example.frozen');
      expect((await caller.callOutcome(again))[4]).to.equal('wamp.error.no_such_procedure');
      // The caller answers pings (ws does by default) and outlived several ping rounds.
      expect(caller.isOpen).to.equal(true);
    });

    it('drops a caller that stops answering pings: its callee gets INTERRUPT killnowait', async () => {
      const callee = await routerWithPeers.join();
      await callee.register('com.example.slow');
      const caller = await FrozenPeer.join(routerWithPeers.fixture.url);
      frozen.push(caller);
      caller.send([M.CALL, caller.nextRequestId(), {}, 'com.example.slow', []]);
      const invocation = await callee.next((m) => m[0] === M.INVOCATION);
      const interrupt = await callee.next((m) => m[0] === M.INTERRUPT, 10_000);
      expect(interrupt).to.deep.equal([M.INTERRUPT, invocation[1], { mode: 'killnowait', reason: 'wamp.error.canceled' }]);
      await caller.closed;
      expect(callee.isOpen).to.equal(true);
    });
  });

  describe('with pingInterval 0', () => {
    const routerWithPeers = useRouterWithRawPeers({ pingInterval: 0, pongTimeout: 50 });

    it('does not ping, and keeps a peer that would not answer', async () => {
      const peer = await FrozenPeer.join(routerWithPeers.fixture.url);
      try {
        await peer.register('com.example.quiet');
        // Several would-be deadlines: long enough for a ping and a missed pong, had there been one.
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(peer.pingsSeen).to.equal(0);
        expect(peer.socket.readyState).to.equal(WebSocket.OPEN);
        expect(routerWithPeers.fixture.router.sessionCount('realm1')).to.equal(1);
      } finally {
        peer.socket.terminate();
      }
    });
  });
});
