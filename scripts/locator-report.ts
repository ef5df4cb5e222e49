// What the signature locator does to a folder of images, as the server would see them: how many it accepts or
// refuses (by reason), and how many it cuts, i.e. where the located signature's box covers less than --cut of
// the box of all the image's ink (the preprocessing without the locator). Clean scans of one signature each
// (signature-forgeries, `sig ingest` crops, synthetic writers) should be accepted whole.
//
//   npx tsx scripts/locator-report.ts <dir>... [--cut 0.9] [--list 20]
//
// Every image under each folder (PNG, JPEG, TIFF, WebP) at the embedding's input size; the worst cuts are listed.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { isNoSignatureError, preprocessSignature, PreprocessConfig, type Box } from '@sig/shared';
import { decodeImage } from '@sig/shared/node/image-io.ts';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { cut: { type: 'string', default: '0.9' }, list: { type: 'string', default: '20' } } });
if (positionals.length === 0) {
  console.error('usage: npx tsx scripts/locator-report.ts <dir>... [--cut 0.9] [--list 20]');
  process.exit(2);
}
const cut = Number(values.cut);
const cfg = PreprocessConfig.parse({ height: 48, width: 96 });

function images(dir: string): string[] {
  return readdirSync(dir).sort().flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? images(p) : /\.(png|jpe?g|tiff?|webp)$/i.test(f) ? [p] : [];
  });
}

const area = (b: Box | null): number => (b ? b.width * b.height : 0);
for (const dir of positionals) {
  const refused: Record<string, number> = {};
  const cuts: { file: string; share: number }[] = [];
  const files = images(dir);
  for (const file of files) {
    const img = await decodeImage(file);
    try {
      preprocessSignature(img, cfg);
    } catch (e) {
      if (!isNoSignatureError(e)) throw e;
      refused[e.reason] = (refused[e.reason] ?? 0) + 1;
    }
    const located = preprocessSignature(img, cfg, { onNoSignature: 'guess' }).box;
    const all = preprocessSignature(img, cfg, { onNoSignature: 'guess', locate: false }).box;
    const share = area(all) > 0 ? area(located) / area(all) : 1;
    if (share < cut) cuts.push({ file, share });
  }
  const nRefused = Object.values(refused).reduce((a, b) => a + b, 0);
  const reasons = Object.entries(refused).map(([r, n]) => `${r} ${n}`).join(', ');
  console.log(`${dir}: ${files.length} images; accepted ${files.length - nRefused}, refused ${nRefused}${reasons ? ` (${reasons})` : ''}; located box < ${cut} of all ink's: ${cuts.length}`);
  for (const c of cuts.sort((a, b) => a.share - b.share).slice(0, Number(values.list))) console.log(`  ${c.share.toFixed(2)}  ${c.file}`);
}
