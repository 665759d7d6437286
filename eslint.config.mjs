// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The dependency rules of the layout (README, "How the code is laid out"): the API talks to
// workflows only through the contracts in libs/contracts, and the domain stays framework-free.
const FRAMEWORKS = ['@nestjs/*', 'typeorm', 'typeorm/*', 'pg', '@temporalio/*', 'express', 'nestjs-pino', 'pino'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-empty-object-type': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
      // Misreads values used only in decorators (a pipe given to @Param).
      'no-useless-assignment': 'off',
    },
  },
  {
    files: ['apps/api/**/*.ts', 'apps/console/**/*.{ts,tsx}'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/workflows', '**/workflows/*', '**/activities', '**/activities/*'],
              allowTypeImports: true,
              message:
                'apps/api reaches workflows only through libs/contracts (a type-only import to start one typed is fine).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['workflows/**/*.ts', 'libs/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/apps/*', '**/apps/**'],
              allowTypeImports: true,
              message: 'workflows and libs import nothing from apps/.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['libs/domain/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: FRAMEWORKS, allowTypeImports: true, message: 'libs/domain is pure: no framework imports.' },
            { group: ['**/apps/*', '**/apps/**'], allowTypeImports: true, message: 'libs import nothing from apps/.' },
          ],
        },
      ],
    },
  },
  { files: ['**/*.mjs', '**/*.mts'], ...tseslint.configs.disableTypeChecked },
  { files: ['scripts/**/*.mjs'], languageOptions: { globals: { process: 'readonly', console: 'readonly' } } },
);
