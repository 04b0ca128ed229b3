/**
 * Gets examples/angular ready to serve or test, as a user's app would be: rxwamp built and
 * packed (`npm pack`), the example's own packages installed from its lockfile (when its
 * node_modules is missing or the lockfile changed since), the packed rxwamp installed over it,
 * then `ng build` (to serve) or `ng test` (its component tests, Vitest).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const ANGULAR_APP = join(REPO_ROOT, 'examples', 'angular');
/** Where `ng build` puts the app's files. */
export const ANGULAR_DIST = join(ANGULAR_APP, 'dist', 'browser');

const PACK_DIR = join(ANGULAR_APP, '.rxwamp');
/** Which tarball is installed, kept inside node_modules so a fresh `npm ci` forgets it. */
const INSTALLED_MARK = join(ANGULAR_APP, 'node_modules', '.rxwamp-tarball-sha256');
/** Which lockfile node_modules was installed from: a changed lockfile (new packages) means npm ci again. */
const LOCKFILE_MARK = join(ANGULAR_APP, 'node_modules', '.package-lock-sha256');
const LOCKFILE = join(ANGULAR_APP, 'package-lock.json');
/** An install that takes longer than this is stuck (a registry that does not answer). */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface PrepareOptions {
  /** Progress lines, one per step. */
  readonly log: (line: string) => void;
  /** Show the tools' own output (the demo command does; the tests keep it for failures). */
  readonly verbose?: boolean;
}

/** Runs a tool; returns its stdout (when not `verbose`, which shows it instead). */
function run(command: string, args: readonly string[], cwd: string, options: PrepareOptions, timeout = INSTALL_TIMEOUT_MS): string {
  try {
    return execFileSync(command, args, {
      cwd,
      timeout,
      stdio: options.verbose ? 'inherit' : 'pipe',
      encoding: 'utf8',
      env: childEnv(),
    });
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${command} ${args.join(' ')} (in ${cwd}) failed: ${failure.message}\n${failure.stdout ?? ''}${failure.stderr ?? ''}`, { cause: error });
  }
}

/**
 * The tools' environment: no Angular analytics prompt, and without the npm_config_local_prefix
 * that `npm test` exports, so the example's npm works on the example's folder. Without c8's
 * NODE_V8_COVERAGE too: the tools' processes (and Vitest's workers) run no code of src/, and
 * their coverage files would only slow the report down.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: 'false' };
  delete env['npm_config_local_prefix'];
  delete env['NODE_V8_COVERAGE'];
  return env;
}

/** Builds and packs rxwamp; returns the tarball's path. */
function packRxwamp(options: PrepareOptions): string {
  run(process.execPath, ['scripts/build.mjs'], REPO_ROOT, options);
  rmSync(PACK_DIR, { recursive: true, force: true });
  mkdirSync(PACK_DIR, { recursive: true });
  const packed = packedFiles(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', PACK_DIR], REPO_ROOT, { ...options, verbose: false }));
  // dist/ is shared with whatever else builds in this checkout (another test's or a watch's
  // build empties it first): a tarball packed meanwhile would install an rxwamp with no code.
  for (const entry of ['dist/esm/index.js', 'dist/esm/testing.js']) {
    if (!packed.includes(entry)) throw new Error(`npm pack made a tarball without ${entry}: was dist/ rebuilt by another process meanwhile? Run again.`);
  }
  const [tarball] = readdirSync(PACK_DIR).filter((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no .tgz in ${PACK_DIR}`);
  return join(PACK_DIR, tarball);
}

/** The paths in the tarball, from `npm pack --json`. */
function packedFiles(json: string): string[] {
  const [report] = JSON.parse(json) as [{ readonly files: readonly { readonly path: string }[] }?];
  return report?.files.map((file) => file.path) ?? [];
}

/** The sha-256 of a file, hex. */
function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

function readMark(path: string): string | undefined {
  return existsSync(path) ? readFileSync(path, 'utf8') : undefined;
}

/** Installed in this process already: the second spec that needs the app does not pack again. */
let installed = false;

/**
 * rxwamp packed and installed in examples/angular over the example's own packages (npm ci
 * when node_modules is missing or was installed from another lockfile).
 */
export function installAngularApp(options: PrepareOptions): void {
  if (installed) return;
  const { log } = options;
  log('[angular] building and packing rxwamp (npm run build, npm pack)');
  const tarball = packRxwamp(options);
  const lockfile = sha256(LOCKFILE);
  if (!existsSync(join(ANGULAR_APP, 'node_modules')) || readMark(LOCKFILE_MARK) !== lockfile) {
    log('[angular] examples/angular/node_modules is missing or from another lockfile: npm ci there (about a minute)');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], ANGULAR_APP, options);
    writeFileSync(LOCKFILE_MARK, lockfile);
  }
  const sha = sha256(tarball);
  // The package itself is checked too: an `npm install` of another package in the example removes
  // a --no-save package but leaves the mark.
  if (readMark(INSTALLED_MARK) !== sha || !existsSync(join(ANGULAR_APP, 'node_modules', 'rxwamp', 'package.json'))) {
    log('[angular] installing the packed rxwamp into examples/angular (npm install --no-save)');
    // --no-save: the example's package.json and lockfile stay free of a local tarball's path and hash.
    run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', tarball], ANGULAR_APP, options);
    writeFileSync(INSTALLED_MARK, sha);
  }
  installed = true;
}

const NG = join('node_modules', '@angular', 'cli', 'bin', 'ng.js');

export function prepareAngularApp(options: PrepareOptions): void {
  installAngularApp(options);
  options.log('[angular] ng build');
  run(process.execPath, [NG, 'build'], ANGULAR_APP, options);
}

/** What `ng test` printed and how it ended. */
export interface AngularTestRun {
  /** Its exit code (0: every test passed). */
  readonly status: number | null;
  /** stdout and stderr, colours removed. */
  readonly output: string;
}

/**
 * Installs as above, then runs the example's component tests once: `ng test --watch=false`
 * (Angular's unit-test builder with Vitest and jsdom, as `ng new` sets it up).
 */
export function testAngularApp(options: PrepareOptions): AngularTestRun {
  installAngularApp(options);
  options.log('[angular] ng test --watch=false');
  const result = spawnSync(process.execPath, [NG, 'test', '--watch=false'], {
    cwd: ANGULAR_APP,
    timeout: INSTALL_TIMEOUT_MS,
    encoding: 'utf8',
    env: { ...childEnv(), NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' },
  });
  if (result.error) throw new Error(`ng test (in ${ANGULAR_APP}) did not run: ${result.error.message}`, { cause: result.error });
  // eslint-disable-next-line no-control-regex -- ANSI colour codes, in case a tool prints them anyway
  const output = `${result.stdout}${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, '');
  if (options.verbose) process.stdout.write(output);
  return { status: result.status, output };
}
