// Layering is enforced here (STYLE.md): http/cli → services → core ← adapters; runtime/ wires (main.ts re-exports it).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

const restrict = (patterns, message) => ({
  'no-restricted-imports': ['error', { patterns: [{ group: patterns, message }] }],
})

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**', 'certs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      'no-console': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/**/*.test.ts'],
    rules: restrict(
      [
        'node:*',
        '../services/*',
        '../adapters/*',
        '../http/*',
        '**/services/**',
        '**/adapters/**',
        '**/http/**',
        'hono',
        'drizzle-orm',
        'better-sqlite3',
        'pg',
      ],
      'core/ is pure: it imports only zod, pure libraries and core/.',
    ),
  },
  {
    // Use cases by feature (services/domains/, services/tls-rpt/, …) and the long-lived engines
    // the composition root starts (services/engines/): one layer, the same rule for both.
    files: ['src/services/**/*.ts'],
    ignores: ['src/services/**/*.test.ts'],
    rules: restrict(
      ['**/adapters/**', '**/http/**', 'hono', 'drizzle-orm', 'better-sqlite3', 'pg'],
      'services/ use core/ and its ports only.',
    ),
  },
  {
    files: ['src/http/**/*.ts', 'src/http/**/*.tsx'],
    ignores: ['src/http/**/*.test.ts'],
    rules: restrict(
      ['**/adapters/**', 'drizzle-orm', 'better-sqlite3', 'pg'],
      'http/ calls services, never the database.',
    ),
  },
  {
    files: ['src/adapters/**/*.ts'],
    ignores: ['src/adapters/**/*.test.ts'],
    rules: restrict(['**/services/**', '**/http/**'], 'adapters/ implement core ports.'),
  },
  {
    // The CLI is an edge like http/: service verbs as the operator, adapters only through the
    // composition root (main.ts), never a repository.
    files: ['src/cli/**/*.ts'],
    ignores: ['src/cli/**/*.test.ts'],
    rules: {
      ...restrict(
        ['**/adapters/**', 'drizzle-orm', 'better-sqlite3', 'pg'],
        'cli/ calls services (and main.ts for the runtime), never adapters or the database.',
      ),
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='repos']",
          message: 'cli/ calls services, never repositories.',
        },
      ],
    },
  },
  {
    // The dashboard's one script runs in the browser.
    files: ['src/http/dashboard/assets/*.js'],
    languageOptions: {
      globals: {
        document: 'readonly',
        navigator: 'readonly',
        Element: 'readonly',
        setTimeout: 'readonly',
      },
    },
  },
  {
    files: ['src/cli/index.ts', 'bench/**/*.ts', 'scripts/**'],
    rules: { 'no-console': 'off' },
  },
)
