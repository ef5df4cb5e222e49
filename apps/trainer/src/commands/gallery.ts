import type { Command } from 'commander';
import { commandGroup } from '../cli-group.ts';
import { cliNumber } from '../cli-number.ts';

/** Options every gallery subcommand shares: where the gallery and the models are. */
interface Where {
  dataDir?: string;
  databaseUrl?: string;
  models?: string;
  model?: string;
}

const where = (c: Command): Command =>
  c
    .option('--data-dir <dir>', 'embedded gallery database folder (env SIG_DATA_DIR; default data/gallery)')
    .option('--database-url <url>', 'postgres://… : use this PostgreSQL server instead (env DATABASE_URL)')
    .option('--models <dir>', 'folder with manifest.json and the embedding model (env SIG_MODELS; default models)')
    .option('--model <name>', 'embedding model (default: the first in the manifest)');

/** Opens the gallery the server would open with the same settings (flags over environment). */
async function open(o: Where) {
  const { localModels, openNodeGallery } = await (await import('@sig/inference-server')).galleryModule();
  const { rawImagePreparer } = await import('@sig/shared');
  const { decodeImage } = await import('@sig/shared/node/image-io.ts');
  const models = await localModels(o.models ?? process.env.SIG_MODELS ?? 'models', ['embedding', 'realfake']);
  const { gallery, store } = await openNodeGallery({
    models,
    prepare: async (bytes, configs) => rawImagePreparer(await decodeImage(bytes), configs),
    db: { dataDir: o.dataDir ?? process.env.SIG_DATA_DIR ?? 'data/gallery', databaseUrl: o.databaseUrl ?? (process.env.DATABASE_URL || undefined) },
    log: (level, msg) => process.stderr.write(`sig gallery [${level}] ${msg}\n`),
  });
  return {
    gallery,
    close: async () => {
      await store.close();
      await models.close();
    },
  };
}

async function withGallery<T>(o: Where, fn: (g: Awaited<ReturnType<typeof open>>['gallery']) => Promise<T>): Promise<T> {
  const g = await open(o);
  try {
    return await fn(g.gallery);
  } finally {
    await g.close();
  }
}

/** `sig gallery …`: enrol a folder dataset, list, remove, export/import a gallery file, re-embed. */
export function register(program: Command): void {
  const group = commandGroup(program, 'gallery', 'the enrolment gallery (same database as sig serve: --data-dir or DATABASE_URL)');

  where(group.command('enrol'))
    .description('enrol every student of a folder dataset (<data>/<id>/<image>), the first N images each as references')
    .requiredOption('--data <dataset>', 'folder dataset, e.g. from sig ingest or sig synth')
    .option('--references <n>', 'references per student (default 4)', (v: string) => cliNumber('references', v, 1, true, 64))
    .action(async (o: Where & { data: string; references?: number }) => {
      const { loadFolderDataset } = await import('../data/folder-dataset.ts');
      const { readFile } = await import('node:fs/promises');
      const ds = await loadFolderDataset(o.data);
      const n = o.references ?? 4;
      await withGallery(o, async (g) => {
        const t0 = performance.now();
        let refs = 0;
        for (const label of ds.labels) {
          const files = ds.items.filter((i) => i.label === label).slice(0, n);
          const images = await Promise.all(files.map((f) => readFile(f.path)));
          const r = await g.enrol(label, images, { replace: true, model: o.model });
          refs += r.added;
        }
        const s = (performance.now() - t0) / 1000;
        console.log(`enrolled ${ds.labels.length} student(s), ${refs} reference(s) in ${s.toFixed(1)} s (${(refs / s).toFixed(1)} references/s)`);
      });
    });

  where(group.command('list'))
    .description('list enrolled students')
    .option('--limit <n>', 'most to list (default 1000)', (v: string) => cliNumber('limit', v, 1, true, 1000))
    .option('--offset <n>', 'skip this many (default 0)', (v: string) => cliNumber('offset', v, 0))
    .action(async (o: Where & { limit?: number; offset?: number }) => {
      await withGallery(o, async (g) => {
        const page = await g.list({ offset: o.offset ?? 0, limit: o.limit ?? 1000 });
        for (const s of page.students) console.log(`${s.id}\t${s.references}\t${s.name ?? ''}`);
        console.log(`${page.students.length} of ${page.total} student(s)`);
      });
    });

  where(group.command('remove'))
    .description('delete a student with every reference image and embedding')
    .argument('<id>', 'student ID')
    .action(async (id: string, o: Where) => {
      await withGallery(o, async (g) => {
        await g.remove(id);
        console.log(`removed ${id}`);
      });
    });

  where(group.command('export'))
    .description('write the gallery (images and embeddings) to a gallery file the server and the page read')
    .argument('<file>', 'output file (JSON Lines: a header, then a student per line)')
    .action(async (file: string, o: Where) => {
      const { createWriteStream } = await import('node:fs');
      const { pipeline } = await import('node:stream/promises');
      await withGallery(o, async (g) => {
        let lines = 0;
        const counted = async function* (src: AsyncIterable<string>) {
          for await (const line of src) {
            lines++;
            yield line;
          }
        };
        await pipeline(counted(g.exportFile()), createWriteStream(file));
        console.log(`exported ${lines - 1} student(s) to ${file}`);
      });
    });

  where(group.command('import'))
    .description('read a gallery file: each student in it replaces the one with that ID (a bad file imports nothing)')
    .argument('<file>', 'gallery file (from sig gallery export or the page)')
    .action(async (file: string, o: Where) => {
      const { createReadStream } = await import('node:fs');
      const { access } = await import('node:fs/promises');
      await access(file); // a missing file is one readable line before the gallery opens
      await withGallery(o, async (g) => {
        const r = await g.importFile(() => createReadStream(file));
        const s = await g.status(o.model);
        console.log(`imported ${r.students} student(s), ${r.references} reference(s); ${s.unindexed} need re-embedding with ${s.model} (sig gallery reembed)`);
      });
    });

  where(group.command('reembed'))
    .description('embed again the references stored by another version of the embedding model')
    .action(async (o: Where) => {
      await withGallery(o, async (g) => {
        const r = await g.reembed({ model: o.model });
        console.log(`re-embedded ${r.reembedded} reference(s) with ${g.model(o.model).name}${r.failed ? `; ${r.failed} could not be preprocessed` : ''}; ${r.remaining - r.failed} left`);
        if (r.failed > 0) process.exitCode = 1;
      });
    });
}
