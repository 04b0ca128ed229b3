import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { firstValueFrom } from 'rxjs';
import { WampClient, WampConnectionError } from '../../src/index.js';
import { startSilentServer, type SilentServer } from '../helpers/tcp-faults.js';
import { failure } from '../helpers/failure.js';

/**
 * A server that accepts TCP and never answers the WebSocket upgrade (a hung router, a
 * black-holing proxy). Finding 1 of issue #7: at connectTimeout the Node process died from an
 * 'error' event without a listener.
 */

const SCRIPT = fileURLToPath(new URL('./scripts/unanswered-connect.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

describe('faults: a server that accepts and never answers', function () {
  this.timeout(30_000);
  let server: SilentServer;
  beforeEach(async () => {
    server = await startSilentServer();
  });
  afterEach(() => server.close());

  const options = () => ({ url: server.url, realm: 'realm1', serializers: ['json' as const], connectTimeout: 200 });

  it('connect() fails with WampConnectionError timeout, and the client is closed (not retrying)', async () => {
    const client = new WampClient(options());
    const error = await failure<WampConnectionError>(client.connect());
    expect(error).to.be.instanceOf(WampConnectionError);
    expect([error.code, error.retryable]).to.deep.equal(['timeout', true]);
    expect(client.state).to.include({ status: 'closed', willRetry: false });
    expect(server.connections).to.equal(1);
  });

  it('call$ and registerStream fail with the same timeout; none waits forever', async () => {
    const client = new WampClient(options());
    const [call, registration] = await Promise.all([
      failure<WampConnectionError>(firstValueFrom(client.call$('com.x'))),
      failure<WampConnectionError>(firstValueFrom(client.registerStream('com.y', () => []))),
    ]);
    expect([call.code, registration.code]).to.deep.equal(['timeout', 'timeout']);
    expect(call).to.equal(registration); // one attempt, one error for everything waiting on it
  });

  it('close() while connecting ends the attempt at once: pending operations fail with closed', async () => {
    const client = new WampClient({ ...options(), connectTimeout: 10_000 });
    const call = failure<WampConnectionError>(firstValueFrom(client.call$('com.x')));
    const connect = failure<WampConnectionError>(client.connect());
    await new Promise<void>((resolve) =>
      client.state$.subscribe((state) => {
        if (state.status === 'connecting') resolve();
      }),
    );
    await client.close();
    expect([(await call).code, (await connect).code]).to.deep.equal(['closed', 'closed']);
    expect(client.state).to.include({ status: 'closed', willRetry: false });
  });

  it('in a process of its own: connect(), call$, close() and unsubscribe while connecting all end, and the process lives', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', SCRIPT, server.url], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, stderr).to.equal(0);
    const report = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, string>;
    expect(report).to.deep.equal({
      connectOnly: 'WampConnectionError timeout',
      call: 'WampConnectionError timeout',
      closedWhileConnecting: 'WampConnectionError closed',
      abandoned: 'closed',
    });
  });
});
