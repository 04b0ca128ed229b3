import { expect } from 'chai';
import { createHmac, pbkdf2Sync } from 'node:crypto';
import { wampcra } from '../../src/auth.js';
import { WampClient, WampError, type ConnectionState } from '../../src/index.js';
import { deriveCraKey, wampcraAuth } from '../../src/router/index.js';
import { startEmbeddedRouter, type EmbeddedRouter } from '../helpers/embedded-router.js';
import { describeWire, until, type Frame } from '../helpers/scripted-peer.js';
import { serializer as serializerEntry } from '../helpers/serializers.js';

/**
 * Issue #18 finding 10: a salted WAMP-CRA CHALLENGE names its own PBKDF2 cost. The client
 * refuses iterations/keylen over its limits, and malformed ones, before any derivation starts.
 */

const HOSTILE = 2 ** 31 - 1;
const CHALLENGE =
  '{"authid":"peter","authrole":"user","authmethod":"wampcra","authprovider":"static","nonce":"n0nce","timestamp":"2026-01-01T00:00:00.000Z","session":7}';
const CANNOT_AUTHENTICATE = 'wamp.error.cannot_authenticate';

interface Derivation {
  readonly iterations: number;
  readonly bits: number;
}

/**
 * Watches WebCrypto's PBKDF2 (importKey 'PBKDF2' and deriveBits) on the shared `crypto.subtle`.
 * With `refuseOver`, a derivation above that many iterations × 32-byte blocks throws instead of
 * running, so the unit tests fail at once (not after minutes of thread pool) on code without the check.
 */
function watchPbkdf2(refuseOver?: number): { readonly derivations: Derivation[]; readonly keyImports: () => number; restore(): void } {
  const subtle = globalThis.crypto.subtle;
  const importKey = subtle.importKey.bind(subtle) as (...args: unknown[]) => Promise<CryptoKey>;
  const deriveBits = subtle.deriveBits.bind(subtle);
  // Own properties shadow the prototype's methods until restore() deletes them.
  const own = subtle as unknown as Record<string, unknown>;
  const derivations: Derivation[] = [];
  let keyImports = 0;
  own['importKey'] = (...args: unknown[]) => {
    const algorithm = args[2];
    if (algorithm === 'PBKDF2' || (algorithm as Algorithm | undefined)?.name === 'PBKDF2') keyImports++;
    return importKey(...args);
  };
  own['deriveBits'] = (algorithm: Pbkdf2Params, key: CryptoKey, bits: number) => {
    derivations.push({ iterations: algorithm.iterations, bits });
    if (refuseOver !== undefined && algorithm.iterations * Math.ceil(bits / 256) > refuseOver) {
      return Promise.reject(new Error(`test spy: stopped a PBKDF2 derivation of ${algorithm.iterations} iterations, ${bits} bits`));
    }
    return deriveBits(algorithm, key, bits);
  };
  return {
    derivations,
    keyImports: () => keyImports,
    restore: () => {
      delete own['importKey'];
      delete own['deriveBits'];
    },
  };
}

/*
 * The signatures the client should send, computed with node:crypto: independent of WebCrypto
 * (which the client and the router's deriveCraKey/signCraChallenge both use), and unseen by watchPbkdf2.
 */
function hmacSignature(key: string, challenge = CHALLENGE): string {
  return createHmac('sha256', key).update(challenge, 'utf8').digest('base64');
}

function expectedSignature(password: string, salt: string, iterations: number, keylen: number, challenge = CHALLENGE): string {
  return hmacSignature(pbkdf2Sync(password, salt, iterations, keylen, 'sha256').toString('base64'), challenge);
}

describe('wampcra bounds: the PBKDF2 parameters are checked before any derivation', () => {
  let spy: ReturnType<typeof watchPbkdf2>;
  beforeEach(() => {
    spy = watchPbkdf2(50_000_000);
  });
  afterEach(() => spy.restore());

  const answer = (extra: Record<string, unknown>, limits: { maxIterations?: number; maxKeylen?: number } = {}) =>
    wampcra({ authid: 'peter', secret: 'pepper-pass', ...limits }).answer({ challenge: CHALLENGE, ...extra });
  const refusal = async (extra: Record<string, unknown>, limits: { maxIterations?: number; maxKeylen?: number } = {}) => {
    const outcome = await Promise.resolve(answer(extra, limits)).then(
      (ok) => ok,
      (error: unknown) => error,
    );
    expect(outcome, 'the answer was refused').to.be.instanceOf(Error);
    expect({ derivations: spy.derivations, keyImports: spy.keyImports() }, 'no derivation started').to.deep.equal({ derivations: [], keyImports: 0 });
    return (outcome as Error).message;
  };

  it('refuses iterations 2^31−1, naming the parameter, the value, the limit and the option that raises it', async () => {
    const message = await refusal({ salt: 'salt123', iterations: HOSTILE, keylen: 32 });
    expect(message).to.include('iterations').and.include('2147483647').and.include('1000000').and.include('maxIterations');
  });

  it('refuses keylen 2^31−1 (and just over the limit), naming the limit and maxKeylen', async () => {
    const message = await refusal({ salt: 'salt123', iterations: 1000, keylen: HOSTILE });
    expect(message).to.include('keylen').and.include('2147483647').and.include('64').and.include('maxKeylen');
    expect(await refusal({ salt: 'salt123', keylen: 65 })).to.include('keylen 65');
  });

  it('refuses just over the default iterations limit, and at a lowered limit', async () => {
    expect(await refusal({ salt: 'salt123', iterations: 1_000_001 })).to.include('iterations 1000001');
    expect(await refusal({ salt: 'salt123', iterations: 1000 }, { maxIterations: 500 }))
      .to.include('500')
      .and.include('maxIterations');
    expect(await refusal({ salt: 'salt123', keylen: 32 }, { maxKeylen: 16 }))
      .to.include('16')
      .and.include('maxKeylen');
  });

  for (const [field, value] of [
    ['iterations', '1000'],
    ['iterations', 0],
    ['iterations', -1000],
    ['iterations', 1000.5],
    ['iterations', Number.NaN],
    ['iterations', true],
    ['iterations', [1000]],
    ['keylen', '32'],
    ['keylen', 0],
    ['keylen', -32],
    ['keylen', 16.5],
    ['keylen', {}],
    ['salt', 123],
    ['salt', { salt: 'x' }],
    ['salt', true],
  ] as const) {
    it(`refuses ${field} ${typeof value === 'number' ? String(value) : JSON.stringify(value)} (${typeof value}) instead of replacing it with a default`, async () => {
      const message = await refusal({ salt: 'salt123', iterations: 100, keylen: 16, [field]: value });
      expect(message).to.include(field);
    });
  }

  it("absent iterations and keylen take Autobahn's defaults (1000, 32)", async () => {
    const { signature } = await answer({ salt: 'salt123' });
    expect(spy.derivations).to.deep.equal([{ iterations: 1000, bits: 256 }]);
    expect(signature).to.equal(expectedSignature('pepper-pass', 'salt123', 1000, 32));
  });

  it('without a salt (absent or null) the challenge is unsalted: no derivation, whatever iterations/keylen say (as Autobahn)', async () => {
    for (const salt of [undefined, null]) {
      const { signature } = await answer({ salt, iterations: HOSTILE, keylen: HOSTILE });
      expect(signature).to.equal(hmacSignature('pepper-pass'));
    }
    expect(spy.derivations).to.deep.equal([]);
  });

  it('answers at exactly the default limits (1,000,000 iterations, keylen 64)', async function () {
    this.timeout(30_000);
    const { signature } = await answer({ salt: 'salt123', iterations: 1_000_000, keylen: 64 });
    expect(signature).to.equal(expectedSignature('pepper-pass', 'salt123', 1_000_000, 64));
  });

  it('raised limits let larger parameters through', async function () {
    this.timeout(30_000);
    const { signature } = await answer({ salt: 'salt123', iterations: 1_000_001, keylen: 96 }, { maxIterations: 2_000_000, maxKeylen: 128 });
    expect(signature).to.equal(expectedSignature('pepper-pass', 'salt123', 1_000_001, 96));
  });

  it('limit options must be positive integers (a TypeError when the authenticator is built)', () => {
    for (const bad of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, '1000000', null]) {
      expect(() => wampcra({ authid: 'peter', secret: 's', maxIterations: bad as never }), `maxIterations ${String(bad)}`).to.throw(TypeError, /maxIterations/);
      expect(() => wampcra({ authid: 'peter', secret: 's', maxKeylen: bad as never }), `maxKeylen ${String(bad)}`).to.throw(TypeError, /maxKeylen/);
    }
  });
});

/** What the application sees when the router's CHALLENGE asks too much: over a real WebSocket, every serializer. */
describeWire('wire: wampcra bounds', (t) => {
  let spy: ReturnType<typeof watchPbkdf2>;
  // Counts only: on code without the check the hostile derivation really runs, and the test times out.
  beforeEach(() => {
    spy = watchPbkdf2();
  });
  afterEach(() => spy.restore());

  async function refusedJoin(extra: Record<string, unknown>): Promise<{ error: WampError; abort: Frame; states: ConnectionState[] }> {
    await t.restart({ autoWelcome: false });
    const client = new WampClient({
      url: t.peer.url,
      realm: 'realm1',
      serializers: [serializerEntry(t.serializer)],
      auth: wampcra({ authid: 'peter', secret: 'pepper-pass' }),
    });
    t.client = client; // closed after the test
    const states: ConnectionState[] = [];
    client.state$.subscribe((state) => states.push(state));
    const joined = client.connect().then(
      () => expect.fail('joined'),
      (error: unknown) => error as WampError,
    );
    await t.peer.next(1);
    t.peer.send([4, 'wampcra', { challenge: CHALLENGE, ...extra }]);
    // ABORT or AUTHENTICATE, whichever comes first: code that derived a default answers with AUTHENTICATE.
    const reply = await t.peer.next((frame) => frame[0] === 3 || frame[0] === 5);
    expect(reply[0], `the client should have sent ABORT, it sent ${JSON.stringify(reply)}`).to.equal(3);
    const error = await joined;
    await until(() => states.some((state) => state.status === 'closed' || state.status === 'reconnecting'));
    return { error, abort: reply, states };
  }

  function expectRefused({ error, abort, states }: Awaited<ReturnType<typeof refusedJoin>>, text: RegExp): void {
    expect(abort[2]).to.equal(CANNOT_AUTHENTICATE);
    expect(t.peer.sent(5)).to.deep.equal([]);
    expect(error).to.be.instanceOf(WampError);
    expect(error.uri).to.equal(CANNOT_AUTHENTICATE);
    expect(error.message).to.match(text);
    const ended = states.find((state) => state.status === 'closed' || state.status === 'reconnecting') as { error: Error };
    expect(ended.error, 'state$ carries the same error').to.equal(error);
    expect({ derivations: spy.derivations, keyImports: spy.keyImports() }, 'no derivation started').to.deep.equal({ derivations: [], keyImports: 0 });
  }

  it('iterations 2^31−1: the join fails at once with cannot_authenticate and a clear message', async function () {
    this.timeout(5_000); // the derivation itself would hold a worker thread for minutes: a timeout here means it ran
    const outcome = await refusedJoin({ salt: 'salt123', iterations: HOSTILE, keylen: 32 });
    expectRefused(outcome, /iterations 2147483647.*1000000.*maxIterations/);
  });

  it('keylen 2^31−1: the join fails at once with cannot_authenticate', async function () {
    this.timeout(5_000);
    const outcome = await refusedJoin({ salt: 'salt123', iterations: 1000, keylen: HOSTILE });
    expectRefused(outcome, /keylen 2147483647.*64.*maxKeylen/);
  });

  it('iterations as a string, keylen 0, a numeric salt: refused, not replaced with defaults', async function () {
    this.timeout(5_000);
    expectRefused(await refusedJoin({ salt: 'salt123', iterations: '1000', keylen: 32 }), /iterations/);
    expectRefused(await refusedJoin({ salt: 'salt123', iterations: 1000, keylen: 0 }), /keylen/);
    expectRefused(await refusedJoin({ salt: 12345, iterations: 1000, keylen: 32 }), /salt/);
  });

  it('a router that turns hostile after a reconnect: each attempt is refused without deriving, state$ says why', async () => {
    let hellos = 0;
    await t.restart({
      autoWelcome: false,
      respond: (frame) => {
        if (frame[0] === 1) {
          hellos++;
          return [[4, 'wampcra', { challenge: CHALLENGE, ...(hellos === 1 ? {} : { salt: 'salt123', iterations: HOSTILE, keylen: 32 }) }]];
        }
        return frame[0] === 5 ? [[2, 9, { authmethod: 'wampcra', roles: {} }]] : undefined;
      },
    });
    const client = new WampClient({
      url: t.peer.url,
      realm: 'realm1',
      serializers: [serializerEntry(t.serializer)],
      auth: wampcra({ authid: 'peter', secret: 'pepper-pass' }),
      reconnect: { initialDelay: 10 },
    });
    t.client = client;
    const states: ConnectionState[] = [];
    client.state$.subscribe((state) => states.push(state));
    await client.connect();
    t.peer.dropConnection();
    const refused = (state: ConnectionState) => 'error' in state && state.error instanceof WampError && state.error.uri === CANNOT_AUTHENTICATE;
    await until(() => states.some(refused));
    const state = states.find(refused) as Extract<ConnectionState, { error: Error }>;
    expect(state.error.message).to.match(/iterations 2147483647/);
    expect((await t.peer.next(3))[2]).to.equal(CANNOT_AUTHENTICATE);
    expect(spy.derivations).to.deep.equal([]);
  });

  it('a salted challenge within the limits is answered with the right signature', async () => {
    await t.restart({ autoWelcome: false });
    const client = new WampClient({
      url: t.peer.url,
      realm: 'realm1',
      serializers: [serializerEntry(t.serializer)],
      auth: wampcra({ authid: 'peter', secret: 'pepper-pass' }),
    });
    t.client = client;
    const joined = client.connect();
    await t.peer.next(1);
    t.peer.send([4, 'wampcra', { challenge: CHALLENGE, salt: 'salt123', iterations: 4096, keylen: 32 }]);
    expect(await t.peer.next(5)).to.deep.equal([5, expectedSignature('pepper-pass', 'salt123', 4096, 32), {}]);
    t.peer.send([2, 9, { authid: 'peter', authrole: 'user', authmethod: 'wampcra', roles: {} }]);
    expect((await joined).authmethod).to.equal('wampcra');
    expect(spy.derivations).to.deep.equal([{ iterations: 4096, bits: 256 }]);
  });
});

describe('e2e: salted WAMP-CRA within the limits against the embedded router', function () {
  this.timeout(30_000);
  let router: EmbeddedRouter;
  // OWASP's 2023 PBKDF2-HMAC-SHA256 figure, and exactly the client's default limits.
  const owasp = { salt: 'c2FsdC1vd2FzcA==', iterations: 600_000, keylen: 32 };
  const ceiling = { salt: 'c2FsdC1jZWlsaW5n', iterations: 1_000_000, keylen: 64 };
  before(async () => {
    router = await startEmbeddedRouter({
      authenticators: [
        wampcraAuth({
          principals: {
            owasp: { secret: await deriveCraKey('owasp-pass', owasp.salt, owasp.iterations, owasp.keylen), ...owasp, authrole: 'user' },
            ceiling: { secret: await deriveCraKey('ceiling-pass', ceiling.salt, ceiling.iterations, ceiling.keylen), ...ceiling, authrole: 'admin' },
          },
        }),
      ],
    });
  });
  after(() => router.stop());

  it("joins with OWASP's 600,000 iterations and at the ceiling (1,000,000 iterations, keylen 64)", async () => {
    for (const [authid, secret, authrole] of [
      ['owasp', 'owasp-pass', 'user'],
      ['ceiling', 'ceiling-pass', 'admin'],
    ] as const) {
      const client = new WampClient({ url: router.url, realm: router.realm, auth: wampcra({ authid, secret }) });
      expect(await client.connect()).to.deep.include({ authid, authrole, authmethod: 'wampcra' });
      await client.close();
    }
  });

  it('a client with a lowered limit refuses the same router before deriving, and is told why', async () => {
    const client = new WampClient({ url: router.url, realm: router.realm, auth: wampcra({ authid: 'owasp', secret: 'owasp-pass', maxIterations: 100_000 }) });
    const error = await client.connect().then(
      () => expect.fail('joined'),
      (e: unknown) => e as WampError,
    );
    expect(error.uri).to.equal(CANNOT_AUTHENTICATE);
    expect(error.message).to.match(/iterations 600000.*100000.*maxIterations/);
    await client.close();
  });
});
