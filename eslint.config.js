import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import boundaries from 'eslint-plugin-boundaries';
import prettier from 'eslint-config-prettier';

/**
 * The rooms of src/ and the one direction imports may go (DESIGN.md): the faces users swap in (provider) use the node
 * side (agent) and the local mode; the node side and the bridge graph speak through protocol; both modes drive the
 * core, which drives the backends and prices answers (pricing). The emulators (testing) stand apart and import nothing of the rest but the dev
 * server's launcher, which the test helper starts servers with.
 */
const rooms = [
  'cli',
  'dev-server',
  'provider',
  'agent',
  'bridge',
  'local',
  'protocol',
  'core',
  'pricing',
  'backends',
  'testing',
];
const mayImport = {
  cli: ['dev-server', 'bridge', 'protocol', 'core'],
  'dev-server': [],
  provider: ['agent', 'local', 'core', 'backends'],
  agent: ['protocol', 'core'],
  bridge: ['protocol', 'core', 'backends'],
  local: ['core', 'backends'],
  protocol: ['core'],
  core: ['pricing', 'backends'],
  pricing: [],
  backends: [],
  testing: ['dev-server'],
};

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'node_modules/',
      '.langgraph_api/',
      '**/.langgraph_api/',
      'coverage/',
      '.batch-bridge/',
      '.readme-snippets/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  { languageOptions: { globals: globals.node } },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Tests and scripts poke at untyped JSON (run values, emulator records); `any` there is a reading aid, not an API.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // src/index.ts, the package root, stands above every room and may export from any of them.
    files: ['src/**/*.ts'],
    ignores: ['src/index.ts'],
    plugins: { boundaries },
    settings: {
      'import/resolver': { typescript: { project: './tsconfig.json' } },
      'boundaries/elements': rooms.map((room) => ({ type: room, pattern: `src/${room}` })),
    },
    rules: {
      'boundaries/no-unknown-files': 'error',
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          policies: rooms.map((room) => ({
            from: { element: { type: room } },
            allow: { to: { element: { types: { anyOf: [room, ...mayImport[room]] } } } },
          })),
        },
      ],
    },
  },
  prettier,
);
