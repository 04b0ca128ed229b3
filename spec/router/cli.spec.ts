// `rxwamp-router` as a user runs it: a real child process (the bin entry under tsx), joined by
// rxwamp and by independent clients, stopped by signals; its failures as one line and an exit code.
import { expect } from 'chai';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { firstValueFrom, type Observable } from 'rxjs';
import { WampConnectionError, WampError, type ConnectionState } from '../../src/index.js';
import { ticket } from '../../src/auth.js';
import { parseRouterConfig } from '../../src/router/node/cli-config.js';
import { cbor } from '../../src/cbor.js';
import { msgpack } from '../../src/msgpack.js';
import { HELP, parseCommand, startRouter, StartError } from '../../src/router/node/cli.js';
import { importSerializer, loadSerializers, type SerializerImporter } from '../../src/router/node/cli-serializers.js';
import { Router, type RealmOptions } from '../../src/router/index.js';
import { connectAutobahn } from '../helpers/autobahn-peer.js';
import { until } from '../helpers/scripted-peer.js';
import { createTestCertificate } from '../helpers/tls.js';
import { useClients } from '../helpers/tracked-clients.js';
import { connectWampy } from '../helpers/wampy-peer.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../src/bin/rxwamp-router.ts', import.meta.url));
const LISTENING = /^rxwamp-router listening on (wss?:\/\/127\.0\.0\.1:(\d+)\/ws) \(realms: (.*); serializers: (.*)\)$/;

interface CliProcess {
  readonly child: ChildProcess;
  readonly stdout: string[];
  stderr(): string;
  /** The first stdout line matching `pattern`, as soon as it is printed. */
  line(pattern: RegExp): Promise<RegExpExecArray>;
  readonly exit: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

const children = new Set<ChildProcess>();
// A run that dies between start and afterEach must not leave routers behind ('exit' is synchronous, SIGKILL is).
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

/** Runs the command as `npx rxwamp-router` would, but from src/ (--import tsx), in the repository. */
function startCli(args: readonly string[]): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const stdout: string[] = [];
  let stderr = '';
  let partial = '';
  const waiters = new Set<() => void>();
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    const lines = (partial + chunk).split('\n');
    partial = lines.pop()!;
    stdout.push(...lines);
    for (const wake of waiters) wake();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => void (stderr += chunk));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
      for (const wake of waiters) wake();
    });
  });
  return {
    child,
    stdout,
    stderr: () => stderr,
    exit,
    line: (pattern) =>
      new Promise((resolve, reject) => {
        const check = (): void => {
          for (const text of stdout) {
            const match = pattern.exec(text);
            if (match) return finish(() => resolve(match));
          }
          if (child.exitCode !== null || child.signalCode !== null) {
            finish(() => reject(new Error(`rxwamp-router exited (${child.exitCode ?? child.signalCode}) before printing ${pattern}; stderr: ${stderr}`)));
          }
        };
        const timer = setTimeout(
          () => finish(() => reject(new Error(`no line ${pattern} within 15 s; stdout: ${stdout.join('\n')}; stderr: ${stderr}`))),
          15_000,
        );
        const finish = (settle: () => void) => {
          clearTimeout(timer);
          waiters.delete(check);
          settle();
        };
        waiters.add(check);
        check();
      }),
  };
}

/** Runs the command to its end: its exit code and what it printed. */
async function runCli(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const cli = startCli(args);
  const { code } = await cli.exit;
  return { code, stdout: cli.stdout.join('\n'), stderr: cli.stderr() };
}

/** Subscribes (and stays subscribed: unsubscribing would UNREGISTER) until the first value. */
function registered<T>(registration: Observable<T>): Promise<T> {
  return new Promise((resolve, reject) => void registration.subscribe({ next: resolve, error: reject }));
}

function lastValue<T>(source: Observable<T>): () => T | undefined {
  let last: T | undefined;
  source.subscribe((value) => (last = value));
  return () => last;
}

const tempDirs: string[] = [];
function tempFile(name: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'rxwamp-cli-'));
  tempDirs.push(dir);
  const file = join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('rxwamp-router (the command)', function () {
  this.timeout(60_000);
  const newClient = useClients({ reconnect: false });

  afterEach(async () => {
    for (const child of children) child.kill('SIGKILL');
  });

  after(() => {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  });

  it('--port 0 prints the real URL; rxwamp, Autobahn|JS and wampy call and publish through it; SIGINT says GOODBYE and exits 0', async () => {
    const cli = startCli(['--port', '0', '--realm', 'realm1', '--realm', 'com.example.second']);
    const [, url, port, realms, serializers] = await cli.line(LISTENING);
    expect(Number(port)).to.be.greaterThan(0);
    expect(realms).to.equal('realm1, com.example.second');
    // By default every serializer whose package is installed: here (dev dependencies) all three.
    expect(serializers).to.equal('json, cbor, msgpack');

    const callee = newClient({ url: url!, realm: 'realm1' });
    await registered(callee.register('com.cli.add', ([a, b]) => (a as number) + (b as number)));
    const states = lastValue(callee.state$);

    const autobahnPeer = await connectAutobahn(url!, 'realm1');
    const sum = await new Promise((resolve, reject) => autobahnPeer.session.call('com.cli.add', [2, 3]).then(resolve, reject));
    expect(sum).to.equal(5);

    const wampy = await connectWampy(url!, 'realm1');
    const events: unknown[] = [];
    await wampy.subscribe('com.cli.news', (event) => void events.push(event.argsList));
    await callee.publish('com.cli.news', ['hello from rxwamp'], {}, { acknowledge: true });
    await until(() => events.length === 1);
    expect(events).to.deep.equal([['hello from rxwamp']]);

    cli.child.kill('SIGINT');
    expect(await cli.exit).to.deep.equal({ code: 0, signal: null });
    const goodbye = autobahnPeer.received.find((message) => message[0] === 6);
    expect(goodbye?.[2]).to.equal('wamp.close.system_shutdown');
    await until(() => states()?.status === 'closed');
    const closed = states() as Extract<ConnectionState, { status: 'closed' }>;
    expect(closed.error).to.be.instanceOf(WampConnectionError);
    expect([(closed.error as WampConnectionError).code, (closed.error as WampConnectionError).reason]).to.deep.equal([
      'router-closed',
      'wamp.close.system_shutdown',
    ]);
    expect(cli.stdout.filter(Boolean)).to.have.length(1); // the URL line, nothing else
    expect(cli.stderr()).to.include('SIGINT: closing sessions');
    await wampy.disconnect().catch(() => undefined);
  });

  it('SIGTERM stops it cleanly too, with a session open', async () => {
    const cli = startCli(['-p', '0']);
    const [, url, , realms] = await cli.line(LISTENING);
    expect(realms).to.equal('realm1'); // the default realm
    const client = newClient({ url: url!, realm: 'realm1' });
    await client.connect();
    cli.child.kill('SIGTERM');
    expect(await cli.exit).to.deep.equal({ code: 0, signal: null });
    expect(cli.stderr()).to.include('SIGTERM: closing sessions');
  });

  it('a wrong command line is one line naming the mistake, and exit code 2', async () => {
    const cases: Array<[readonly string[], string]> = [
      [['--prot', '9000'], 'rxwamp-router: unknown option --prot (see rxwamp-router --help)'],
      [['--port', '70000'], 'rxwamp-router: --port must be a whole number from 0 to 65535, got "70000" (see rxwamp-router --help)'],
      [['--port'], 'rxwamp-router: --port needs a value (see rxwamp-router --help)'],
      [['realm1'], 'rxwamp-router: unexpected argument realm1: every setting is an --option (see rxwamp-router --help)'],
      [['--tls-cert', 'cert.pem'], 'rxwamp-router: --tls-cert and --tls-key go together: --tls-key is missing (see rxwamp-router --help)'],
      [['--serializers', 'json,xml'], 'rxwamp-router: --serializers takes json, cbor, msgpack, comma-separated; got "xml" (see rxwamp-router --help)'],
      [['--serializers', ''], 'rxwamp-router: --serializers takes json, cbor, msgpack, comma-separated; got "" (see rxwamp-router --help)'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(args);
      expect([result.code, result.stderr.trim(), result.stdout], args.join(' ')).to.deep.equal([2, message, '']);
    }
  });

  it('--serializers: speaks only those named (each once); a client with none of them in common is refused', async () => {
    const jsonOnly = startCli(['--port', '0', '--serializers', 'json']);
    const [, url, , , serializers] = await jsonOnly.line(LISTENING);
    expect(serializers).to.equal('json');
    const cborClient = newClient({ url: url!, realm: 'realm1', serializers: [cbor] });
    const refusal = await cborClient.connect().catch((error: unknown) => error);
    expect(refusal).to.be.instanceOf(WampConnectionError);
    expect((refusal as Error).message).to.match(/subprotocol/i);
    expect((await newClient({ url: url!, realm: 'realm1' }).connect()).realm).to.equal('realm1');
    jsonOnly.child.kill('SIGINT');
    expect((await jsonOnly.exit).code).to.equal(0);

    const binary = startCli(['--port', '0', '--serializers', 'msgpack,cbor', '--serializers', 'msgpack']);
    const [, binaryUrl, , , binarySerializers] = await binary.line(LISTENING);
    expect(binarySerializers).to.equal('msgpack, cbor');
    expect(
      await newClient({ url: binaryUrl!, realm: 'realm1' })
        .connect()
        .catch((error: unknown) => error),
    ).to.be.instanceOf(WampConnectionError);
    expect((await newClient({ url: binaryUrl!, realm: 'realm1', serializers: [msgpack] }).connect()).realm).to.equal('realm1');
    binary.child.kill('SIGINT');
    expect((await binary.exit).code).to.equal(0);
  });

  it('a serializer whose package is missing: left out by default, a StartError naming the package when asked for', async () => {
    // What Node's import() throws when cbor-x is not installed (the packed-package spec meets the real one).
    const missingCbor: SerializerImporter = async (name) => {
      if (name === 'cbor')
        throw Object.assign(new Error("Cannot find package 'cbor-x' imported from /app/node_modules/rxwamp/dist/esm/codec/cbor.js"), {
          code: 'ERR_MODULE_NOT_FOUND',
        });
      return importSerializer(name);
    };
    const byDefault = await loadSerializers(undefined, missingCbor);
    expect(byDefault.names).to.deep.equal(['json', 'msgpack']);
    expect(byDefault.serializers.map((serializer) => (serializer === 'json' ? serializer : serializer.subprotocol))).to.deep.equal(['json', 'wamp.2.msgpack']);

    const running = await startRouter(parseCommand(['--port', '0']), missingCbor);
    try {
      expect([running.serializers, running.router.subprotocols]).to.deep.equal([
        ['json', 'msgpack'],
        ['wamp.2.json', 'wamp.2.msgpack'],
      ]);
    } finally {
      await running.close();
    }
    const asked = await startRouter(parseCommand(['--port', '0', '--serializers', 'json,cbor']), missingCbor).catch((error: unknown) => error);
    expect(asked).to.be.instanceOf(StartError);
    expect((asked as Error).message).to.equal('the cbor serializer needs the cbor-x package: npm install cbor-x');

    // Any other failure to load one is not hidden, even when it was not asked for by name.
    const broken: SerializerImporter = async () => {
      throw new Error('boom');
    };
    const failure = await loadSerializers(undefined, broken).catch((error: unknown) => error);
    expect((failure as Error).message).to.equal('cannot load the cbor serializer (cbor-x): boom');
  });

  it('--help and --version print and exit 0', async () => {
    const help = await runCli(['--help']);
    expect([help.code, help.stdout.trimEnd()]).to.deep.equal([0, HELP.trimEnd()]);
    const version = await runCli(['-v']);
    expect(version.code).to.equal(0);
    expect(version.stdout.trim()).to.match(/^\d+\.\d+\.\d+/);
  });

  it('a port in use: says which port and suggests --port, exit code 1', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const { port } = blocker.address() as { port: number };
    try {
      const result = await runCli(['--port', String(port)]);
      expect(result.code).to.equal(1);
      expect(result.stderr.trim()).to.equal(
        `rxwamp-router: port ${port} is already in use on 127.0.0.1: stop what holds it, or pick another with --port (--port 0 picks a free one)`,
      );
      expect(result.stdout).to.equal('');
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('--config with a ticket realm: the right ticket joins with its role, a wrong one is refused; --realm adds an anonymous realm', async () => {
    const config = tempFile(
      'router.json',
      JSON.stringify({
        realms: [
          {
            uri: 'com.example.private',
            authenticators: [{ authmethod: 'ticket', principals: { joe: { ticket: 'joe-ticket', authrole: 'frontend' } } }],
          },
        ],
        closeGraceMs: 500,
      }),
    );
    const cli = startCli(['--port', '0', '--config', config, '--realm', 'public']);
    const [, url, , realms] = await cli.line(LISTENING);
    expect(realms).to.equal('com.example.private, public');

    const joe = newClient({ url: url!, realm: 'com.example.private', auth: ticket({ authid: 'joe', ticket: 'joe-ticket' }) });
    const session = await joe.connect();
    expect([session.authid, session.authrole, session.authmethod]).to.deep.equal(['joe', 'frontend', 'ticket']);

    const intruder = newClient({ url: url!, realm: 'com.example.private', auth: ticket({ authid: 'joe', ticket: 'guessed' }) });
    const refusal = await intruder.connect().catch((error: unknown) => error);
    expect(refusal).to.be.instanceOf(WampError);
    expect((refusal as WampError).uri).to.equal('wamp.error.authentication_denied');

    const anonymous = newClient({ url: url!, realm: 'com.example.private' });
    expect(((await anonymous.connect().catch((error: unknown) => error)) as WampError).uri).to.equal('wamp.error.no_matching_auth_method');
    expect((await newClient({ url: url!, realm: 'public' }).connect()).authrole).to.equal('anonymous');

    cli.child.kill('SIGINT');
    expect((await cli.exit).code).to.equal(0);
  });

  it('the config example in --help is a valid config (with a real key for "<64 hex>") that a Router accepts', async () => {
    const example = HELP.slice(HELP.indexOf('\n  {\n') + 1, HELP.lastIndexOf('\n  }\n') + 4).replace('<64 hex>', 'ab'.repeat(32));
    const config = parseRouterConfig(example, 'the --help example');
    expect(config.realms.map((realm) => (typeof realm === 'string' ? realm : realm.uri))).to.deep.equal(['public', 'com.example.app']);
    const app = config.realms[1] as RealmOptions;
    expect(app.authenticators!.map((authenticator) => authenticator.authmethod)).to.deep.equal(['ticket', 'wampcra', 'cryptosign']);
    expect([app.sessionLimits, config.maxMessageSize]).to.deep.equal([{ maxRegistrations: 100 }, 1048576]);
    await new Router(config).close();
  });

  it('a missing, malformed or wrong config file: one line naming the file and the key, exit code 1', async () => {
    const missing = join(tmpdir(), 'rxwamp-no-such-config.json');
    const notJson = tempFile('broken.json', '{ "realms": [ ');
    const misspelt = tempFile('misspelt.json', JSON.stringify({ realms: [{ uri: 'app', authenticators: [{ authmethod: 'ticket', principal: {} }] }] }));
    const badMethod = tempFile('method.json', JSON.stringify({ authenticators: [{ authmethod: 'password' }] }));
    const badLimit = tempFile('limit.json', JSON.stringify({ maxMessageSize: -1 }));
    const cases: Array<[string, RegExp]> = [
      [missing, /^rxwamp-router: cannot read config file .*rxwamp-no-such-config\.json: no such file$/],
      [notJson, /^rxwamp-router: config file .*broken\.json is not valid JSON: /],
      [
        misspelt,
        /^rxwamp-router: config file .*misspelt\.json: realms\[0\]\.authenticators\[0\] has an unknown key "principal" \(allowed: authmethod, principals\)$/,
      ],
      [
        badMethod,
        /^rxwamp-router: config file .*method\.json: authenticators\[0\]\.authmethod must be one of "anonymous", "ticket", "wampcra", "cryptosign", got "password"$/,
      ],
      [badLimit, /^rxwamp-router: router option maxMessageSize must be an integer from 1 to \d+, got -1 \(config file .*limit\.json\)$/],
    ];
    for (const [file, message] of cases) {
      const result = await runCli(['--port', '0', '--config', file]);
      expect(result.code, file).to.equal(1);
      expect(result.stderr.trim(), file).to.match(message);
      expect(result.stdout, file).to.equal('');
    }
  });

  it('--tls-cert/--tls-key: listens with wss://, a client trusting the CA calls through it', async () => {
    const certificate = await createTestCertificate();
    const cert = tempFile('server.pem', certificate.cert);
    const key = tempFile('server.key', certificate.key);
    const cli = startCli(['--port', '0', '--tls-cert', cert, '--tls-key', key]);
    const [, url] = await cli.line(LISTENING);
    expect(url).to.match(/^wss:\/\//);
    const client = newClient({ url: url!, realm: 'realm1', tls: { ca: certificate.ca } });
    await registered(client.register('com.cli.echo', ([value]) => value));
    expect((await firstValueFrom(client.call$('com.cli.echo', ['over tls']))).args).to.deep.equal(['over tls']);
    cli.child.kill('SIGINT');
    expect(await cli.exit).to.deep.equal({ code: 0, signal: null });

    const notPem = tempFile('not.pem', 'not a certificate');
    const result = await runCli(['--port', '0', '--tls-cert', notPem, '--tls-key', key]);
    expect(result.code).to.equal(1);
    expect(result.stderr).to.match(/^rxwamp-router: --tls-cert .*not\.pem and --tls-key .* are not a usable PEM certificate and key: /);
  });
});
