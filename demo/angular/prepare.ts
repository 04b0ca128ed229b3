/**
 * Gets examples/angular ready to serve, as a user's app would be: rxwamp built and packed
 * (`npm pack`), the example's own packages installed from its lockfile (once, when its
 * node_modules is missing), the packed rxwamp installed over it, then `ng build`.
 */
import { execFileSync } from 'node:child_process';
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
/** An install that takes longer than this is stuck (a registry that does not answer). */
const INSTALL_TIMEOUT_MS = 10 * 60_000;

export interface PrepareOptions {
  /** Progress lines, one per step. */
  readonly log: (line: string) => void;
  /** Show the tools' own output (the demo command does; the tests keep it for failures). */
  readonly verbose?: boolean;
}

function run(command: string, args: readonly string[], cwd: string, options: PrepareOptions, timeout = INSTALL_TIMEOUT_MS): void {
  try {
    execFileSync(command, args, {
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
 * that `npm test` exports, so the example's npm works on the example's folder.
 */
function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NG_CLI_ANALYTICS: 'false', NG_FORCE_TTY: 'false' };
  delete env['npm_config_local_prefix'];
  return env;
}

/** Builds and packs rxwamp; returns the tarball's path. */
function packRxwamp(options: PrepareOptions): string {
  run(process.execPath, ['scripts/build.mjs'], REPO_ROOT, options);
  rmSync(PACK_DIR, { recursive: true, force: true });
  mkdirSync(PACK_DIR, { recursive: true });
  run('npm', ['pack', '--ignore-scripts', '--silent', '--pack-destination', PACK_DIR], REPO_ROOT, options);
  const [tarball] = readdirSync(PACK_DIR).filter((name) => name.endsWith('.tgz'));
  if (!tarball) throw new Error(`npm pack left no .tgz in ${PACK_DIR}`);
  return join(PACK_DIR, tarball);
}

export function prepareAngularApp(options: PrepareOptions): void {
  const { log } = options;
  log('[angular] building and packing rxwamp (npm run build, npm pack)');
  const tarball = packRxwamp(options);
  if (!existsSync(join(ANGULAR_APP, 'node_modules'))) {
    log('[angular] examples/angular/node_modules is missing: npm ci there (about a minute, once)');
    run('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], ANGULAR_APP, options);
  }
  const sha = createHash('sha256').update(readFileSync(tarball)).digest('hex');
  if (!existsSync(INSTALLED_MARK) || readFileSync(INSTALLED_MARK, 'utf8') !== sha) {
    log('[angular] installing the packed rxwamp into examples/angular (npm install --no-save)');
    // --no-save: the example's package.json and lockfile stay free of a local tarball's path and hash.
    run('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', tarball], ANGULAR_APP, options);
    writeFileSync(INSTALLED_MARK, sha);
  }
  log('[angular] ng build');
  run(process.execPath, [join('node_modules', '@angular', 'cli', 'bin', 'ng.js'), 'build'], ANGULAR_APP, options);
}
