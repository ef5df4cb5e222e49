// Every package an app's source loads is declared in its own package.json (not borrowed from a sibling's or the
// root's), and onnxruntime-node, whose private dist/binding.js the trainer calls, is pinned to the installed version.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinModules } from 'node:module';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && /\.(ts|js)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

/** Bare package names a file imports or requires (static, dynamic, type-only: all need the package). */
function packagesOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*|import\s+)'([^'./][^']*)'/g)) {
    const spec = m[1];
    if (spec.startsWith('node:') || builtinModules.includes(spec)) continue;
    out.push(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return out;
}

const json = (path: string) => JSON.parse(readFileSync(path, 'utf8')) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string>; optionalDependencies?: Record<string, string>; version?: string };

describe('package declarations', () => {
  for (const app of ['apps/inference-server', 'apps/trainer', 'packages/shared']) {
    it(`${app} declares every package its source loads`, () => {
      const pkg = json(join(app, 'package.json'));
      const declared = new Set(Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }));
      const used = new Set(sources(join(app, 'src')).flatMap(packagesOf));
      expect([...used].filter((p) => !declared.has(p)).sort()).toEqual([]);
    });
  }

  it('onnxruntime-node is pinned to the exact installed version wherever it is a dependency', () => {
    const installed = json('node_modules/onnxruntime-node/package.json').version;
    for (const app of ['apps/inference-server', 'apps/trainer']) {
      expect(json(join(app, 'package.json')).dependencies?.['onnxruntime-node'], app).toBe(installed);
    }
  });
});
