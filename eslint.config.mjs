// Lint with zero warnings. Layer rules: the webview never imports `vscode`; src/shared and src/engine never
// import `vscode` (the CLI and the tests use them as they are); only webview/ui/toolkit.ts imports the toolkit.
import tseslint from 'typescript-eslint';

const noVscode = { name: 'vscode', message: 'This layer must not import vscode (see STYLE.md).' };
const noToolkit = { name: '@vscode/webview-ui-toolkit', message: 'Only webview/ui/toolkit.ts may import the toolkit.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.e2e/**', 'test-results/**', 'out/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-imports': ['error', { paths: [noToolkit] }],
    },
  },
  {
    files: ['src/shared/**/*.ts', 'src/engine/**/*.ts', 'src/tutor/**/*.ts', 'src/cli.ts', 'src/cli/**/*.ts', 'webview/**/*.ts'],
    // The tutor's VS Code side (watching course files, commands, diagnostics, code actions) may; its pure core may not.
    ignores: [
      'webview/ui/toolkit.ts',
      'src/tutor/courseWatcher.ts',
      'src/tutor/tutorCommands.ts',
      'src/tutor/learnerMessages.ts',
      'src/tutor/explainError/problemActions.ts',
      'src/tutor/explainError/terminalErrors.ts',
      'src/tutor/review/reviewDiagnostics.ts',
    ],
    rules: { 'no-restricted-imports': ['error', { paths: [noVscode, noToolkit] }] },
  },
  { files: ['webview/ui/toolkit.ts'], rules: { 'no-restricted-imports': ['error', { paths: [noVscode] }] } },
);
