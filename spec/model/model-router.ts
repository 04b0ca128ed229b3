/**
 * The embedded router in a child process with a control channel (model-router-main.ts): the
 * model tests ask it what it holds for each session, make it drop one session's connection,
 * SIGKILL it and start a new one on the same port. Every child is killed when the test process
 * exits (as ../helpers/router-process.ts does), and a child whose parent dies sees its stdin
 * close and exits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { hasExited, trackChild } from '../helpers/router-process.js';
import type { RouterState } from './model-router-main.js';

export type { RouterState, RouterRegistration, RouterSubscription } from './model-router-main.js';

const MAIN_PATH = fileURLToPath(new URL('./model-router-main.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const START_TIMEOUT_MS = 20_000;
const REQUEST_TIMEOUT_MS = 5_000;
const STDERR_KEEP_CHARS = 8_000;

/**
 * The child's command line. The router is restarted often, so its main is bundled once per
 * test process with esbuild (a plain `node` start takes ~100 ms; under `--import tsx` ~1.5 s
 * on this machine); without esbuild it runs under tsx.
 */
let childCommand: Promise<string[]> | undefined;
function commandLine(): Promise<string[]> {
  childCommand ??= (async () => {
    try {
      const { build } = await import('esbuild');
      const bundleDir = mkdtempSync(join(tmpdir(), 'rxwamp-model-router-'));
      process.once('exit', () => rmSync(bundleDir, { recursive: true, force: true }));
      const outfile = join(bundleDir, 'model-router-main.mjs');
      await build({
        entryPoints: [MAIN_PATH],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile,
        logLevel: 'error',
        // Bundled CommonJS dependencies (ws) call require().
        banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
      });
      return [outfile];
    } catch {
      return ['--import', 'tsx', MAIN_PATH];
    }
  })();
  return childCommand;
}

interface Pending {
  resolve(reply: Record<string, unknown>): void;
  reject(error: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

export class ModelRouter {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private stderr = '';
  private readonly exited: Promise<void>;

  private constructor(
    private readonly child: ChildProcess,
    lines: Interface,
    readonly port: number,
    readonly realm: string,
  ) {
    this.exited = new Promise<void>((resolve) => {
      if (hasExited(child)) resolve();
      else child.once('exit', () => resolve());
    });
    child.once('exit', () => {
      for (const [, request] of this.pending) {
        clearTimeout(request.timer);
        request.reject(new Error(`the router process exited\n${this.stderr}`));
      }
      this.pending.clear();
    });
    lines.on('line', (line) => {
      const message = parseJsonLine(line);
      const id = message?.['id'];
      if (typeof id !== 'number') return;
      const request = this.pending.get(id);
      if (!request) return;
      this.pending.delete(id);
      clearTimeout(request.timer);
      if (typeof message!['error'] === 'string') request.reject(new Error(`router control: ${message!['error']}`));
      else request.resolve(message!);
    });
  }

  get url(): string {
    return `ws://127.0.0.1:${this.port}/ws`;
  }

  get pid(): number {
    return this.child.pid!;
  }

  static async start(port = 0, realm = 'realm1'): Promise<ModelRouter> {
    const command = await commandLine();
    const child = spawn(process.execPath, [...command, String(port), realm], { cwd: REPO_ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    trackChild(child); // killed when the test process exits
    child.stdin.on('error', () => undefined);
    let stderr = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-STDERR_KEEP_CHARS);
    });
    const lines = createInterface({ input: child.stdout });
    const listening = await new Promise<number>((resolve, reject) => {
      const fail = (why: string) => {
        cleanup();
        child.kill('SIGKILL');
        reject(new Error(`model router did not start: ${why}\n${stderr}`));
      };
      const timer = setTimeout(() => fail(`no "listening" line within ${START_TIMEOUT_MS} ms`), START_TIMEOUT_MS);
      const onLine = (line: string) => {
        const message = parseJsonLine(line);
        if (typeof message?.['listening'] === 'number') {
          cleanup();
          resolve(message['listening']);
        } else if (typeof message?.['failed'] === 'string') fail(message['failed']);
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => fail(`exited (code ${code}, signal ${signal})`);
      const cleanup = () => {
        clearTimeout(timer);
        lines.off('line', onLine);
        child.off('exit', onExit);
      };
      lines.on('line', onLine);
      child.once('exit', onExit);
    });
    const router = new ModelRouter(child, lines, listening, realm);
    router.stderr = stderr;
    child.stderr.on('data', (chunk: string) => {
      router.stderr = (router.stderr + chunk).slice(-STDERR_KEEP_CHARS);
    });
    return router;
  }

  /** What the realm holds right now: sessions, connections, registrations, subscriptions. */
  async state(): Promise<RouterState> {
    return (await this.request({ query: 'state' }))['state'] as RouterState;
  }

  /** Drops one session's connection from the router side; false when the router has no such session. */
  async drop(session: number, how: 'terminate' | 'close'): Promise<boolean> {
    return (await this.request({ drop: session, how }))['dropped'] === true;
  }

  /** SIGKILL, resolved once the process has exited. */
  async kill(): Promise<void> {
    if (!hasExited(this.child)) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGKILL, then a new router on the same port. */
  async restart(): Promise<ModelRouter> {
    await this.kill();
    return ModelRouter.start(this.port, this.realm);
  }

  private request(body: Record<string, unknown>): Promise<Record<string, unknown>> {
    if (hasExited(this.child)) return Promise.reject(new Error('the router process has exited'));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`router control: no answer to ${JSON.stringify(body)} within ${REQUEST_TIMEOUT_MS} ms`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.child.stdin!.write(`${JSON.stringify({ id, ...body })}\n`);
    });
  }
}

function parseJsonLine(line: string): Record<string, unknown> | undefined {
  if (!line.startsWith('{')) return undefined;
  try {
    const value: unknown = JSON.parse(line);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
