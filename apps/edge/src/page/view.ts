// DOM rendering of results: small functions, no framework.
import { answeredBy, type GrayImage, type ModelEntry } from '@sig/shared';
import type { AnalyzeResult } from './signature-app.ts';

/** The element with `id`, typed; a missing element is a bug in index.html. */
export function byId<T extends HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el as T;
}

/** Draws an 8-bit grey image onto a canvas at its own size. */
export function drawGray(canvas: HTMLCanvasElement, img: GrayImage): void {
  canvas.width = img.width;
  canvas.height = img.height;
  const g = canvas.getContext('2d');
  if (!g) return;
  const rgba = new ImageData(img.width, img.height);
  for (let i = 0; i < img.data.length; i++) {
    rgba.data[4 * i] = rgba.data[4 * i + 1] = rgba.data[4 * i + 2] = img.data[i];
    rgba.data[4 * i + 3] = 255;
  }
  g.putImageData(rgba, 0, 0);
}

/** One line per model (variants left out): what answers, whether it is a demo, what it was trained on. */
export function renderAbout(models: readonly ModelEntry[]): void {
  byId('about').replaceChildren(
    ...models
      .filter((m) => !m.variantOf)
      .map((m) => {
        const a = answeredBy(m);
        const li = document.createElement('li');
        li.className = a.demo ? 'demo' : '';
        li.textContent = `${a.model} (${a.kind})${a.demo ? ', demo model' : ''}: trained on ${a.trainedOn}`;
        return li;
      }),
  );
}

/** Shows the top-k table, the verdict, the model input and the timings of one analysis. */
export function renderAnalysis(r: AnalyzeResult): void {
  const tbody = byId<HTMLTableSectionElement>('top');
  tbody.replaceChildren(
    ...(r.classifier?.top ?? []).map((p) => {
      const tr = document.createElement('tr');
      const id = document.createElement('td');
      id.textContent = p.id;
      const prob = document.createElement('td');
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.style.width = `${Math.round(p.probability * 12)}rem`;
      prob.append(bar, `${(100 * p.probability).toFixed(1)} %`);
      tr.append(id, prob);
      return tr;
    }),
  );
  if (!r.classifier) tbody.innerHTML = '<tr><td colspan="2">no classifier model</td></tr>';
  const verdict = byId('verdict');
  if (r.authenticity) {
    const a = r.authenticity;
    verdict.className = a.verdict;
    verdict.textContent = `${a.verdict === 'genuine' ? 'Genuine' : 'Generated (fake)'}: p(genuine) = ${a.pGenuine.toFixed(3)}, threshold ${a.threshold}`;
  } else {
    verdict.className = '';
    verdict.textContent = 'no real/fake model';
  }
  if (r.modelInput) drawGray(byId<HTMLCanvasElement>('model-input'), r.modelInput);
  showInkBox(r);
  const t = r.timings;
  byId('timing').textContent = `decoding ${(t.decodeMs ?? 0).toFixed(1)} ms, preprocessing ${t.preprocessMs.toFixed(1)} ms, inference ${t.inferenceMs.toFixed(1)} ms`;
}

/** Draws the ink box the preprocessing used on the photo preview (percentages, so it follows the image's size), or hides it. */
export function showInkBox(r: Pick<AnalyzeResult, 'inkBox' | 'imageSize'> | null): void {
  const el = byId('ink-box');
  if (!r?.inkBox) {
    el.hidden = true;
    return;
  }
  const { x, y, width, height } = r.inkBox;
  const pct = (v: number, of: number) => `${((100 * v) / of).toFixed(2)}%`;
  Object.assign(el.style, { left: pct(x, r.imageSize.width), top: pct(y, r.imageSize.height), width: pct(width, r.imageSize.width), height: pct(height, r.imageSize.height) });
  el.hidden = false;
}

/** Replaces the sample grid with generated images. */
export function renderSamples(images: GrayImage[]): void {
  byId('samples').replaceChildren(
    ...images.map((img) => {
      const c = document.createElement('canvas');
      drawGray(c, img);
      return c;
    }),
  );
}
