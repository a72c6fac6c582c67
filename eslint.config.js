// Lint keeps what review cannot: layers that point one way, no import cycles, hooks called by
// the rules. Formatting is Prettier's job, so no stylistic rules here.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import importX from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'

// Layers point one way: routes → components → models → emails → utils → db (STYLE.md).
// Each zone names a folder and what it may not import.
const layers = [
  {
    target: './app/utils',
    from: ['./app/models', './app/jobs', './app/routes', './app/components', './emails', './server'],
    message: 'utils/ is infrastructure: it imports no model, job, route, component or email.',
  },
  {
    target: './emails',
    from: ['./app/models', './app/jobs', './app/routes', './app/components', './server'],
    message: 'Email templates are pure components: data comes in as props.',
  },
  { target: './app/models', from: ['./app/routes', './app/components', './server'], message: 'Models sit below routes and components.' },
  {
    target: './app/models',
    from: './app/jobs',
    except: ['./enqueue.server.ts'],
    message: 'Models enqueue jobs through app/jobs/enqueue.server.ts; the jobs themselves call models.',
  },
  {
    target: './app/jobs',
    from: ['./app/routes', './app/components', './server'],
    message: 'Jobs call models; they never reach up into routes, components or the server.',
  },
  {
    target: './app/components',
    from: ['./app/routes', './app/jobs', './server'],
    message: 'Components are shared UI: they import no route, job or server code.',
  },
  { target: './app', from: ['./server', './scripts', './bench'], message: 'The app does not depend on the process that hosts it.' },
  { target: './db', from: ['./app', './server', './emails'], message: 'The schema and migrations never import app code (migrations are frozen in time).' },
]

export default tseslint.config(
  { ignores: ['build/**', '.cache/**', '.data/**', 'node_modules/**', 'public/**', 'test-results/**', 'playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: {
      ecmaVersion: 2023,
      sourceType: 'module',
      globals: { ...globals.node, ...globals.browser },
    },
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver': undefined,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'warn',
      // Unused names are mistakes; a leading underscore says "deliberately unused".
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      '@typescript-eslint/no-explicit-any': 'off',
      'no-empty': ['error', { allowEmptyCatch: true }],
      // Control characters are matched on purpose: user text is cleaned of them.
      'no-control-regex': 'off',
    },
  },
  {
    // Routes reach the database only through models.
    files: ['app/routes/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        { paths: [{ name: '~/utils/db.server', importNames: ['getDb', 'getPool'], message: 'Routes call a model; models own the queries.' }] },
      ],
    },
  },
  {
    // Production code never imports test support.
    files: ['app/**/*.{ts,tsx}', 'server/**/*.ts', 'emails/**/*.{ts,tsx}'],
    ignores: ['**/*.test.{ts,tsx}'],
    rules: {
      'import-x/no-restricted-paths': [
        'error',
        { zones: [...layers, { target: './app', from: './tests' }, { target: './server', from: './tests' }, { target: './emails', from: './tests' }] },
      ],
    },
  },
)
