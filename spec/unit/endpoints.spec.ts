import { expect } from 'chai';
import { WampClient, WampConnectionError, type ConnectionState } from '../../src/index.js';
import { Connection } from '../../src/client/connection.js';
import type { ActiveSession } from '../../src/client/open-session.js';
import type { ReconnectOptions } from '../../src/client/options.js';
import type { Session } from '../../src/session/session.js';
import { until } from '../helpers/scripted-peer.js';

/**
 * The order in which a client with several endpoints (`url: [...]`) tries them: the connection
 * state machine driven by a fake `open` hook that answers per endpoint, so every attempt, round
 * and backoff shows in `state$` without a socket.
 */

/** What the fake router at an endpoint does with an attempt. */
type Answer = 'open' | 'refuse' | 'deny';

/** Just what Connection reads of a session. */
class FakeSession {
  isOpen = true;
  closedWith: Error | undefined;
  readonly info = { id: 1, realm: 'realm1', details: {} };
  close(): Promise<void> {
    this.isOpen = false;
    return Promise.resolve();
  }
}

const NO_BACKOFF: Required<ReconnectOptions> = { initialDelay: 0, factor: 1, maxDelay: 0, maxAttempts: 15, jitter: 0 };

class Harness {
  readonly tried: string[] = [];
  readonly states: ConnectionState[] = [];
  readonly answers = new Map<string, Answer>();
  /** When set, decides instead of `answers`: told the endpoint and how many attempts came before. */
  decide: ((url: string, before: number) => Answer) | undefined;
  /** The open session and how to end it, while one is open. */
  live: { session: FakeSession; end: (error: Error) => void } | undefined;
  readonly connection: Connection;

  constructor(urls: readonly string[], reconnect: Required<ReconnectOptions> | false = NO_BACKOFF) {
    this.connection = new Connection(urls, reconnect, {
      open: (url, _signal, ended) => {
        const answer = this.decide?.(url, this.tried.length) ?? this.answers.get(url) ?? 'refuse';
        this.tried.push(url);
        if (answer === 'refuse') return Promise.reject(new WampConnectionError('connect-failed', `nothing listens at ${url}`));
        if (answer === 'deny') return Promise.reject(new WampConnectionError('router-closed', 'denied', { reason: 'wamp.error.authentication_denied' }));
        const session = new FakeSession();
        this.live = {
          session,
          end: (error) => {
            session.isOpen = false;
            ended(session as unknown as Session, error);
          },
        };
        return Promise.resolve({ session } as unknown as ActiveSession);
      },
      opened: () => undefined,
      closed: () => undefined,
      report: (error) => {
        throw error;
      },
    });
    this.connection.state$.subscribe((state) => this.states.push(state));
  }

  /** Ends the open session as a dropped connection does. */
  lose(): void {
    const live = this.live!;
    this.live = undefined;
    live.end(new WampConnectionError('lost', 'connection lost'));
  }

  /** The states since `from`, one short line each: `connecting 1 ws://b`, `open ws://b`, `reconnecting 2`. */
  trace(from = 0): string[] {
    return this.states.slice(from).map((state) => {
      switch (state.status) {
        case 'connecting':
          return `connecting ${state.attempt} ${state.url}`;
        case 'open':
          return `open ${state.url}`;
        case 'reconnecting':
          return `reconnecting ${state.attempt}`;
        case 'closed':
          return `closed ${state.willRetry ? 'willRetry' : 'final'}`;
        default:
          return state.status;
      }
    });
  }

  isOpen(): boolean {
    return this.connection.state.status === 'open';
  }

  isClosedForGood(): boolean {
    const { state } = this.connection;
    return state.status === 'closed' && !state.willRetry;
  }
}

const A = 'ws://a.test/ws';
const B = 'ws://b.test/ws';
const C = 'ws://c.test/ws';

describe('client: several endpoints (url: [...])', () => {
  describe('the connection state machine', () => {
    let harness: Harness | undefined;
    afterEach(async () => {
      await harness?.connection.close();
      harness = undefined;
    });

    it('connects to the first endpoint that answers, trying the others in order at once, and says which in state$', async () => {
      harness = new Harness([A, B, C]);
      harness.answers.set(C, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isOpen());
      expect(harness.tried).to.deep.equal([A, B, C]);
      expect(harness.trace()).to.deep.equal(['idle', `connecting 1 ${A}`, `connecting 1 ${B}`, `connecting 1 ${C}`, `open ${C}`]);
    });

    it('makes one round for the first connection and then gives up, as with one URL: no backoff, the waiting operation fails', async () => {
      harness = new Harness([A, B, C]);
      const failure = new Promise<unknown>((resolve) => harness!.connection.whenOpen(() => resolve('opened'), resolve));
      const error = await failure;
      expect(error).to.be.instanceOf(WampConnectionError).and.to.include({ code: 'connect-failed' });
      expect((error as Error).message).to.equal(`nothing listens at ${C}`); // the last endpoint's failure
      expect(harness.tried).to.deep.equal([A, B, C]);
      expect(harness.trace()).to.deep.equal(['idle', `connecting 1 ${A}`, `connecting 1 ${B}`, `connecting 1 ${C}`, 'closed final']);
    });

    it('after a lost session starts at the next endpoint, tries the lost one last, and waits the backoff only between rounds', async () => {
      harness = new Harness([A, B, C]);
      harness.answers.set(B, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isOpen());
      const before = harness.states.length;
      // B died, and nothing answers anywhere for two rounds; then A does.
      harness.decide = (url, before) => (url === A && before >= 2 + 6 ? 'open' : 'refuse');
      harness.lose();
      await until(() => harness!.isOpen());
      expect(harness.tried.slice(2)).to.deep.equal([C, A, B, C, A, B, C, A]);
      expect(harness.trace(before)).to.deep.equal([
        'closed willRetry',
        'reconnecting 1',
        `connecting 1 ${C}`,
        `connecting 1 ${A}`,
        `connecting 1 ${B}`,
        'reconnecting 2',
        `connecting 2 ${C}`,
        `connecting 2 ${A}`,
        `connecting 2 ${B}`,
        'reconnecting 3',
        `connecting 3 ${C}`,
        `connecting 3 ${A}`,
        `open ${A}`,
      ]);
    });

    it('stays on the node it reached when the lost one comes back, and moves on from there the next time', async () => {
      harness = new Harness([A, B]);
      harness.answers.set(A, 'open').set(B, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isOpen());
      harness.lose(); // A is lost: B next
      await until(() => harness!.isOpen() && harness!.tried.length === 2);
      harness.lose(); // B is lost: A next
      await until(() => harness!.isOpen() && harness!.tried.length === 3);
      expect(harness.tried).to.deep.equal([A, B, A]);
      expect(harness.trace().filter((line) => line.startsWith('open'))).to.deep.equal([`open ${A}`, `open ${B}`, `open ${A}`]);
    });

    it('counts rounds against maxAttempts and for the backoff: two rounds of three endpoints are six attempts, then it gives up', async () => {
      harness = new Harness([A, B, C], { initialDelay: 5, factor: 2, maxDelay: 1_000, jitter: 0, maxAttempts: 2 });
      harness.answers.set(A, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isOpen());
      harness.answers.set(A, 'refuse');
      harness.lose();
      await until(() => harness!.isClosedForGood());
      expect(harness.tried).to.deep.equal([A, B, C, A, B, C, A]);
      const waits = harness.states.filter((state) => state.status === 'reconnecting');
      expect(waits.map((state) => [state.attempt, state.delay])).to.deep.equal([
        [1, 5],
        [2, 10],
      ]);
    });

    it('does not carry a refusal to let it in (authentication_denied) to the other endpoints', async () => {
      harness = new Harness([A, B]);
      harness.answers.set(A, 'deny').set(B, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isClosedForGood());
      expect(harness.tried).to.deep.equal([A]);
    });

    it('starts a new connection after close() at the first endpoint again', async () => {
      harness = new Harness([A, B]);
      harness.answers.set(B, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isOpen());
      await harness.connection.close();
      harness.answers.set(A, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isOpen());
      expect(harness.tried).to.deep.equal([A, B, A]);
    });

    it('with reconnect: false still makes the first round, and ends for good when the session is lost', async () => {
      harness = new Harness([A, B], false);
      harness.answers.set(B, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isOpen());
      harness.lose();
      await until(() => harness!.isClosedForGood());
      expect(harness.tried).to.deep.equal([A, B]);
    });

    it('keeps one URL as it was: the same endpoint every attempt, one attempt per round', async () => {
      harness = new Harness([A], { ...NO_BACKOFF, maxAttempts: 2 });
      harness.answers.set(A, 'open');
      harness.connection.ensureConnecting();
      await until(() => harness!.isOpen());
      harness.answers.set(A, 'refuse');
      harness.lose();
      await until(() => harness!.isClosedForGood());
      expect(harness.tried).to.deep.equal([A, A, A]);
      expect(harness.trace()).to.deep.equal([
        'idle',
        `connecting 1 ${A}`,
        `open ${A}`,
        'closed willRetry',
        'reconnecting 1',
        `connecting 1 ${A}`,
        'reconnecting 2',
        `connecting 2 ${A}`,
        'closed final',
      ]);
    });
  });

  describe('options.url as a list', () => {
    const make = (url: unknown) => () => new WampClient({ url: url as string, realm: 'realm1' });

    it('takes a non-empty list of ws://, wss://, http:// and https:// URLs without connecting', async () => {
      const client = make(['ws://127.0.0.1:1/ws', 'wss://b.example.test/ws', 'HTTPS://C.EXAMPLE.TEST/WS'])();
      expect(client.state.status).to.equal('idle');
      await client.close();
    });

    it('refuses a bad endpoint in a list with the TypeError a single bad URL gets', () => {
      const wanted = /^options\.url must be a ws:\/\/, wss:\/\/, http:\/\/ or https:\/\/ URL \(rs:\/\/ with rxwamp\/rawsocket\), got /;
      expect(make(['ws://127.0.0.1:1/ws', 'ftp://example.test/ws'])).to.throw(
        TypeError,
        'options.url must be a ws://, wss://, http:// or https:// URL (rs:// with rxwamp/rawsocket), got "ftp://example.test/ws"',
      );
      expect(make(['ws://127.0.0.1:1/ws', 8080])).to.throw(TypeError, /got number$/);
      expect(make([['ws://127.0.0.1:1/ws']])).to.throw(TypeError, /got object$/); // lists do not nest
      expect(make(['ws://127.0.0.1:1/ws', ''])).to.throw(TypeError, wanted);
    });

    it('refuses an empty list, saying so', () => {
      expect(make([])).to.throw(TypeError, 'options.url must be a ws://, wss://, http:// or https:// URL (rs:// with rxwamp/rawsocket), got []');
    });

    it('copies the list: changing the array afterwards changes nothing', async () => {
      const urls = ['ws://127.0.0.1:1/ws'];
      const client = make(urls)();
      urls[0] = 'not a url';
      const states: ConnectionState[] = [];
      client.state$.subscribe((state) => states.push(state));
      await client.connect().catch(() => undefined);
      expect(states[1]).to.deep.include({ status: 'connecting', url: 'ws://127.0.0.1:1/ws' });
      await client.close();
    });
  });
});
