// ESLint (flat config): typescript-eslint's recommended rules, the type-aware rules that find
// real bugs in an async service (a promise nobody awaits, a promise where a callback belongs),
// and the import boundaries that keep the layers apart (CONTRIBUTING.md, "Layers"). Formatting
// is Prettier's job (.prettierrc.json), so no stylistic rule is on here.
import js from '@eslint/js'
import globals from 'globals'
import tseslint from 'typescript-eslint'

/** Node's modules that reach outside the process: the pure domain uses none of them. */
const NODE_IO = ['fs', 'fs/promises', 'net', 'http', 'https', 'http2', 'child_process', 'dgram', 'dns', 'tls', 'worker_threads', 'cluster', 'process', 'os']
const nodeIo = NODE_IO.flatMap((m) => [`node:${m}`, m])

/** One boundary: files matching `files` may not import what `patterns` name. */
const boundary = (files, patterns, message) => ({
  files,
  rules: {
    '@typescript-eslint/no-restricted-imports': ['error', { patterns: patterns.map((p) => ({ ...p, message })) }],
  },
})

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', '.tap/**', 'test/browser/screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.browser },
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  { files: ['**/*.js', '**/*.mjs'], ...tseslint.configs.disableTypeChecked },
  {
    // tap queues `t.test(…)` itself: a subtest need not be awaited. Tests reach into loose JSON.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-floating-promises': 'off', '@typescript-eslint/no-explicit-any': 'off' },
  },

  // --- Boundaries ------------------------------------------------------------------------------
  boundary(
    ['service/domain/**/*.ts'],
    [
      { regex: '(^|/)(db|routes|plugins|repositories|state|cli)(/|$)' },
      { group: ['fastify', 'fastify-*', '@fastify/*', 'pg', 'pg-*', 'kysely', 'zod', ...nodeIo] },
    ],
    'The domain is pure: it imports only other domain modules and types, nothing of the database, HTTP, plugins or Node I/O.',
  ),
  boundary(['service/contracts/**/*.ts'], [{ regex: '^(?!zod$|\\./)' }], 'Contracts import only zod and each other.'),
  boundary(
    ['widget/**/*.ts'],
    [
      { regex: '(^|/)service/(?!domain/|contracts/)', allowTypeImports: true },
      { regex: '(^|/)service/contracts/', allowTypeImports: true },
    ],
    'The widget imports from the service only types and pure domain functions.',
  ),
  boundary(
    ['service/routes/*/**/*.ts'],
    [{ regex: '^\\.\\./(?!\\.\\./)[^/]+/' }],
    'A route folder does not import another route folder: share through repositories, the domain or the top-level files of routes/.',
  ),
  boundary(
    ['service/cli/**/*.ts', 'service/repositories/**/*.ts', 'service/state/**/*.ts', 'test/bench/**/*.ts'],
    [{ regex: '(^|/)routes/' }],
    'Only the HTTP layer imports routes.',
  ),
)
