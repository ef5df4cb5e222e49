// `npm run build:edge`: the static browser bundle in apps/edge/dist (or --out): the page (esbuild), the
// service worker with its precache list, onnxruntime-web's wasm runtime copied from node_modules, and the
// models listed in models/manifest.json (copied, sha256-checked). Nothing is fetched from a CDN at run time.
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { Manifest, UserError } from '@sig/shared';
import { pageDir } from '../index.ts';

const here = dirname(fileURLToPath(import.meta.url));
const appRoot = resolve(here, '../..');
const repoRoot = resolve(appRoot, '../..');

/** onnxruntime-web files the page needs: the wasm-only ES module, its loader and the SIMD+threads binary. */
export const ORT_FILES = ['ort.wasm.min.mjs', 'ort-wasm-simd-threaded.mjs', 'ort-wasm-simd-threaded.wasm'];
/**
 * Its WebGPU build (WebGPU and wasm providers), loaded only where the browser offers WebGPU. Not precached
 * (27 MB that a browser without WebGPU never uses); the service worker caches it on first use.
 */
export const ORT_WEBGPU_FILES = ['ort.webgpu.min.mjs', 'ort-wasm-simd-threaded.asyncify.mjs', 'ort-wasm-simd-threaded.asyncify.wasm'];

export interface BuildOptions {
  /** Output folder (emptied first). Default apps/edge/dist. */
  out?: string;
  /**
   * Folder with manifest.json and the .onnx files. Default <repo>/models; a missing folder or null builds a page
   * with no models (the inference server's /edge then serves its own loaded models at /edge/models/).
   */
  modelsDir?: string | null;
  minify?: boolean;
}

export interface BuildResult {
  out: string;
  /** Every file of the bundle, relative to `out`, with its size. */
  files: { path: string; bytes: number }[];
  totalBytes: number;
  models: string[];
}

/** Builds the bundle; returns its files and total size (what a first visit downloads). */
export async function buildEdge(opts: BuildOptions = {}): Promise<BuildResult> {
  const out = resolve(opts.out ?? pageDir());
  const modelsDir = opts.modelsDir === null ? null : resolve(opts.modelsDir ?? join(repoRoot, 'models'));
  await rm(out, { recursive: true, force: true });
  await mkdir(join(out, 'ort'), { recursive: true });

  const page = join(here, '../page');
  await build({
    entryPoints: { main: join(page, 'main.ts') },
    outdir: out,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    minify: opts.minify ?? true,
    legalComments: 'none',
    logLevel: 'warning',
  });
  for (const f of ['index.html', 'style.css']) await copyFile(join(page, f), join(out, f));

  // onnxruntime-web from the installed package (resolved like any import, so the version is the lockfile's).
  const ortDist = dirname(createRequire(import.meta.url).resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  for (const f of [...ORT_FILES, ...ORT_WEBGPU_FILES]) await copyFile(join(ortDist, f), join(out, 'ort', f));

  const models = modelsDir ? await copyModels(modelsDir, join(out, 'models')) : [];

  // The service worker last: it precaches every other file, under a cache named by their content.
  const onFirstUse = new Set(ORT_WEBGPU_FILES.map((f) => `ort/${f}`));
  const files = (await listFiles(out)).filter((f) => !onFirstUse.has(f));
  const hash = createHash('sha256');
  for (const f of files) hash.update(f).update(await readFile(join(out, f)));
  await build({
    entryPoints: { sw: join(here, '../sw/sw.ts') },
    outdir: out,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    minify: opts.minify ?? true,
    logLevel: 'warning',
    define: {
      __PRECACHE__: JSON.stringify(['./', ...files.map((f) => `./${f}`)]),
      __BUILD_ID__: JSON.stringify(hash.digest('hex').slice(0, 16)),
    },
  });
  const all = await listFiles(out);
  const sized = await Promise.all(all.map(async (path) => ({ path, bytes: (await stat(join(out, path))).size })));
  return { out, files: sized, totalBytes: sized.reduce((s, f) => s + f.bytes, 0), models };
}

/** Copies manifest.json and the files it lists (checking sha256); returns the model names. */
async function copyModels(from: string, to: string): Promise<string[]> {
  let text: string;
  try {
    text = await readFile(join(from, 'manifest.json'), 'utf8');
  } catch {
    return [];
  }
  const parsed = Manifest.safeParse(JSON.parse(text));
  if (!parsed.success) throw new UserError(`${join(from, 'manifest.json')}: ${parsed.error.issues[0].message}`);
  await mkdir(to, { recursive: true });
  for (const m of parsed.data.models) {
    const src = resolve(from, m.file);
    if (!src.startsWith(from + sep)) throw new UserError(`model ${m.name}: file ${m.file} is outside ${from}`);
    const bytes = await readFile(src).catch(() => {
      throw new UserError(`model ${m.name}: ${src} is missing`);
    });
    if (createHash('sha256').update(bytes).digest('hex') !== m.sha256) throw new UserError(`model ${m.name}: ${m.file} does not match its sha256`);
    await mkdir(dirname(join(to, m.file)), { recursive: true });
    await writeFile(join(to, m.file), bytes);
  }
  await writeFile(join(to, 'manifest.json'), JSON.stringify(parsed.data, null, 2));
  return parsed.data.models.map((m) => m.name);
}

/** All files under `dir`, relative, with '/' separators, sorted. */
async function listFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

function parseArgs(argv: string[]): BuildOptions {
  const opts: BuildOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--out') opts.out = argv[++i];
    else if (a === '--models') opts.modelsDir = argv[++i];
    else if (a === '--no-minify') opts.minify = false;
    else if (a === '--help' || a === '-h') {
      console.log('Usage: npm run build:edge -- [--models <dir>] [--out <dir>] [--no-minify]');
      process.exit(0);
    } else throw new UserError(`unknown option ${a} (see --help)`);
  }
  return opts;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    const r = await buildEdge(parseArgs(process.argv.slice(2)));
    const mb = (n: number): string => `${(n / 1e6).toFixed(2)} MB`;
    console.log(`built ${relative(process.cwd(), r.out) || '.'}: ${r.files.length} files, ${mb(r.totalBytes)} (models: ${r.models.join(', ') || 'none'})`);
  } catch (e) {
    console.error(`build:edge: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
