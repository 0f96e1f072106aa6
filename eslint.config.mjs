// One lint config for the monorepo; each package runs `eslint .` from its own folder.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The deployables. Packages never import them, and they never import each other. */
const APPS = ['app-server', 'cli', 'control-plane', 'dev-stack', 'gateway', 'worker'];
const DEEP_IMPORTS = { group: ['@mysaas/*/src/*', '@mysaas/*/dist/*'], message: 'Import a package through its public API.' };
const appImports = (apps, message) => apps.map((app) => ({ group: [`@mysaas/${app}`, `@mysaas/${app}/*`], message }));

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '**/coverage/**', '**/.turbo/**', '.mysaas/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [DEEP_IMPORTS] }],
      eqeqeq: ['error', 'always'],
    },
  },
  {
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [DEEP_IMPORTS, ...appImports(APPS, 'Packages are libraries: they never import an app (apps/ are deployables).')] },
      ],
    },
  },
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            DEEP_IMPORTS,
            ...appImports(
              APPS.filter((other) => other !== app),
              'Apps do not import each other: share code through a package, test several apps together in e2e/.',
            ),
          ],
        },
      ],
    },
  })),
  {
    files: ['**/*.js', '**/*.cjs', '**/*.mjs'],
    languageOptions: { globals: { module: 'writable', require: 'readonly', process: 'readonly', console: 'readonly', __dirname: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
