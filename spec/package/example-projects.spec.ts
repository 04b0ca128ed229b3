// examples/vitest-jsdom and examples/jest-jsdom: small apps whose unit tests run under jsdom
// against rxwamp/testing's in-memory router, with rxwamp installed from the packed tarball as a
// user's project would get it from npm. Each example is run with its own toolchain (its own
// lockfile, its own test command), and its runner's report decides.
import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { packedTarball, root } from './packed-package.js';

/** An install that takes longer than this is stuck (a registry that does not answer). */
const INSTALL_TIMEOUT_MS = 10 * 60_000;
/** A test run of an example (jsdom start-up included) that takes longer than this is stuck. */
const RUN_TIMEOUT_MS = 5 * 60_000;

interface ExampleProject {
  /** The folder under examples/. */
  readonly name: string;
  /** Arguments after `npm test --` that add a readable per-test listing and write the JSON report to `reportFile`. */
  readonly reportArgs: (reportFile: string) => string[];
  /** The runner's per-test and summary lines in its (uncoloured) console output. */
  readonly summary: RegExp;
  /** Test files and tests the example has: a test lost by a rename or a filter fails this spec. */
  readonly files: number;
  readonly tests: number;
}

const EXAMPLES: readonly ExampleProject[] = [
  {
    name: 'vitest-jsdom',
    reportArgs: (reportFile) => ['--reporter=verbose', '--reporter=json', `--outputFile.json=${reportFile}`],
    summary: /^\s*([✓×↓]\s|(Test Files|Tests)\s)/,
    files: 3,
    tests: 5,
  },
  {
    name: 'jest-jsdom',
    reportArgs: (reportFile) => ['--verbose', '--json', `--outputFile=${reportFile}`],
    summary: /^\s*((PASS|FAIL)\s|[✓✕○]\s|(Test Suites|Tests):)/,
    files: 3,
    tests: 5,
  },
];

/** The part of the report Vitest's json reporter and Jest's --json share. */
interface RunnerReport {
  readonly success: boolean;
  /** One entry per test file (Vitest's numTotalTestSuites also counts describe blocks; Jest's does not). */
  readonly testResults: readonly unknown[];
  readonly numTotalTests: number;
  readonly numPassedTests: number;
  readonly numFailedTests: number;
  readonly numPendingTests: number;
  readonly numTodoTests: number;
}

interface CommandResult {
  readonly code: number;
  readonly output: string;
}

/**
 * Runs a command in an example's folder. The environment drops the npm_config_local_prefix that
 * `npm test` exports (the example's npm would otherwise work on the repository root) and c8's
 * NODE_V8_COVERAGE (the examples run the packed build, not src/, so their coverage would only be
 * files for c8 to read and discard), and asks for output without colour, so its lines can be matched.
 */
function run(command: string, args: readonly string[], cwd: string, timeout: number): Promise<CommandResult> {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0', CI: 'true' };
  delete env['npm_config_local_prefix'];
  delete env['NODE_V8_COVERAGE'];
  return new Promise((resolve) => {
    execFile(command, args, { cwd, env, timeout, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}${error && code === -1 ? `\n${error.message}` : ''}` });
    });
  });
}

async function mustRun(command: string, args: readonly string[], cwd: string, timeout: number): Promise<void> {
  const result = await run(command, args, cwd, timeout);
  if (result.code !== 0) throw new Error(`${command} ${args.join(' ')} (in ${cwd}) exited with ${result.code}:\n${result.output}`);
}

const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * The example's own packages from its lockfile, then the packed rxwamp over them. Each step is
 * skipped when a mark inside node_modules (which `npm ci` wipes) says it is done for this lockfile
 * and this tarball, so a second local run installs nothing; a clean clone (CI) does both.
 */
async function install(dir: string, tarball: string, log: (line: string) => void): Promise<void> {
  const modules = join(dir, 'node_modules');
  const lockMark = join(modules, '.rxwamp-example-lockfile-sha256');
  const tarballMark = join(modules, '.rxwamp-tarball-sha256');
  const lockSha = sha256(join(dir, 'package-lock.json'));
  if (!existsSync(lockMark) || readFileSync(lockMark, 'utf8') !== lockSha) {
    log('npm ci (node_modules missing or made from another lockfile)');
    await mustRun('npm', ['ci', '--no-audit', '--no-fund', '--loglevel=error'], dir, INSTALL_TIMEOUT_MS);
    writeFileSync(lockMark, lockSha);
  }
  const tarballSha = sha256(tarball);
  if (!existsSync(tarballMark) || readFileSync(tarballMark, 'utf8') !== tarballSha) {
    log('npm install --no-save <packed rxwamp>');
    // --no-save: the example's package.json and lockfile stay free of a local tarball's path and hash.
    await mustRun('npm', ['install', '--no-save', '--no-audit', '--no-fund', '--loglevel=error', tarball], dir, INSTALL_TIMEOUT_MS);
    writeFileSync(tarballMark, tarballSha);
  }
}

describe('package: the Vitest and Jest example projects (jsdom, rxwamp/testing, the packed package)', function () {
  for (const example of EXAMPLES) {
    describe(`examples/${example.name}`, function () {
      const dir = join(root, 'examples', example.name);
      const log = (line: string) => console.log(`      [${example.name}] ${line}`);
      let report: RunnerReport;
      let result: CommandResult;

      before(async function () {
        this.timeout(2 * INSTALL_TIMEOUT_MS + 2 * RUN_TIMEOUT_MS);
        await install(dir, packedTarball(), log);
        log('npm run typecheck (tsc --noEmit, strict)');
        await mustRun('npm', ['run', 'typecheck'], dir, RUN_TIMEOUT_MS);
        const started = Date.now();
        const reportDir = mkdtempSync(join(tmpdir(), `rxwamp-${example.name}-`));
        try {
          const reportFile = join(reportDir, 'report.json');
          result = await run('npm', ['test', '--', ...example.reportArgs(reportFile)], dir, RUN_TIMEOUT_MS);
          if (!existsSync(reportFile)) throw new Error(`npm test wrote no report (exit code ${result.code}):\n${result.output}`);
          report = JSON.parse(readFileSync(reportFile, 'utf8')) as RunnerReport;
        } finally {
          rmSync(reportDir, { recursive: true, force: true });
        }
        log(`npm test: exit code ${result.code} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
        for (const line of result.output.split('\n')) if (example.summary.test(line)) console.log(`        ${line.trimEnd()}`);
      });

      it(`passes all ${example.tests} tests in ${example.files} files, none skipped`, function () {
        expect(result.code, result.output).to.equal(0);
        expect(report.success, result.output).to.equal(true);
        expect(
          {
            files: report.testResults.length,
            total: report.numTotalTests,
            passed: report.numPassedTests,
            failed: report.numFailedTests,
            skipped: report.numPendingTests + report.numTodoTests,
          },
          result.output,
        ).to.deep.equal({ files: example.files, total: example.tests, passed: example.tests, failed: 0, skipped: 0 });
      });
    });
  }

  it('both examples test the same application code (src/ is the same in each)', function () {
    const sources = (name: string) => {
      const dir = join(root, 'examples', name, 'src');
      return Object.fromEntries(readdirSync(dir).map((file) => [file, readFileSync(join(dir, file), 'utf8')]));
    };
    const [first, ...others] = EXAMPLES.map((example) => sources(example.name));
    expect(Object.keys(first!)).to.have.length.greaterThan(0);
    for (const other of others) expect(other).to.deep.equal(first);
  });
});
