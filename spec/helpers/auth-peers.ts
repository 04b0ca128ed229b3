import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { PYTHON_PATH } from '../../scripts/ensure-test-deps.mjs';
import type { SerializerName } from '../../src/codec/index.js';
import { MessageType, type Dict } from '../../src/protocol/index.js';
import {
  anonymousAuth,
  cryptosignAuth,
  deriveCraKey,
  signCraChallenge,
  ticketAuth,
  wampcraAuth,
  type Authenticator,
  type RouterOptions,
} from '../../src/router/index.js';
import { autobahn, connectAutobahn, type AutobahnConnectOptions, type AutobahnPeer } from './autobahn-peer.js';
import {
  startEmbeddedRouter,
  startRouter,
  type EmbeddedRouter,
  type PeerOpener,
  type RouterFixture,
  type RouterTransport,
  type TransportPeer,
} from './embedded-router.js';
import { FULL_ROLES, RawPeer } from './raw-peer.js';

/**
 * One set of credentials for every authentication test: the embedded router is configured
 * from it (startAuthRouter, authRouterOptions) and the clients under test use it, so router
 * and clients cannot drift apart. Each entry has the authrole the router assigns.
 */
export const AUTH_FIXTURE = {
  ticket: { authid: 'joe', ticket: 'joe-ticket-9f2c', authrole: 'frontend' },
  wampcra: { authid: 'peter', secret: 'secret1', authrole: 'user' },
  /** The router stores only the derived key; the client derives it from `secret` with salt, iterations, keylen. */
  wampcraSalted: { authid: 'salty', secret: 'pepper-pass', salt: 'salt123', iterations: 100, keylen: 16, authrole: 'salted-user' },
  /** `seed` is the spec's Ed25519 test key (digest §9.4); `pubkey` is derived from it. */
  cryptosign: {
    authid: 'alice',
    seed: '4d57d97a68f555696620a6d849c0ce582568518d729eb753dc7c732de2804510',
    pubkey: '1adfc8bfe1d35616e64dffbd900096f23b066f914c8c2ffbb66f6075b96e116d',
    authrole: 'device',
  },
  anonymous: { authrole: 'anonymous' },
  /** A seed nobody authorized (its key is unknown to the router). */
  strangerSeed: '0f0e0d0c0b0a09080706050403020100f0e0d0c0b0a090807060504030201000',
} as const;

/** The realm that accepts anonymous and all three credentialed methods. */
export const AUTH_REALM = 'realm1';
/** A realm that accepts the same credentials but no anonymous joins (ABORT wamp.error.no_matching_auth_method). */
export const AUTH_ONLY_REALM = 'realm.authonly';

/** What the router stores for AUTH_FIXTURE.wampcraSalted: the key derived from its password (derived once, here). */
const SALTED_KEY = await deriveCraKey(
  AUTH_FIXTURE.wampcraSalted.secret,
  AUTH_FIXTURE.wampcraSalted.salt,
  AUTH_FIXTURE.wampcraSalted.iterations,
  AUTH_FIXTURE.wampcraSalted.keylen,
);

/** The three credentialed authenticators over AUTH_FIXTURE. */
export function credentialAuthenticators(): Authenticator[] {
  const { ticket, wampcra, wampcraSalted, cryptosign } = AUTH_FIXTURE;
  return [
    ticketAuth({ principals: { [ticket.authid]: { ticket: ticket.ticket, authrole: ticket.authrole } } }),
    wampcraAuth({
      principals: {
        [wampcra.authid]: { secret: wampcra.secret, authrole: wampcra.authrole },
        [wampcraSalted.authid]: {
          secret: SALTED_KEY,
          salt: wampcraSalted.salt,
          iterations: wampcraSalted.iterations,
          keylen: wampcraSalted.keylen,
          authrole: wampcraSalted.authrole,
        },
      },
    }),
    cryptosignAuth({ principals: { [cryptosign.authid]: { authrole: cryptosign.authrole, authorizedKeys: [cryptosign.pubkey] } } }),
  ];
}

/**
 * Router options with AUTH_REALM (anonymous, ticket, wampcra plain and salted, cryptosign)
 * and AUTH_ONLY_REALM (the same without anonymous). Pass to `new Router`, startEmbeddedRouter
 * or startTlsRouter; `overrides` are spread over them.
 */
export function authRouterOptions(overrides: Partial<RouterOptions> = {}): RouterOptions {
  const credentials = credentialAuthenticators();
  return {
    realms: [
      { uri: AUTH_REALM, authenticators: [anonymousAuth({ authrole: AUTH_FIXTURE.anonymous.authrole }), ...credentials] },
      { uri: AUTH_ONLY_REALM, authenticators: credentials },
    ],
    ...overrides,
  };
}

/** The embedded router on ws://127.0.0.1:<free port>/ws with authRouterOptions; `realm` is AUTH_REALM. */
export function startAuthRouter(overrides: Partial<RouterOptions> = {}): Promise<EmbeddedRouter> {
  return startEmbeddedRouter(authRouterOptions(overrides));
}

/** A router with authRouterOptions reached over `transport` (see startRouter); `realm` is AUTH_REALM. */
export function startAuthRouterOn(transport: RouterTransport, overrides: Partial<RouterOptions> = {}): Promise<RouterFixture> {
  return startRouter(transport, authRouterOptions(overrides));
}

// ---------------------------------------------------------------------------------------------
// Credentials as each client library takes them

export type AuthKind = 'ticket' | 'wampcra' | 'wampcraSalted' | 'cryptosign';
export type AuthMethod = 'ticket' | 'wampcra' | 'cryptosign';

/** What a client needs to join as one fixture principal (or as someone else, with overrides). */
export interface AuthCredentials {
  readonly method: AuthMethod;
  readonly authid?: string;
  /** ticket: the ticket; wampcra: the secret, or the password of a salted principal. */
  readonly secret?: string;
  /** cryptosign: private key seed (64 hex). */
  readonly seed?: string;
  /** cryptosign: the public key announced in HELLO (default: the seed's). */
  readonly pubkey?: string;
}

/** The credentials of AUTH_FIXTURE[kind]; `overrides` replace single fields (a wrong secret, another authid). */
export function credentialsFor(kind: AuthKind, overrides: Partial<AuthCredentials> = {}): AuthCredentials {
  const fixture = AUTH_FIXTURE;
  const base: AuthCredentials =
    kind === 'ticket'
      ? { method: 'ticket', authid: fixture.ticket.authid, secret: fixture.ticket.ticket }
      : kind === 'wampcra'
        ? { method: 'wampcra', authid: fixture.wampcra.authid, secret: fixture.wampcra.secret }
        : kind === 'wampcraSalted'
          ? { method: 'wampcra', authid: fixture.wampcraSalted.authid, secret: fixture.wampcraSalted.secret }
          : { method: 'cryptosign', authid: fixture.cryptosign.authid, seed: fixture.cryptosign.seed };
  return { ...base, ...overrides };
}

/** The same principal with a wrong secret: another ticket or password, or a key nobody authorized. */
export function wrongCredentialsFor(kind: AuthKind): AuthCredentials {
  return kind === 'cryptosign' ? credentialsFor(kind, { seed: AUTH_FIXTURE.strangerSeed }) : credentialsFor(kind, { secret: 'wrong-secret' });
}

/** The WELCOME a fixture principal should get. */
export function expectedIdentity(kind: AuthKind): { authid: string; authrole: string; authmethod: AuthMethod } {
  const entry = AUTH_FIXTURE[kind];
  return { authid: entry.authid, authrole: entry.authrole, authmethod: credentialsFor(kind).method };
}

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/** The Ed25519 public key (hex) of a seed (hex). */
export function ed25519PublicKey(seedHex: string): string {
  const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(seedHex, 'hex')]), format: 'der', type: 'pkcs8' });
  return createPublicKey(key).export({ format: 'der', type: 'spki' }).subarray(12).toString('hex');
}

/** HELLO.Details for the credentials (authmethods, authid, cryptosign's pubkey). */
export function helloDetails(credentials: AuthCredentials): Dict {
  const details: Dict = { authmethods: [credentials.method] };
  if (credentials.authid !== undefined) details['authid'] = credentials.authid;
  if (credentials.method === 'cryptosign') details['authextra'] = { pubkey: credentials.pubkey ?? ed25519PublicKey(credentials.seed!) };
  return details;
}

/** AUTHENTICATE's signature for a CHALLENGE, computed here (node:crypto and the router's own WAMP-CRA helpers). */
export async function answerChallenge(credentials: AuthCredentials, extra: Dict): Promise<string> {
  switch (credentials.method) {
    case 'ticket':
      return credentials.secret!;
    case 'wampcra': {
      const key =
        typeof extra['salt'] === 'string'
          ? await deriveCraKey(credentials.secret!, extra['salt'], extra['iterations'] as number | undefined, extra['keylen'] as number | undefined)
          : credentials.secret!;
      return signCraChallenge(key, extra['challenge'] as string);
    }
    case 'cryptosign': {
      const challenge = Buffer.from(extra['challenge'] as string, 'hex');
      const key = createPrivateKey({ key: Buffer.concat([ED25519_PKCS8_PREFIX, Buffer.from(credentials.seed!, 'hex')]), format: 'der', type: 'pkcs8' });
      return Buffer.concat([sign(null, challenge, key), challenge]).toString('hex');
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Raw peers: the exact frames of an authenticated join

export interface RawAuthJoin {
  readonly peer: TransportPeer;
  /** The CHALLENGE, if the router sent one. */
  readonly challenge: unknown[] | undefined;
  /** The WELCOME or ABORT that ended the handshake. */
  readonly outcome: unknown[];
  readonly welcomed: boolean;
}

/**
 * HELLO with the credentials, AUTHENTICATE with answerChallenge's signature (or `signature`
 * when given, to send a wrong one), and the WELCOME or ABORT. `router` is a WebSocket URL (a
 * RawPeer) or a RouterFixture (a raw peer on its transport). The peer stays open (after
 * WELCOME it is joined, with sessionId set); close it when done.
 */
export async function rawAuthJoin(
  router: string | Pick<PeerOpener<TransportPeer>, 'openPeer'>,
  realm: string,
  credentials: AuthCredentials,
  options: { serializer?: SerializerName; signature?: string; details?: Dict } = {},
): Promise<RawAuthJoin> {
  const peer = typeof router === 'string' ? await RawPeer.open(router, options.serializer) : await router.openPeer(options.serializer);
  const ends = (m: unknown[]) => m[0] === MessageType.WELCOME || m[0] === MessageType.ABORT;
  peer.send([MessageType.HELLO, realm, { roles: FULL_ROLES, ...helloDetails(credentials), ...options.details }]);
  let answer = await peer.next((m) => ends(m) || m[0] === MessageType.CHALLENGE);
  let challenge: unknown[] | undefined;
  if (answer[0] === MessageType.CHALLENGE) {
    challenge = answer;
    peer.send([MessageType.AUTHENTICATE, options.signature ?? (await answerChallenge(credentials, answer[2] as Dict)), {}]);
    answer = await peer.next(ends);
  }
  const welcomed = answer[0] === MessageType.WELCOME;
  if (welcomed) peer.sessionId = answer[1] as number;
  return { peer, challenge, outcome: answer, welcomed };
}

// ---------------------------------------------------------------------------------------------
// Autobahn|JS

/** Where a WebSocket client reaches a router: RouterFixture.clientOptions(), or just a ws:// URL. */
export type ClientTarget = string | ReturnType<RouterFixture['clientOptions']>;

/**
 * connectAutobahn to `target`; with an in-memory WebSocket class, through it. Autobahn|JS
 * takes no WebSocket option: it constructs `globalThis.WebSocket` synchronously inside
 * `Connection.open()` (which connectAutobahn calls before returning), so the class stands in
 * for the global for exactly that call and the global is restored at once.
 */
export function connectAutobahnTo(target: ClientTarget, realm: string, options: AutobahnConnectOptions = {}): Promise<AutobahnPeer> {
  const { url, WebSocket: MemoryWebSocket } = typeof target === 'string' ? { url: target, WebSocket: undefined } : target;
  if (!MemoryWebSocket) return connectAutobahn(url, realm, options);
  const global = globalThis as { WebSocket?: unknown };
  const previous = global.WebSocket;
  global.WebSocket = MemoryWebSocket;
  try {
    return connectAutobahn(url, realm, options);
  } finally {
    global.WebSocket = previous;
  }
}

/**
 * Joins with Autobahn|JS (JSON) using its own auth helpers: auth_cra.derive_key/sign for
 * WAMP-CRA (salted when the CHALLENGE says so), auth_cryptosign.sign_challenge over a
 * tweetnacl key pair from the seed. Rejects with the ABORT reason when refused.
 */
export function joinAutobahnWith(target: ClientTarget, realm: string, credentials: AuthCredentials): Promise<AutobahnPeer> {
  const { method } = credentials;
  const keyPair = method === 'cryptosign' ? autobahn.nacl.sign.keyPair.fromSeed(new Uint8Array(Buffer.from(credentials.seed!, 'hex'))) : undefined;
  return connectAutobahnTo(target, realm, {
    authmethods: [method],
    ...(credentials.authid !== undefined ? { authid: credentials.authid } : {}),
    ...(keyPair ? { authextra: { pubkey: credentials.pubkey ?? Buffer.from(keyPair.publicKey).toString('hex') } } : {}),
    onchallenge: (_session, challengeMethod, extra) => {
      if (challengeMethod === 'ticket') return credentials.secret;
      if (challengeMethod === 'wampcra') {
        const key =
          typeof extra['salt'] === 'string'
            ? autobahn.auth_cra.derive_key(credentials.secret!, extra['salt'], extra['iterations'] as number, extra['keylen'] as number)
            : credentials.secret!;
        return autobahn.auth_cra.sign(key, extra['challenge'] as string);
      }
      if (challengeMethod === 'cryptosign') return autobahn.auth_cryptosign.sign_challenge(keyPair, extra);
      throw new Error(`unexpected challenge ${challengeMethod}`);
    },
  });
}

// ---------------------------------------------------------------------------------------------
// Autobahn|Python

const PYTHON_AUTH_SCRIPT = fileURLToPath(new URL('../e2e/python/auth_join.py', import.meta.url));

/** AuthCredentials, or an anonymous join; `authrole` is sent in HELLO as a claim. */
export type PythonJoinCredentials = (
  | AuthCredentials
  | { readonly method: 'anonymous'; readonly authid?: string; readonly secret?: undefined; readonly seed?: undefined; readonly pubkey?: undefined }
) & { readonly authrole?: string };

export type PythonAuthOutcome =
  | {
      readonly outcome: 'welcome';
      readonly session: number;
      readonly authid: string;
      readonly authrole: string;
      readonly authmethod: string;
      readonly authprovider: string;
      readonly serializer: string;
      readonly challenge: Dict | null;
    }
  | { readonly outcome: 'refused'; readonly reason: string; readonly message: string | null; readonly challenge: Dict | null }
  | { readonly outcome: 'failed'; readonly error: string };

/**
 * Runs spec/e2e/python/auth_join.py: Autobahn|Python (asyncio, /usr/bin/python3 or $PYTHON)
 * joins with the credentials over `serializer`, prints what happened, leaves and exits.
 * `ca`: PEM of a CA to trust for wss:// URLs.
 */
export async function joinPythonWith(
  url: string,
  realm: string,
  credentials: PythonJoinCredentials,
  options: { serializer?: 'json' | 'cbor' | 'msgpack'; ca?: string; timeoutMs?: number } = {},
): Promise<PythonAuthOutcome> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const args = {
    url,
    realm,
    serializer: options.serializer ?? 'json',
    method: credentials.method,
    authid: credentials.authid,
    secret: credentials.secret,
    seed: credentials.seed,
    pubkey: credentials.pubkey,
    authrole: credentials.authrole,
    ca: options.ca,
    timeout_s: timeoutMs / 1000,
  };
  const env: NodeJS.ProcessEnv = { ...process.env, PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' };
  delete env['AUTOBAHN_USE_UJSON'];
  delete env['AUTOBAHN_USE_UMSGPACK'];
  return new Promise((resolve, reject) => {
    execFile(PYTHON_PATH, [PYTHON_AUTH_SCRIPT, JSON.stringify(args)], { env, timeout: timeoutMs + 5000 }, (error, stdout, stderr) => {
      const line = stdout.trim().split('\n').pop() ?? '';
      try {
        resolve(JSON.parse(line) as PythonAuthOutcome);
      } catch {
        reject(new Error(`auth_join.py (${PYTHON_PATH}) printed no outcome${error ? `: ${error.message}` : ''}\n--- stderr ---\n${stderr.slice(-3000)}`));
      }
    });
  });
}
