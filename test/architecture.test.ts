// The layering docs/architecture.md draws, kept true: an app imports another app only through that app's
// public entry (its package name, nothing under it), only in the allowed direction, and never by a relative
// path out of its own folder; packages/shared imports no app; the shared browser entry bundles for the
// browser with nothing Node-only in it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Which workspace each may import (by package name): the layers, bottom up. */
const ALLOWED: Record<string, string[]> = {
  'packages/shared': [],
  'apps/edge': ['@sig/shared'],
  'apps/inference-server': ['@sig/shared', '@sig/edge'],
  'apps/trainer': ['@sig/shared', '@sig/inference-server'],
};
/** Apps are reached only through their package root; shared also offers its Node-only modules by path. */
const OPEN_SUBPATHS = new Set(['@sig/shared']);

/** Every module specifier in a source text: static and dynamic imports, re-exports, `new URL(…, import.meta.url)`. */
export function specifiers(source: string): string[] {
  const out: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g,
    /\bimport\s*['"]([^'"]+)['"]/g,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
    /\bnew URL\(\s*['"]([^'"]+)['"]\s*,\s*import\.meta\.url\s*\)/g,
  ];
  for (const re of patterns) for (const m of source.matchAll(re)) out.push(m[1]);
  return out;
}

/** The problems with one import of `from` (a workspace folder) in file `file`; empty when it is allowed. */
export function violations(from: string, file: string, spec: string): string[] {
  if (spec.startsWith('.')) {
    const target = resolve(dirname(file), spec);
    const home = resolve(root, from);
    return target === home || target.startsWith(home + sep) ? [] : [`${relative(root, file)}: '${spec}' leaves ${from}`];
  }
  const m = /^(@sig\/[^/]+)(\/.*)?$/.exec(spec);
  if (!m) return [];
  const [, pkg, sub] = m;
  if (!ALLOWED[from].includes(pkg)) return [`${relative(root, file)}: ${from} may not import ${pkg}`];
  if (sub && !OPEN_SUBPATHS.has(pkg)) return [`${relative(root, file)}: '${spec}' reaches into ${pkg} (import its public entry '${pkg}')`];
  return [];
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && /\.(ts|js|mjs)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}

describe('architecture: which layer may import which', () => {
  it('no app imports another app except through its public entry, in the allowed direction', () => {
    const found: string[] = [];
    for (const from of Object.keys(ALLOWED)) {
      for (const file of sourceFiles(join(root, from, 'src'))) {
        for (const spec of specifiers(readFileSync(file, 'utf8'))) found.push(...violations(from, file, spec));
      }
    }
    expect(found).toEqual([]);
  });

  it('catches the imports it forbids', () => {
    const file = join(root, 'apps/trainer/src/commands/serve.ts');
    expect(violations('apps/trainer', file, '@sig/inference-server/src/server.ts')).toHaveLength(1);
    expect(violations('apps/trainer', file, '../../../inference-server/src/config.ts')).toHaveLength(1);
    expect(violations('apps/inference-server', join(root, 'apps/inference-server/src/config.ts'), '../../edge/dist/')).toHaveLength(1);
    expect(violations('apps/edge', join(root, 'apps/edge/src/index.ts'), '@sig/inference-server')).toHaveLength(1);
    expect(violations('packages/shared', join(root, 'packages/shared/src/index.ts'), '@sig/trainer')).toHaveLength(1);
    expect(violations('apps/trainer', file, '@sig/inference-server')).toEqual([]);
    expect(violations('apps/trainer', file, '@sig/shared/node/image-io.ts')).toEqual([]);
    expect(specifiers("import { a } from './a.ts';\nconst b = await import('../b.ts');\nexport * from \"./c.ts\";\nnew URL('../../edge/dist/', import.meta.url)")).toEqual([
      './a.ts',
      './c.ts',
      '../b.ts',
      '../../edge/dist/',
    ]);
  });

  it("the shared package's browser entry bundles for the browser with no Node-only module", async () => {
    const r = await build({
      entryPoints: [join(root, 'packages/shared/src/index.ts')],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(r.metafile.inputs);
    expect(inputs.filter((p) => p.startsWith('node:') || /node_modules\/(sharp|onnxruntime-node)\//.test(p) || p.includes('packages/shared/src/node/'))).toEqual([]);
    expect(inputs.some((p) => p.endsWith('packages/shared/src/index.ts'))).toBe(true);
  });

  it("the shared browser entry exports what the pipeline's users call, not helpers only tests reach", async () => {
    const shared = await import('@sig/shared');
    for (const name of ['connectedComponents', 'backgroundRadius', 'MAX_WORKING_SIDE']) expect(shared, name).not.toHaveProperty(name);
    expect(shared).toHaveProperty('inkRunComponents');
  });
});
