// @ts-check
// `npm run lint` (eslint .): @eslint/js recommended everywhere; typescript-eslint's strictTypeChecked on the TypeScript
// sources, type information from tsconfig.json. examples/ (the Angular app) has its own toolchain and is not linted here.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

/**
 * Every TypeScript file: each entry says which habit of this codebase the preset's default fights.
 * @type {import('eslint').Linter.RulesRecord}
 */
const codebaseHabits = {
  // `!` marks an index or map lookup the code around it has proved present; the code is written for
  // noUncheckedIndexedAccess, and the hot paths measured by the benchmarks rely on it instead of re-checking.
  '@typescript-eslint/no-non-null-assertion': 'off',
  // Numbers in messages, URIs and reports are the norm (`${count} calls in flight`); objects, nullish values and
  // unknowns stay refused. `never` is allowed: a type guard on `unknown` (isValidUri) narrows a string it rejects to
  // never, and the message still prints that string.
  '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowNever: true }],
  // RxJS and promise callbacks are arrow shorthands (`next: (v) => subject.next(v)`, `() => resolve()`), and
  // `return fail(...)` / `return void fail(...)` inside a void function is the one-line "report and stop" idiom.
  '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true, ignoreVoidOperator: true, ignoreVoidReturningFunctions: true }],
  // Same idiom: `return void fail(...)` says "nothing is returned" even where fail() is already void.
  '@typescript-eslint/no-meaningless-void-operator': 'off',
  // A rejection passes on what was caught (`catch (error)` is unknown) or an AbortSignal's reason (typed any by the
  // DOM lib) unchanged; what we create ourselves is an Error.
  '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
  // `{}` is an `unknown` narrowed by a failed check (`typeof value !== 'number' || ...`): error messages print the
  // rejected value, whatever it is, as String() renders it. Typed objects are still checked.
  '@typescript-eslint/no-base-to-string': ['error', { ignoredTypeNames: ['Error', 'RegExp', 'URL', 'URLSearchParams', '{}'] }],
  // As tsc's noUnusedParameters: a leading underscore marks a parameter an interface requires but this one ignores.
  '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
};

/**
 * Tests, benchmarks, scripts and demos: the idioms of test code.
 * @type {import('eslint').Linter.RulesRecord}
 */
const testIdioms = {
  // `async () => value` is the short way to satisfy an API that takes a Promise-returning function (authenticators,
  // principals, handlers); a test's async generator may yield without awaiting.
  '@typescript-eslint/require-await': 'off',
  // A test knows what its promise rejects with (`(error: Error) => error.message`): if it is wrong the test fails.
  '@typescript-eslint/use-unknown-in-catch-callback-variable': 'off',
  // `await failure(...) as WampError`: the test casts a caught error to the class it expects and then asserts on it.
  '@typescript-eslint/no-unsafe-class-instance-assignment': 'off',
  // chai's property assertions (`expect(x).to.be.true`) are expressions by design.
  '@typescript-eslint/no-unused-expressions': 'off',
  // mocha's `let router: Router` is assigned in before() and closed with `router?.stop()` in after(), which runs
  // even when before() failed; flags set by callbacks (`while (!registered) await pause()`) look constant to the
  // type checker. Both are the normal shape of a test, not dead code.
  '@typescript-eslint/no-unnecessary-condition': 'off',
  // `data.toString()` on a ws message: ws delivers a Buffer unless binaryType is changed, which no test or bench
  // does, so RawData's ArrayBuffer member never arrives.
  '@typescript-eslint/no-base-to-string': ['error', { ignoredTypeNames: ['Error', 'RegExp', 'URL', 'URLSearchParams', '{}', 'ArrayBuffer'] }],
};

const typeInformation = { parserOptions: { project: './tsconfig.json', tsconfigRootDir: import.meta.dirname } };

export default defineConfig(
  {
    ignores: ['dist/', 'node_modules/', 'examples/', 'docs/api/', 'coverage/'],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,

  // The library.
  {
    files: ['src/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: typeInformation,
    rules: codebaseHabits,
  },

  // Tests, benchmarks, scripts and demos: the same preset, with the test idioms allowed.
  {
    files: ['spec/**/*.ts', 'bench/**/*.ts', 'scripts/**/*.ts', 'scripts/**/*.mts', 'demo/**/*.ts'],
    extends: [tseslint.configs.strictTypeChecked],
    languageOptions: typeInformation,
    rules: { ...codebaseHabits, ...testIdioms },
  },

  // Compile-time type tests: `<T>() => T extends A ? 1 : 2` is the exact-equality trick, a callback's parameter may
  // exist only to be inspected with `typeof`, and a line under `@ts-expect-error` is wrong on purpose (the values it
  // computes are error-typed).
  {
    files: ['spec/types/**/*.ts'],
    rules: {
      '@typescript-eslint/no-unnecessary-type-parameters': 'off',
      '@typescript-eslint/no-unused-vars': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },

  // Plain JavaScript (scripts/*.mjs, this file): Node globals, no type information.
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly' },
    },
  },
);
