import type { Command } from 'commander';
import { ServerConfig, serverConfigEnv } from '@sig/inference-server';
import { setting } from '@sig/shared';
import { z } from 'zod';
import { commandGroup } from '../cli-group.ts';
import { addSettingOptions, settingsFromCommand } from '../cli-settings.ts';

/**
 * Where every gallery subcommand finds the gallery and the models: the server's own settings (same flags,
 * variables and defaults as `sig serve`), plus which embedding model.
 */
export const GalleryWhere = ServerConfig.pick({ galleryDataDir: true, databaseUrl: true, modelsDir: true }).extend({
  model: setting(z.string().min(1).optional(), { flag: 'model', arg: 'name', help: 'embedding model', defaultText: 'the first in the manifest' }),
});
type Where = z.output<typeof GalleryWhere>;

/** `sig gallery enrol`'s own settings. */
export const GalleryEnrolSettings = z.object({
  data: setting(z.string().min(1), { flag: 'data', arg: 'dataset', help: 'folder dataset, e.g. from sig ingest or sig synth' }),
  references: setting(z.number().int().min(1).max(64).default(4), { flag: 'references', arg: 'n', help: 'references per student' }),
});

/** `sig gallery list`'s own settings. */
export const GalleryListSettings = z.object({
  limit: setting(z.number().int().min(1).max(1000).default(1000), { flag: 'limit', arg: 'n', help: 'most to list' }),
  offset: setting(z.number().int().min(0).default(0), { flag: 'offset', arg: 'n', help: 'skip this many' }),
});

/** A gallery subcommand with the shared settings; `where(cmd)` reads them once the command is parsed. */
function withWhere(cmd: Command): Command {
  return addSettingOptions(cmd, GalleryWhere);
}
const where = (cmd: Command): Where => settingsFromCommand(GalleryWhere, cmd, serverConfigEnv(process.env));

/** Opens the gallery the server would open with the same settings (flags over environment). */
async function open(o: Where) {
  const { localModels, openNodeGallery } = await (await import('@sig/inference-server')).galleryModule();
  const { rawImagePreparer } = await import('@sig/shared');
  const { decodeImage } = await import('@sig/shared/node/image-io.ts');
  const models = await localModels(o.modelsDir, ['embedding', 'realfake']);
  const { gallery, store } = await openNodeGallery({
    models,
    prepare: async (bytes, configs) => rawImagePreparer(await decodeImage(bytes), configs),
    db: { dataDir: o.galleryDataDir, databaseUrl: o.databaseUrl || undefined },
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

  const enrol = withWhere(group.command('enrol'))
    .description('enrol every student of a folder dataset (<data>/<id>/<image>), the first N images each as references');
  addSettingOptions(enrol, GalleryEnrolSettings).action(async () => {
    const o = where(enrol);
    const { data, references: n } = settingsFromCommand(GalleryEnrolSettings, enrol);
    const { loadFolderDataset } = await import('../data/folder-dataset.ts');
    const { readFile } = await import('node:fs/promises');
    const ds = await loadFolderDataset(data);
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

  const list = withWhere(group.command('list')).description('list enrolled students');
  addSettingOptions(list, GalleryListSettings).action(async () => {
    const { limit, offset } = settingsFromCommand(GalleryListSettings, list);
    await withGallery(where(list), async (g) => {
      const page = await g.list({ offset, limit });
      for (const s of page.students) console.log(`${s.id}\t${s.references}\t${s.name ?? ''}`);
      console.log(`${page.students.length} of ${page.total} student(s)`);
    });
  });

  const remove = withWhere(group.command('remove'))
    .description('delete a student with every reference image and embedding')
    .argument('<id>', 'student ID')
    .action(async (id: string) => {
      await withGallery(where(remove), async (g) => {
        await g.remove(id);
        console.log(`removed ${id}`);
      });
    });

  const exportCmd = withWhere(group.command('export'))
    .description('write the gallery (images and embeddings) to a gallery file the server and the page read')
    .argument('<file>', 'output file (JSON Lines: a header, then a student per line)')
    .action(async (file: string) => {
      const { createWriteStream } = await import('node:fs');
      const { pipeline } = await import('node:stream/promises');
      await withGallery(where(exportCmd), async (g) => {
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

  const importCmd = withWhere(group.command('import'))
    .description('read a gallery file: each student in it replaces the one with that ID (a bad file imports nothing)')
    .argument('<file>', 'gallery file (from sig gallery export or the page)')
    .action(async (file: string) => {
      const o = where(importCmd);
      const { createReadStream } = await import('node:fs');
      const { access } = await import('node:fs/promises');
      await access(file); // a missing file is one readable line before the gallery opens
      await withGallery(o, async (g) => {
        const r = await g.importFile(() => createReadStream(file));
        const s = await g.status(o.model);
        console.log(`imported ${r.students} student(s), ${r.references} reference(s); ${s.unindexed} need re-embedding with ${s.model} (sig gallery reembed)`);
      });
    });

  const reembed = withWhere(group.command('reembed'))
    .description('embed again the references stored by another version of the embedding model')
    .action(async () => {
      const o = where(reembed);
      await withGallery(o, async (g) => {
        const r = await g.reembed({ model: o.model });
        console.log(`re-embedded ${r.reembedded} reference(s) with ${g.model(o.model).name}${r.failed ? `; ${r.failed} could not be preprocessed` : ''}; ${r.remaining - r.failed} left`);
        if (r.failed > 0) process.exitCode = 1;
      });
    });
}
