// Lint, including the layering rule: main/ services never import electron (only main/electron/
// does), preload/ never reaches into main/ or renderer/, and renderer/ never touches Node.
import js from '@eslint/js'
import tseslint from 'typescript-eslint'
import pluginVue from 'eslint-plugin-vue'
import globals from 'globals'
import importX from 'eslint-plugin-import-x'
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript'

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

// What every module in main/ follows: no electron outside main/electron/, no renderer, no bridge.
const mainEverywhere = {
  paths: [
    {
      name: 'electron',
      message: 'Only main/electron/ may import electron: services must run in plain Node.'
    }
  ],
  patterns: [
    { group: ['**/renderer/**'], message: 'main/ may not import the renderer.' },
    { group: ['**/preload/index*'], message: 'Import preload/contract, not the bridge.' }
  ]
}
const tensors = ['@tensorflow/*', 'onnxruntime-node']
const tensorsOnlyInEngine = {
  group: tensors,
  message:
    'Only the engine (main/engine/, run in its worker) and the bench child process load tensor libraries.'
}
const mainFolders = [
  'electron',
  'server',
  'cli',
  'host',
  'runs',
  'cluster',
  'datasets',
  'export',
  'predict',
  'explain',
  'store',
  'engine',
  'bench',
  'platform'
]
const main = (...folders) => folders.map((f) => `./main/${f}`)
/** Every folder of main/ but the target's own and those it may use. */
const allBut = (...allowed) => main(...mainFolders.filter((f) => !allowed.includes(f)))
/** The layers inside main/ (docs/architecture.md): what each may not import, and why. */
const layerZones = [
  {
    target: './main/engine',
    from: allBut('engine', 'datasets', 'platform'),
    message:
      'The engine knows only its protocol, datasets and platform: services call it, not the reverse.'
  },
  {
    target: './main/platform',
    from: allBut('platform'),
    message: 'platform/ holds leaf utilities: it imports only itself and the contract.'
  },
  {
    target: './main/store',
    from: allBut('store', 'platform'),
    message: 'The store is SQLite and its records: it imports only platform/ and the contract.'
  },
  {
    target: main('datasets', 'runs', 'cluster', 'export', 'predict', 'explain'),
    from: main('host', 'cli', 'server', 'electron', 'bench'),
    message: 'Services are composed by host/; they do not reach up into it or its clients.'
  },
  {
    target: './main/host',
    from: main('cli', 'server', 'electron', 'bench'),
    message: 'host/ serves its clients; it does not import them.'
  }
]

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
    files: ['bin/**/*.cjs', 'tests/**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' }
  },
  // Cycles: none in main/ or preload/ (type-only ones are checked by tests/main/importGraph.test.ts).
  {
    files: ['main/**/*.ts', 'preload/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: 'tsconfig.node.json' })]
    },
    rules: { 'import-x/no-cycle': ['error', { ignoreExternal: true }] }
  },
  // The layers inside main/, and the tensor libraries only in the engine (and the bench's child).
  {
    files: ['main/**/*.ts'],
    plugins: { 'import-x': importX },
    rules: { 'import-x/no-restricted-paths': ['error', { zones: layerZones }] }
  },
  {
    files: ['main/**/*.ts'],
    ignores: ['main/electron/**', 'main/engine/**', 'main/bench/**'],
    rules: {
      'no-restricted-imports': restrict(mainEverywhere.paths, [
        ...mainEverywhere.patterns,
        tensorsOnlyInEngine
      ])
    }
  },
  {
    files: ['main/engine/**/*.ts', 'main/bench/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(mainEverywhere.paths, mainEverywhere.patterns)
    }
  },
  {
    files: ['main/electron/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict([], [...mainEverywhere.patterns, tensorsOnlyInEngine])
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
