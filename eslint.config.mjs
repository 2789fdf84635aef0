// Lint, including the layering rule: main/ services never import electron (only main/electron/
// does), preload/ never reaches into main/ or renderer/, and renderer/ never touches Node.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'

const nodeBuiltins = [
  'node:*',
  'fs',
  'path',
  'os',
  'child_process',
  'worker_threads',
  'crypto',
  'http',
  'net',
  'module',
  'util'
]
const restrict = (paths, patterns) => ['error', { paths, patterns }]

export default tseslint.config(
  { ignores: ['out/**', 'node_modules/**', 'native/**', 'tests/e2e/screenshots/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...pluginVue.configs['flat/recommended'],
  {
    files: ['**/*.vue'],
    languageOptions: { parserOptions: { parser: tseslint.parser } }
  },
  {
    rules: {
      'vue/max-attributes-per-line': 'off',
      'vue/singleline-html-element-content-newline': 'off',
      'vue/html-self-closing': 'off',
      'vue/html-indent': 'off',
      'vue/html-closing-bracket-newline': 'off',
      'vue/multiline-html-element-content-newline': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }]
    }
  },
  {
    files: ['main/**/*.ts', 'bin/**', 'scripts/**', 'tests/**', '*.config.*'],
    languageOptions: { globals: globals.node }
  },
  {
    files: ['bin/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**'],
    rules: {
      'no-restricted-imports': restrict(
        [
          {
            name: 'electron',
            message: 'Only main/electron/ may import electron: services must run in plain Node.'
          }
        ],
        [
          { group: ['**/renderer/**'], message: 'main/ may not import the renderer.' },
          { group: ['**/preload/index*'], message: 'Import preload/contract, not the bridge.' }
        ]
      )
    }
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        [],
        [
          {
            group: ['**/main/**', '**/renderer/**'],
            message: 'preload/ holds the contract and the bridge only.'
          }
        ]
      )
    }
  },
  {
    files: [
      'preload/contract/**/*.ts',
      'preload/client.ts',
      'preload/labelBudgetCsv.ts',
      'preload/predictionsCsv.ts',
      'preload/backendLabel.ts'
    ],
    rules: {
      'no-restricted-imports': restrict(
        [
          {
            name: 'electron',
            message: 'The contract is shared with the renderer: no electron here.'
          }
        ],
        [
          {
            group: [...nodeBuiltins, '**/main/**', '**/renderer/**'],
            message: 'The contract is shared with the renderer: no Node here.'
          }
        ]
      )
    }
  },
  {
    files: ['renderer/**/*.{ts,vue}'],
    languageOptions: { globals: globals.browser },
    rules: {
      'no-restricted-imports': restrict(
        [
          {
            name: 'electron',
            message: 'The renderer talks to main only through the contract client.'
          }
        ],
        [
          { group: nodeBuiltins, message: 'The renderer has no Node APIs.' },
          {
            group: ['**/main/**', '**/preload/index*'],
            message:
              'The renderer may import only preload/contract, preload/client, backendLabel and the CSV modules.'
          }
        ]
      )
    }
  }
)
