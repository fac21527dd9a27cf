/**
 * Golden scenario files (test/scenarios/*.txt) driven by the simulator: each file scripts a cluster
 * and its faults and records, block by block, what every node observed. A change in protocol
 * behaviour shows up as a readable diff. `UPDATE_GOLDEN=1 npm test` rewrites the files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { formatScenario, parseScenario, ScenarioRunner } from './dsl.js';

// Compiled to dist/test/scenarios; the .txt files stay in the source tree.
const sourceDir = fileURLToPath(new URL('../../../test/scenarios/', import.meta.url));
const update = process.env['UPDATE_GOLDEN'] === '1';

for (const file of readdirSync(sourceDir).filter((f) => f.endsWith('.txt')).sort()) {
  test(`scenario ${file}`, () => {
    const path = sourceDir + file;
    const blocks = parseScenario(readFileSync(path, 'utf8'));
    const runner = new ScenarioRunner();
    const actual = blocks.map((b) => ({ command: b.command, expected: runner.execute(b.command) }));
    if (update) {
      writeFileSync(path, formatScenario(actual));
      return;
    }
    for (let i = 0; i < blocks.length; i++) {
      assert.equal(actual[i]!.expected, blocks[i]!.expected, `${file}: output of "${blocks[i]!.command}" changed (UPDATE_GOLDEN=1 to rewrite)`);
    }
  });
}
