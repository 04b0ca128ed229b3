import { expect } from 'chai';
import { root } from '../package/packed-package.js';
import { excerptMismatch } from './check-excerpt.js';
import { fencedBlocks, firstMeaningfulLine, formatProblem, snippetsOf, type Snippet } from './extract-snippets.js';
import { limitConcurrency, normalizeOutput, runSnippet } from './run-snippet.js';
import { compiledText, createSnippetProject, FRAGMENT_AMBIENT, typeCheck, type TypeCheckReport } from './snippet-project.js';

/** Markdown from lines (the fences are written as ``` in the strings below). */
const markdown = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** The snippets of an in-memory Markdown file that must have no problem of its own. */
function snippetsOfClean(file: string, text: string): readonly Snippet[] {
  const { snippets, problems } = snippetsOf(file, text);
  expect(problems.map(formatProblem)).to.deep.equal([]);
  return snippets;
}

/** The index-th snippet, which must be there. */
function nth(snippets: readonly Snippet[], index: number): Snippet {
  const snippet = snippets.at(index);
  if (snippet === undefined) throw new Error(`expected a snippet at ${index}, found ${snippets.length}`);
  return snippet;
}

/** The first snippet of an in-memory Markdown file with no problem. */
const firstSnippet = (file: string, text: string): Snippet => nth(snippetsOfClean(file, text), 0);

describe('doc snippets harness: extracting the blocks', () => {
  it('reads ``` and ~~~ fences of any length ≥ 3, with their info strings and line numbers', () => {
    const { blocks, problems } = fencedBlocks(
      'docs/a.md',
      markdown(
        '# Title', //  1
        '```ts', //  2
        'const a = 1;', //  3
        '```', //  4
        '~~~ ts fragment  ', //  5
        'const b = 2;', //  6
        '~~~~', //  7
        '````md', //  8
        '```ts', //  9  inside the md block: not a fence of its own
        '```', // 10
        '````', // 11
        'Inline ```ts``` is not a fence.',
        '  ```sh', // 13  indented (a list item): the indentation is removed from the body
        '    npm test', // 14
        '  ```', // 15
      ),
    );
    expect(problems).to.deep.equal([]);
    expect(blocks.map(({ fenceLine, closeLine, info, lines }) => ({ fenceLine, closeLine, info, lines }))).to.deep.equal([
      { fenceLine: 2, closeLine: 4, info: 'ts', lines: ['const a = 1;'] },
      { fenceLine: 5, closeLine: 7, info: 'ts fragment', lines: ['const b = 2;'] },
      { fenceLine: 8, closeLine: 11, info: 'md', lines: ['```ts', '```'] },
      { fenceLine: 13, closeLine: 15, info: 'sh', lines: ['  npm test'] },
    ]);
  });

  it('reports a fence that is never closed, at its line', () => {
    const { problems } = fencedBlocks('docs/a.md', markdown('text', '```ts', 'const a = 1;', '~~~'));
    expect(problems.map(formatProblem)).to.deep.equal(['docs/a.md:2: the fence opened here (```ts) is never closed (everything after it would be code)']);
  });

  it('tells the kinds apart and attaches a text output block to the ts block right before it', () => {
    const snippets = snippetsOfClean(
      'docs/a.md',
      markdown(
        '```ts',
        'console.log(1);',
        '```',
        '',
        '```text output',
        '1',
        '```',
        '```ts compile',
        'export {};',
        '```',
        '```ts fragment',
        'client.close();',
        '```',
        '```ts excerpt examples/angular/src/app/app.ts',
        'x',
        '```',
        '```sh',
        'npm test',
        '```',
        '```text',
        'not an output block',
        '```',
      ),
    );
    expect(snippets.map(({ fenceLine, kind, excerptOf, expectedOutput }) => ({ fenceLine, kind, excerptOf, expectedOutput }))).to.deep.equal([
      { fenceLine: 1, kind: 'run', excerptOf: undefined, expectedOutput: '1\n' },
      { fenceLine: 8, kind: 'compile', excerptOf: undefined, expectedOutput: undefined },
      { fenceLine: 11, kind: 'fragment', excerptOf: undefined, expectedOutput: undefined },
      { fenceLine: 14, kind: 'excerpt', excerptOf: 'examples/angular/src/app/app.ts', expectedOutput: undefined },
    ]);
    expect(nth(snippets, 0).code).to.equal('console.log(1);\n');
  });

  it('fails a ts block with an unknown kind, TypeScript tagged otherwise or quoted, naming file:line', () => {
    const { snippets, problems } = snippetsOf(
      'docs/guide.md',
      markdown(
        'Some prose.',
        '',
        '```ts run',
        'console.log(1);',
        '```',
        '```typescript',
        'const a = 1;',
        '```',
        '```ts excerpt',
        'const b = 1;',
        '```',
        '```tsv',
        'a\tb',
        '```',
        '> ```ts',
        '> const quoted = 1;',
        '> ```',
      ),
    );
    expect(snippets).to.deep.equal([]);
    expect(problems.map(formatProblem)).to.deep.equal([
      'docs/guide.md:3: unknown TypeScript block kind `ts run`: use `ts`, `ts compile`, `ts fragment` or `ts excerpt <path>`',
      'docs/guide.md:6: TypeScript block tagged `typescript` would not be checked: use `ts`, `ts compile`, `ts fragment` or `ts excerpt <path>`',
      'docs/guide.md:9: unknown TypeScript block kind `ts excerpt`: use `ts`, `ts compile`, `ts fragment` or `ts excerpt <path>`',
      'docs/guide.md:15: a TypeScript block inside a `>` quote is not checked: move it out of the quote',
    ]);
  });

  it('fails a text output block that does not directly follow a ts block (it would check nothing)', () => {
    const { problems } = snippetsOf(
      'docs/guide.md',
      markdown(
        '```ts',
        'console.log(1);',
        '```',
        'Run it:',
        '```text output',
        '1',
        '```',
        '```ts fragment',
        'console.log(2);',
        '```',
        '```text output',
        '2',
        '```',
      ),
    );
    expect(problems.map(formatProblem)).to.deep.equal([
      'docs/guide.md:5: a `text output` block is checked against the program it follows, but it does not directly follow a ```ts block (only blank lines may be between)',
      'docs/guide.md:11: a `text output` block is checked against the program it follows, but the block before it is `ts fragment`, which is not run',
    ]);
  });

  it('names a test after the first line that says what the block does', () => {
    const snippet = firstSnippet(
      'README.md',
      markdown(
        '```ts',
        "import { WampClient } from 'rxwamp';",
        '',
        '// a comment',
        "const client = new WampClient({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });",
        "client.call$('com.example.add', [1, 2]);",
        '```',
      ),
    );
    expect(firstMeaningfulLine(snippet)).to.equal("client.call$('com.example.add', [1, 2]);");
  });

  it('compares output without line endings or trailing whitespace', () => {
    expect(normalizeOutput('a  \r\nb\n\n')).to.equal(normalizeOutput('a\nb'));
    expect(normalizeOutput(' a\nb')).to.not.equal(normalizeOutput('a\nb'));
  });

  it('runs at most the given number of tasks at a time, all of them, in order', async () => {
    const inTurn = limitConcurrency(2);
    const started: number[] = [];
    const finish = new Map<number, () => void>();
    let running = 0;
    let most = 0;
    const tasks = [0, 1, 2, 3, 4].map((n) =>
      inTurn(async () => {
        started.push(n);
        most = Math.max(most, ++running);
        await new Promise<void>((done) => {
          finish.set(n, done);
        });
        running--;
        return n;
      }),
    );
    await Promise.resolve();
    expect(started).to.deep.equal([0, 1]);
    for (let n = 0; n < 5; n++) {
      await until(() => finish.has(n));
      finish.get(n)?.();
    }
    expect(await Promise.all(tasks)).to.deep.equal([0, 1, 2, 3, 4]);
    expect(started).to.deep.equal([0, 1, 2, 3, 4]);
    expect(most).to.equal(2);
  });
});

/** Waits for a condition, yielding to queued tasks (no timers involved). */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 1000 && !condition(); turn++) await new Promise<void>((next) => setImmediate(next));
  expect(condition(), condition.toString()).to.equal(true);
}

describe('doc snippets harness: excerpts', () => {
  // This very file is the excerpted one: its lines are known here.
  const excerpt = (...lines: string[]): Snippet =>
    firstSnippet('docs/guide.md', markdown('Intro.', '```ts excerpt spec/docs/extract-snippets.spec.ts', ...lines, '```'));

  it('finds lines that occur contiguously and in order, whatever their indentation and trailing spaces', () => {
    expect(
      excerptMismatch(
        excerpt(
          'function snippetsOfClean(file: string, text: string): readonly Snippet[] {',
          'const { snippets, problems } = snippetsOf(file, text);   ',
          '      expect(problems.map(formatProblem)).to.deep.equal([]);',
        ),
        root,
      ),
    ).to.equal(undefined);
  });

  it('fails an excerpt that is not in its file, naming the block and the first line that differs', () => {
    expect(
      excerptMismatch(
        excerpt(
          'function snippetsOfClean(file: string, text: string): readonly Snippet[] {',
          'const { snippets, problems } = snippetsOf(file, text);',
          'return snippets; // a stale copy: the file checks the problems first',
        ),
        root,
      ),
    ).to.equal(
      'docs/guide.md:2: the excerpt matches spec/docs/extract-snippets.spec.ts from line 12 for 2 line(s), then docs/guide.md:5 ' +
        '`return snippets; // a stale copy: the file checks the problems first` differs from spec/docs/extract-snippets.spec.ts:14 ' +
        '`expect(problems.map(formatProblem)).to.deep.equal([]);`',
    );
    expect(excerptMismatch(excerpt('const nowhere = true;'), root)).to.equal(
      "docs/guide.md:2: the excerpt's first line `const nowhere = true;` (docs/guide.md:3) is nowhere in spec/docs/extract-snippets.spec.ts",
    );
  });

  it('fails lines out of order, a missing file, and a path outside the repository', () => {
    expect(
      excerptMismatch(
        excerpt('const { snippets, problems } = snippetsOf(file, text);', 'function snippetsOfClean(file: string, text: string): readonly Snippet[] {'),
        root,
      ),
    ).to.match(/^docs\/guide\.md:2: the excerpt matches .* then docs\/guide\.md:4 /);
    const elsewhere = (path: string) => firstSnippet('docs/guide.md', markdown(`\`\`\`ts excerpt ${path}`, 'x', '```'));
    expect(excerptMismatch(elsewhere('examples/no-such-file.ts'), root)).to.equal(
      'docs/guide.md:1: `ts excerpt examples/no-such-file.ts`: there is no such file',
    );
    expect(excerptMismatch(elsewhere('../outside.ts'), root)).to.match(/^docs\/guide\.md:1: .* must name a file inside the repository/);
  });
});

describe('doc snippets harness: type-checking and running blocks (against the packed package)', function () {
  this.timeout(240_000); // the build and npm pack, once per test run

  // A guide with blocks of each kind, some wrong on purpose.
  const guide = snippetsOfClean(
    'docs/guide.md',
    markdown(
      '# A guide', //  1
      '', //  2
      '```ts fragment', //  3
      'const id: number = client.session?.id ?? 0;', //  4  the ambient client
      'const wrong: string = id;', //  5  a type error
      '```', //  6
      '```ts fragment', //  7
      "import { WampClient } from 'rxwamp';", //  8
      "const client = new WampClient({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });", // 9 its own client
      'await client.close();', // 10
      '```', // 11
      '```ts compile', // 12
      'await client.close(); // a program must create its client: no ambient one', // 13
      '```', // 14
    ),
  );

  // The README's old readiness recipe: it publishes to its own subscription without
  // excludeMe: false, and claimed `// received`. Nothing arrives, so the program never ends.
  const oldRecipe = markdown(
    '```ts',
    "import { WampClient } from 'rxwamp';",
    '',
    "const client = new WampClient({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });",
    'await new Promise<void>((resolve, reject) =>',
    "  client.topic$('com.myapp.news', { onSubscribed: () => resolve() })",
    "    .subscribe({ next: () => { console.log('received'); void client.close(); }, error: reject }));",
    "await client.publish('com.myapp.news', ['hello']); // received",
    '```',
    '',
    '```text output',
    'received',
    '```',
  );
  const wrong = firstSnippet('docs/pubsub.md', oldRecipe);
  const fixed = firstSnippet('docs/pubsub-fixed.md', oldRecipe.replace("['hello']);", "['hello'], undefined, { excludeMe: false });"));
  const mislabelled = firstSnippet('docs/output.md', markdown('```ts', "console.log('hello');", '```', '```text output', 'received', '```'));
  const failing = firstSnippet('docs/exit.md', markdown('```ts', 'process.exitCode = 3;', '```'));
  const [fragment, ownClient, compileOnly] = [nth(guide, 0), nth(guide, 1), nth(guide, 2)] as const;
  const all = [...guide, wrong, fixed, mislabelled, failing];

  let projectDir: string;
  let report: TypeCheckReport;
  before(async () => {
    projectDir = createSnippetProject(all);
    report = await typeCheck(projectDir, all);
  });

  it('gives a fragment the ambient client only when it does not declare its own', () => {
    expect(compiledText(fragment)).to.include(FRAGMENT_AMBIENT);
    expect(compiledText(ownClient)).to.not.include(FRAGMENT_AMBIENT);
    expect(compiledText(compileOnly)).to.equal(compileOnly.code);
  });

  it('reports a type error in a fragment at its Markdown file and line', () => {
    expect(report.errors.get(fragment)).to.deep.equal(["docs/guide.md:5 (block at line 3): error TS2322: Type 'number' is not assignable to type 'string'."]);
  });

  it('lets a fragment declare its own client, and gives complete programs no ambient one', () => {
    expect(report.errors.get(ownClient)).to.equal(undefined);
    expect(report.errors.get(compileOnly)).to.deep.equal(["docs/guide.md:13 (block at line 12): error TS2304: Cannot find name 'client'."]);
    for (const program of [wrong, fixed, mislabelled, failing]) expect(report.errors.get(program)).to.equal(undefined);
    expect(report.elsewhere).to.deep.equal([]);
  });

  it('fails the old readiness recipe: no event arrives, the program never ends and is killed', async () => {
    const outcome = await runSnippet(wrong, { projectDir, timeoutMs: 4_000 });
    expect(outcome.failure).to.match(/^docs\/pubsub\.md:1: the program did not exit within 4 s and was killed/);
    expect(outcome.stdout).to.equal('');
  });

  it('passes the same recipe with excludeMe: false (it prints received and ends)', async () => {
    const outcome = await runSnippet(fixed, { projectDir });
    expect(outcome.failure, outcome.failure).to.equal(undefined);
    expect(outcome.stdout).to.equal('received\n');
  });

  it('fails a program whose output differs from its text output block, or that exits with an error code', async () => {
    const printed = await runSnippet(mislabelled, { projectDir });
    expect(printed.failure).to.match(
      /^docs\/output\.md:1: the program printed something else than the `text output` block after it\n--- expected ---\nreceived\n--- stdout ---\nhello\n/,
    );
    const exited = await runSnippet(failing, { projectDir });
    expect(exited.failure).to.match(/^docs\/exit\.md:1: the program exited with code 3/);
  });
});
