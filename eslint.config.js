// Lint rules that carry the architecture (docs/architecture.md):
//  1. the protocol cores are pure: no real time, randomness, timers, sockets, files or process
//     in src/{lib,wire,membership,ring,kv,node,sim};
//  2. imports flow one way:
//     lib → wire → membership → ring → kv → node → sim | transport → runtime → client → api → cli
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const layers = ['lib', 'wire', 'membership', 'ring', 'kv', 'node', 'sim', 'transport', 'runtime', 'client', 'api', 'cli'];
// Which layers each layer may import (besides itself). sim and transport are siblings.
const allowed = {
  lib: [],
  wire: ['lib'],
  membership: ['lib', 'wire'],
  ring: ['lib', 'wire', 'membership'],
  kv: ['lib', 'wire', 'membership', 'ring'],
  node: ['lib', 'wire', 'membership', 'ring', 'kv'],
  sim: ['lib', 'wire', 'membership', 'ring', 'kv', 'node'],
  transport: ['lib', 'wire'],
  runtime: ['lib', 'wire', 'membership', 'ring', 'kv', 'node', 'transport'],
  client: ['lib', 'wire', 'ring', 'kv', 'transport'],
  api: ['lib', 'wire', 'membership', 'ring', 'kv', 'node', 'transport', 'runtime', 'client'],
  cli: layers.filter((l) => l !== 'cli'),
};
const pure = ['lib', 'wire', 'membership', 'ring', 'kv', 'node', 'sim'];

const impureModules = ['dgram', 'net', 'fs', 'fs/promises', 'http', 'https', 'http2', 'tls', 'child_process', 'timers', 'timers/promises', 'worker_threads', 'cluster', 'os', 'process', 'perf_hooks', 'crypto', 'readline'];

const restrictedGlobals = [
  { name: 'setTimeout', message: 'Pure core: schedule a timer output instead.' },
  { name: 'setInterval', message: 'Pure core: schedule a timer output instead.' },
  { name: 'setImmediate', message: 'Pure core: no real scheduling.' },
  { name: 'clearTimeout', message: 'Pure core: timers are data.' },
  { name: 'clearInterval', message: 'Pure core: timers are data.' },
  { name: 'queueMicrotask', message: 'Pure core: no real scheduling.' },
  { name: 'process', message: 'Pure core: no process access; take config as input.' },
  { name: 'performance', message: 'Pure core: time enters only as nowMs.' },
  { name: 'crypto', message: 'Pure core: randomness comes from the injected Rng.' },
  { name: 'fetch', message: 'Pure core: no I/O.' },
  { name: 'require', message: 'ESM only.' },
];

const restrictedProperties = [
  { object: 'Date', property: 'now', message: 'Pure core: time enters only as nowMs.' },
  { object: 'Math', property: 'random', message: 'Pure core: use the seeded Rng.' },
];

function layerImportRule(layer) {
  const forbidden = layers.filter((l) => l !== layer && !allowed[layer].includes(l));
  const patterns = [];
  if (forbidden.length > 0) {
    patterns.push({
      regex: `^(\\.\\./)+(${forbidden.join('|')})(/|$)`,
      message: `Layering: src/${layer} may import only from ${allowed[layer].join(', ') || 'itself'}.`,
    });
  }
  const paths = [];
  if (pure.includes(layer)) {
    for (const m of impureModules) {
      paths.push({ name: `node:${m}`, message: 'Pure core: no I/O, time or randomness modules.' });
      paths.push({ name: m, message: 'Pure core: no I/O, time or randomness modules.' });
    }
  }
  return ['error', { paths, patterns }];
}

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'test-output/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { console: 'readonly', process: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly', Buffer: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', performance: 'readonly', structuredClone: 'readonly', queueMicrotask: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', fetch: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-constant-condition': ['error', { checkLoops: false }],
      eqeqeq: ['error', 'always'],
      'max-lines': ['error', { max: 700, skipBlankLines: true, skipComments: true }],
    },
  },
  ...layers.map((layer) => ({
    files: [`src/${layer}/**/*.ts`],
    rules: {
      'no-restricted-imports': layerImportRule(layer),
      ...(pure.includes(layer)
        ? {
            'no-restricted-globals': ['error', ...restrictedGlobals],
            'no-restricted-properties': ['error', ...restrictedProperties],
            'no-restricted-syntax': [
              'error',
              { selector: "NewExpression[callee.name='Date']", message: 'Pure core: time enters only as nowMs.' },
            ],
          }
        : {}),
    },
  })),
  {
    files: ['bin/**/*.js', 'scripts/**/*.mjs', 'eslint.config.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
