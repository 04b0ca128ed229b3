/**
 * `rxwamp-router`: the embedded router as a command, for local development and quick starts.
 * A Node adapter beside the router's core, like the WebSocket listener: it parses the command
 * line, reads the config file and TLS files, listens, and turns SIGINT/SIGTERM into close().
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { SerializerName } from '../../codec/codec.js';
import { ConfigError, readRouterConfig, type RouterConfig } from './cli-config.js';
import {
  importSerializer,
  loadSerializers,
  SERIALIZER_NAMES,
  SerializerUnavailable,
  type LoadedSerializers,
  type SerializerImporter,
} from './cli-serializers.js';
import { Router } from './router.js';

export const HELP = `Usage: rxwamp-router [options]

Starts rxwamp's embedded WAMP v2 router (WebSocket; JSON, and CBOR and MessagePack when their
packages are installed) for local development, demos and tests. Not a production router: use
Crossbar.io, Bondy or Nexus.

Options:
  -p, --port <port>      TCP port (default 8080; 0 picks a free one)
      --host <host>      address to listen on (default 127.0.0.1; 0.0.0.0 for all)
      --path <path>      WebSocket path (default /ws)
  -r, --realm <uri>      a realm clients may join; repeat for more (default realm1
                         when neither --realm nor the config file names a realm)
  -c, --config <file>    JSON file: realms, authentication, limits (see below)
      --tls-cert <file>  PEM certificate (chain); with --tls-key, serves wss://
      --tls-key <file>   PEM private key of that certificate
      --serializers <list>
                         serializers to speak, comma-separated: json, cbor, msgpack
                         (default: json, plus cbor and msgpack if their packages are
                         installed: npm install cbor-x msgpackr)
  -h, --help             show this help
  -v, --version          show rxwamp's version

Once it accepts connections it prints one line on stdout:
  rxwamp-router listening on ws://127.0.0.1:8080/ws (realms: realm1; serializers: json)
SIGINT (Ctrl-C) or SIGTERM says GOODBYE to every session, then exits with 0.

The config file holds RouterOptions as JSON; --realm adds realms to its "realms".
Authenticators: "anonymous" (authrole?), "ticket", "wampcra", "cryptosign":
  {
    "realms": [
      "public",
      { "uri": "com.example.app",
        "authenticators": [
          { "authmethod": "ticket",
            "principals": { "joe": { "ticket": "joe-ticket", "authrole": "frontend" } } },
          { "authmethod": "wampcra",
            "principals": { "peter": { "secret": "secret1", "authrole": "user" } } },
          { "authmethod": "cryptosign",
            "principals": { "alice": { "authorizedKeys": ["<64 hex>"], "authrole": "device" } } }
        ],
        "sessionLimits": { "maxRegistrations": 100 } }
    ],
    "maxMessageSize": 1048576
  }
Realms without "authenticators" use the top-level "authenticators" (default: anonymous).
`;

/** A mistake on the command line: reported with a pointer to --help, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface CliCommand {
  readonly help: boolean;
  readonly version: boolean;
  readonly port: number;
  readonly host: string;
  readonly path: string;
  /** The --realm flags, in order. */
  readonly realms: readonly string[];
  readonly config: string | undefined;
  readonly tls: { readonly cert: string; readonly key: string } | undefined;
  /** The --serializers list; undefined: every one whose package is installed. */
  readonly serializers: readonly SerializerName[] | undefined;
}

/** The command line (without node and the script), checked; a mistake is a UsageError. */
export function parseCommand(argv: readonly string[]): CliCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string', short: 'p' },
        host: { type: 'string' },
        path: { type: 'string' },
        realm: { type: 'string', short: 'r', multiple: true },
        config: { type: 'string', short: 'c' },
        'tls-cert': { type: 'string' },
        'tls-key': { type: 'string' },
        serializers: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    throw new UsageError(parseArgsMessage(error));
  }
  const { values } = parsed;
  const port = values.port === undefined ? 8080 : Number(values.port);
  if (!/^\d+$/.test(values.port ?? '0') || !Number.isSafeInteger(port) || port > 65535) {
    throw new UsageError(`--port must be a whole number from 0 to 65535, got "${values.port}"`);
  }
  const host = values.host ?? '127.0.0.1';
  if (host === '') throw new UsageError('--host must not be empty');
  const path = values.path ?? '/ws';
  if (!path.startsWith('/') || /[\s?#]/.test(path)) throw new UsageError(`--path must start with / and hold no spaces, ? or #, got "${path}"`);
  const cert = values['tls-cert'];
  const key = values['tls-key'];
  if ((cert === undefined) !== (key === undefined))
    throw new UsageError(`--tls-cert and --tls-key go together: ${cert === undefined ? '--tls-cert' : '--tls-key'} is missing`);
  return {
    help: values.help ?? false,
    version: values.version ?? false,
    port,
    host,
    path,
    realms: values.realm ?? [],
    config: values.config,
    tls: cert !== undefined && key !== undefined ? { cert, key } : undefined,
    serializers: values.serializers === undefined ? undefined : serializerList(values.serializers),
  };
}

/** `--serializers json,cbor` (the flag may be repeated): the names, each once, in order. */
function serializerList(flags: readonly string[]): SerializerName[] {
  const names: SerializerName[] = [];
  for (const name of flags.flatMap((flag) => flag.split(',')).map((item) => item.trim())) {
    if (!(SERIALIZER_NAMES as readonly string[]).includes(name)) {
      throw new UsageError(`--serializers takes ${SERIALIZER_NAMES.join(', ')}, comma-separated; got "${name}"`);
    }
    if (!names.includes(name as SerializerName)) names.push(name as SerializerName);
  }
  return names;
}

/** parseArgs' messages are long and speak of its API; say what was wrong with the command line. */
function parseArgsMessage(error: unknown): string {
  const { code, message } = error as { code?: string; message: string };
  // The option as Node quotes it: '--bogus', or '-p, --port <value>' (then the long name).
  const quoted = /'(-[^']*)'/.exec(message)?.[1];
  const option = quoted === undefined ? undefined : (/--[\w-]+/.exec(quoted)?.[0] ?? quoted.split(/[ ,]/)[0]);
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `unknown option ${option ?? message}`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `unexpected argument ${/'([^']*)'/.exec(message)?.[1] ?? message}: every setting is an --option`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      if (option !== undefined && message.includes('argument missing')) return `${option} needs a value`;
      return option !== undefined && message.includes('does not take an argument') ? `${option} takes no value` : message;
    default:
      return message;
  }
}

/** A router listening for the command, and the way to stop it. */
export interface RunningRouter {
  readonly router: Router;
  /** ws:// or wss://host:port/path, with the port really bound. */
  readonly url: string;
  readonly realms: readonly string[];
  /** The serializers it speaks. */
  readonly serializers: readonly SerializerName[];
  /** router.close() (GOODBYE to every session), then the HTTPS server if there is one. */
  close(): Promise<void>;
}

/** A failure that is the user's to fix (a port in use, a bad file): one line, exit code 1. */
export class StartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartError';
  }
}

/**
 * Builds the router the command asks for and starts listening. `importer` loads the CBOR and
 * MessagePack serializers (replaced in tests to play a missing package).
 */
export async function startRouter(command: CliCommand, importer: SerializerImporter = importSerializer): Promise<RunningRouter> {
  const config: RouterConfig = command.config === undefined ? { realms: [] } : await readRouterConfig(command.config);
  const realms = [...config.realms, ...command.realms];
  if (realms.length === 0) realms.push('realm1');
  let loaded: LoadedSerializers;
  try {
    loaded = await loadSerializers(command.serializers, importer);
  } catch (error) {
    if (error instanceof SerializerUnavailable) throw new StartError(error.message);
    throw error;
  }
  let router: Router;
  try {
    router = new Router({ ...config, realms, serializers: loaded.serializers });
  } catch (error) {
    // The Router checks realm URIs and the numeric limits; its TypeError names the option.
    if (error instanceof TypeError) throw new StartError(command.config === undefined ? error.message : `${error.message} (config file ${command.config})`);
    throw error;
  }
  const realmNames = realms.map((realm) => (typeof realm === 'string' ? realm : realm.uri));
  try {
    if (command.tls === undefined) {
      const { url } = await router.listen({ host: command.host, port: command.port, path: command.path });
      return { router, url, realms: realmNames, serializers: loaded.names, close: () => router.close() };
    }
    return await listenTls(router, command, command.tls, realmNames, loaded.names);
  } catch (error) {
    await router.close();
    throw new StartError(listenFailure(error, command));
  }
}

/**
 * wss://: Router.listen() makes a plain HTTP server, so this makes the HTTPS one and attaches
 * the router to it, as router.attach() is meant for. The TLS handshake and the request headers
 * get the router's default handshake time (10 s) rather than Node's two minutes.
 */
async function listenTls(
  router: Router,
  command: CliCommand,
  files: NonNullable<CliCommand['tls']>,
  realms: readonly string[],
  serializers: readonly SerializerName[],
): Promise<RunningRouter> {
  const cert = readTlsFile(files.cert, '--tls-cert');
  const key = readTlsFile(files.key, '--tls-key');
  let server: HttpsServer;
  try {
    server = createHttpsServer({ cert, key, handshakeTimeout: 10_000, headersTimeout: 10_000, requestTimeout: 10_000 }, (_request, response) => {
      response.writeHead(426, { 'content-type': 'text/plain', connection: 'close' }).end('WAMP over WebSocket only\n');
    });
  } catch (error) {
    throw new StartError(`--tls-cert ${files.cert} and --tls-key ${files.key} are not a usable PEM certificate and key: ${(error as Error).message}`);
  }
  router.attach(server, { path: command.path, refuseOtherPaths: true });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(command.port, command.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    router,
    url: `wss://${host}:${address.port}${command.path}`,
    realms,
    serializers,
    async close() {
      await router.close();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function readTlsFile(file: string, flag: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new StartError(
      `cannot read ${flag} ${file}: ${code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message}`,
    );
  }
}

/** What went wrong when listening, said so the user knows what to change. */
function listenFailure(error: unknown, command: CliCommand): string {
  if (error instanceof StartError) return error.message;
  const code = (error as NodeJS.ErrnoException).code;
  const where = `${command.host}:${command.port}`;
  switch (code) {
    case 'EADDRINUSE':
      return `port ${command.port} is already in use on ${command.host}: stop what holds it, or pick another with --port (--port 0 picks a free one)`;
    case 'EACCES':
      return `not allowed to listen on ${where}${command.port < 1024 ? ' (ports below 1024 need privileges): pick a port from 1024 with --port' : ''}`;
    case 'EADDRNOTAVAIL':
      return `--host ${command.host} is not an address of this machine`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `--host ${command.host} could not be resolved`;
    default:
      return `could not listen on ${where}: ${(error as Error).message}`;
  }
}

/** rxwamp's version, from the package.json above `entryFile` (the bin script or this module). */
export function packageVersion(entryFile: string | undefined): string {
  if (entryFile === undefined) return 'unknown';
  let dir: string;
  try {
    dir = dirname(realpathSync(entryFile));
  } catch {
    return 'unknown';
  }
  // dist/esm has a package.json of its own ({ "type": "module" }): climb to the one named rxwamp.
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: unknown; version?: unknown };
      if (manifest.name === 'rxwamp' && typeof manifest.version === 'string') return manifest.version;
    } catch {
      // no package.json here, or not JSON: keep climbing
    }
    const parent = dirname(dir);
    if (parent === dir) return 'unknown';
    dir = parent;
  }
}

export interface CliOutput {
  readonly out: (line: string) => void;
  readonly error: (line: string) => void;
}

const processOutput: CliOutput = {
  out: (line) => void process.stdout.write(`${line}\n`),
  error: (line) => void process.stderr.write(`${line}\n`),
};

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/**
 * The whole command: resolves with the exit code once the router has stopped (0 after
 * SIGINT/SIGTERM, 1 when it could not start, 2 for a wrong command line). `entryFile` locates
 * package.json for --version.
 */
export async function main(argv: readonly string[], entryFile: string | undefined = process.argv[1], output: CliOutput = processOutput): Promise<number> {
  let command: CliCommand;
  try {
    command = parseCommand(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    output.error(`rxwamp-router: ${error.message} (see rxwamp-router --help)`);
    return 2;
  }
  if (command.help) {
    output.out(HELP.trimEnd());
    return 0;
  }
  if (command.version) {
    output.out(packageVersion(entryFile));
    return 0;
  }
  // Listen for the signals before starting, so one that comes while the port is being bound
  // still stops the router cleanly instead of killing the process half-way.
  const stop = stopRequested(output);
  let running: RunningRouter;
  try {
    running = await startRouter(command);
  } catch (error) {
    stop.dispose();
    if (!(error instanceof StartError || error instanceof ConfigError)) throw error;
    output.error(`rxwamp-router: ${error.message}`);
    return 1;
  }
  output.out(`rxwamp-router listening on ${running.url} (realms: ${running.realms.join(', ')}; serializers: ${running.serializers.join(', ')})`);
  const signal = await stop.signal;
  output.error(`rxwamp-router: ${signal}: closing sessions`);
  await running.close();
  stop.dispose();
  return 0;
}

/**
 * Resolves with the first SIGINT or SIGTERM. A second one while the router is closing (which
 * takes at most its closeGraceMs) exits at once, as a user pressing Ctrl-C again expects.
 */
function stopRequested(output: CliOutput): { readonly signal: Promise<NodeJS.Signals>; dispose(): void } {
  let received: NodeJS.Signals | undefined;
  let resolve: (signal: NodeJS.Signals) => void = () => undefined;
  const signal = new Promise<NodeJS.Signals>((done) => (resolve = done));
  const onSignal = (name: NodeJS.Signals) => {
    if (received !== undefined) {
      output.error(`rxwamp-router: ${name} again: exiting without waiting for the sessions`);
      process.exit(1);
    }
    received = name;
    resolve(name);
  };
  for (const name of STOP_SIGNALS) process.on(name, onSignal);
  return {
    signal,
    dispose: () => {
      for (const name of STOP_SIGNALS) process.off(name, onSignal);
    },
  };
}
