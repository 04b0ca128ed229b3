// Runs a ```ts block as a user would run their program: with tsx, as an ES module, in the snippet
// project (so 'rxwamp' is the packed package), against an embedded router of its own on a free
// port. It must exit 0 by itself within the time limit and, when a ```text output block follows
// it, print exactly that.
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { root } from '../package/packed-package.js';
import { startEmbeddedRouter } from '../helpers/embedded-router.js';
import type { Snippet } from './extract-snippets.js';
import { snippetFile } from './snippet-project.js';

/** The router address the docs write; each run gets its own router's URL instead. */
export const DOC_ROUTER_URL = 'ws://127.0.0.1:8080/ws';
export const RUN_TIMEOUT_MS = 20_000;

const TSX_LOADER = pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href;
/** Output kept per stream; a runaway program must not fill the test's memory. */
const MAX_CAPTURE = 256 * 1024;

export interface RunOutcome {
  /** Undefined when the block ran as the docs say; otherwise why not, with its output. */
  readonly failure: string | undefined;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The snippet project (createSnippetProject), where 'rxwamp' resolves as in a user's project. */
  readonly projectDir: string;
  readonly timeoutMs?: number;
}

/** Printed output compared as text: line endings and trailing whitespace do not count. */
export const normalizeOutput = (text: string): string =>
  text
    .replace(/\r\n/g, '\n')
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')
    .trimEnd();

/** Starts a router on a free port with realm1, runs the block against it, stops the router. */
export async function runSnippet(snippet: Snippet, options: RunOptions): Promise<RunOutcome> {
  const router = await startEmbeddedRouter({ realms: ['realm1'] });
  try {
    return await runProgram(snippet, router.url, options);
  } finally {
    await router.stop();
  }
}

async function runProgram(snippet: Snippet, routerUrl: string, { projectDir, timeoutMs = RUN_TIMEOUT_MS }: RunOptions): Promise<RunOutcome> {
  // A copy beside the type-checked file (outside tsconfig's file list), with the real router URL.
  const path = join(projectDir, 'run', snippetFile(snippet));
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, snippet.code.replaceAll(DOC_ROUTER_URL, routerUrl));

  const child = spawn(process.execPath, ['--import', TSX_LOADER, path], {
    cwd: projectDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // its own process group, so a timeout also ends whatever the program started
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    if (stdout.length < MAX_CAPTURE) stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    if (stderr.length < MAX_CAPTURE) stderr += chunk;
  });
  const killed = { afterTimeout: false };
  const timer = setTimeout(() => {
    killed.afterTimeout = true;
    try {
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // It ended just now, before its 'close' event cleared this timer.
    }
  }, timeoutMs);
  const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((done) => {
    child.on('close', (exitCode, exitSignal) => done([exitCode, exitSignal]));
    child.on('error', (error) => {
      stderr += `\n${error.message}`;
      done([null, null]);
    });
  });
  clearTimeout(timer);

  const where = `${snippet.file}:${snippet.fenceLine}`;
  const shown = `\n--- stdout ---\n${stdout.trimEnd()}\n--- stderr ---\n${stderr.trimEnd()}`;
  let failure: string | undefined;
  if (killed.afterTimeout) failure = `${where}: the program did not exit within ${timeoutMs / 1000} s and was killed (does it close every client?)`;
  else if (code !== 0) failure = `${where}: the program exited with ${code === null ? `signal ${signal}` : `code ${code}`}`;
  else if (snippet.expectedOutput !== undefined && normalizeOutput(stdout) !== normalizeOutput(snippet.expectedOutput)) {
    failure = `${where}: the program printed something else than the \`text output\` block after it\n--- expected ---\n${normalizeOutput(snippet.expectedOutput)}`;
  }
  return { failure: failure && `${failure}${shown}`, stdout, stderr };
}

/** Runs at most `limit` tasks at a time, in the order they were handed in. */
export function limitConcurrency(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running < limit) running++;
    else await new Promise<void>((turn) => waiting.push(turn)); // a finishing task hands its slot over
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else running--;
    }
  };
}
