// Makes sure the Debian packages the tests use are installed: Chromium for the browser tests
// (spec/browser) and Autobahn|Python with its serializers for the Python peer (spec/e2e).
// When some are missing and we are root with apt-get, it installs exactly those (no
// recommends, no upgrade of what is already there), waiting a bounded time for the package
// lock; otherwise it prints the command to run by hand and exits non-zero.
// Imported for its constants by the specs; it only acts when run as a script (`npm test`'s pretest).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** Debian's Chromium, or CHROMIUM_PATH. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * Debian's Python, which sees the python3-* packages below; another python3 earlier on PATH
 * (pyenv, a venv) may not. PYTHON overrides it.
 */
export const PYTHON_PATH = process.env.PYTHON ?? '/usr/bin/python3';

/** The Python modules the peer imports, each with the Debian package that ships it. */
const PYTHON_MODULES = { autobahn: 'python3-autobahn', cbor2: 'python3-cbor2', msgpack: 'python3-msgpack', nacl: 'python3-nacl' };

/** How long apt may wait for another apt or dpkg to release its lock. */
const LOCK_WAIT_SECONDS = 300;

/** The Debian packages the tests need, less those a CHROMIUM_PATH or PYTHON override takes care of. */
export function requiredPackages() {
  const packages = [];
  if (process.env.CHROMIUM_PATH === undefined) packages.push('chromium');
  if (process.env.PYTHON === undefined) packages.push(...Object.values(PYTHON_MODULES));
  return packages;
}

function isInstalled(pkg) {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Status}', pkg], { encoding: 'utf8' });
  return query.status === 0 && query.stdout.trim() === 'install ok installed';
}

function hasCommand(name) {
  return spawnSync('sh', ['-c', `command -v ${name}`], { stdio: 'ignore' }).status === 0;
}

/** Problems that no package list can fix: an override that points at nothing usable. */
function overrideProblems() {
  const problems = [];
  if (process.env.CHROMIUM_PATH !== undefined && !existsSync(CHROMIUM_PATH)) problems.push(`CHROMIUM_PATH=${CHROMIUM_PATH} does not exist`);
  if (process.env.PYTHON !== undefined) {
    const probe = spawnSync(PYTHON_PATH, ['-c', `import ${Object.keys(PYTHON_MODULES).join(', ')}`], { encoding: 'utf8' });
    if (probe.status !== 0)
      problems.push(
        `PYTHON=${PYTHON_PATH} cannot import ${Object.keys(PYTHON_MODULES).join(', ')} (${(probe.stderr || String(probe.error)).trim().split('\n').pop()})`,
      );
  }
  return problems;
}

function installCommand(packages) {
  return `apt-get install --no-install-recommends --no-upgrade ${packages.join(' ')}`;
}

/** Every installed package with its version, to tell afterwards what apt changed. */
function installedVersions() {
  const query = spawnSync('dpkg-query', ['-W', '-f=${Package}:${Architecture} ${Version} ${db:Status-Abbrev}\n'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const versions = new Map();
  for (const line of query.stdout.split('\n')) {
    const [name, version, status] = line.split(' ');
    if (name && status?.startsWith('ii')) versions.set(name, version);
  }
  return versions;
}

/**
 * Runs apt-get quietly (its errors still show); while another process holds a lock it tries
 * again, until LOCK_WAIT_SECONDS have passed. DPkg::Lock::Timeout covers dpkg's lock; the
 * lists lock of `apt-get update` is not covered by it, hence the loop.
 */
function aptGet(args, deadline) {
  for (;;) {
    const seconds = Math.max(1, Math.ceil((deadline - Date.now()) / 1000));
    const run = spawnSync('apt-get', ['-qq', '-o', `DPkg::Lock::Timeout=${seconds}`, ...args], {
      encoding: 'utf8',
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
    });
    const locked = /Could not get lock|Unable to lock|Unable to acquire/.test(run.stderr ?? '');
    if (run.status === 0 || !locked || Date.now() >= deadline) {
      if (run.status !== 0) process.stderr.write(run.stderr ?? String(run.error));
      return run.status === 0;
    }
    spawnSync('sleep', ['3']);
  }
}

/** A package apt knows no candidate for: its lists are missing or older than the archive. */
function hasCandidate(pkg) {
  const policy = spawnSync('apt-cache', ['policy', pkg], { encoding: 'utf8' });
  const candidate = /Candidate: (\S+)/.exec(policy.stdout ?? '')?.[1];
  return candidate !== undefined && candidate !== '(none)';
}

function describeChanges(before, after) {
  const added = [...after.keys()].filter((name) => !before.has(name));
  const changed = [...after.keys()].filter((name) => before.has(name) && before.get(name) !== after.get(name));
  const list = (names) => names.map((name) => `${name.replace(/:(amd64|all|arm64|i386)$/, '')} ${after.get(name)}`).join(', ');
  return (
    `apt installed ${added.length} package(s)${added.length ? `: ${list(added)}` : ''}; ` +
    `upgraded ${changed.length}${changed.length ? `: ${list(changed)}` : ''}.`
  );
}

function main() {
  const problems = overrideProblems();
  const canQuery = hasCommand('dpkg-query');
  const missing = canQuery ? requiredPackages().filter((pkg) => !isInstalled(pkg)) : requiredPackages();
  if (!canQuery && missing.length > 0) {
    problems.push(`no dpkg here: install the equivalent of Debian's ${missing.join(', ')}, then set CHROMIUM_PATH and PYTHON`);
    missing.length = 0;
  }
  if (problems.length > 0) {
    console.error(`The tests cannot run: ${problems.join('; ')}.`);
    process.exit(1);
  }
  if (missing.length === 0) return;

  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !hasCommand('apt-get')) {
    console.error(`The tests need Debian packages that are missing: ${missing.join(' ')}. Install them with: sudo ${installCommand(missing)}`);
    process.exit(1);
  }
  console.log(`Installing the Debian packages the tests need: ${missing.join(' ')} (by hand: ${installCommand(missing)})`);
  const deadline = Date.now() + LOCK_WAIT_SECONDS * 1000;
  const before = installedVersions();
  let updated = false;
  if (!missing.every(hasCandidate)) {
    if (!aptGet(['update'], deadline)) process.exit(1);
    updated = true;
  }
  const install = ['install', '-y', '--no-install-recommends', '--no-upgrade', ...missing];
  // A failure with lists we did not refresh may be a stale list (a version the archive no longer has).
  if (!aptGet(install, deadline) && (updated || !aptGet(['update'], deadline) || !aptGet(install, deadline))) {
    console.error(`Installing failed; run by hand: ${installCommand(missing)}`);
    process.exit(1);
  }
  console.log(describeChanges(before, installedVersions()));
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
