// Plots as SVG text rendered to PNG with sharp (librsvg): line charts of training curves and a confusion-matrix
// heat map. No plotting library: the charts are simple and SVG keeps them dependency-free.
import sharp from 'sharp';

/** One named series of (x, y) points. */
export interface Series {
  name: string;
  points: [number, number][];
}

/** One panel of a line chart: a title, a y-axis label and its series. */
export interface Panel {
  title: string;
  yLabel?: string;
  series: Series[];
  /** Fix the y range (e.g. [0, 1] for accuracy); default: the data's range. */
  yRange?: [number, number];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];
const FONT = 'font-family="DejaVu Sans, Liberation Sans, sans-serif"';

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function fmt(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 0.01 || a >= 1e4)) return v.toExponential(1);
  return Number(v.toPrecision(3)).toString();
}

/** Draws one panel into the box (x0, y0, w, h) and returns SVG elements. */
function panelSvg(p: Panel, x0: number, y0: number, w: number, h: number, xLabel: string): string {
  const m = { l: 60, r: 15, t: 28, b: 42 };
  const pw = w - m.l - m.r;
  const ph = h - m.t - m.b;
  const pts = p.series.flatMap((s) => s.points).filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
  let [xmin, xmax] = [Math.min(...pts.map((q) => q[0])), Math.max(...pts.map((q) => q[0]))];
  let [ymin, ymax] = p.yRange ?? [Math.min(...pts.map((q) => q[1])), Math.max(...pts.map((q) => q[1]))];
  if (!pts.length) [xmin, xmax, ymin, ymax] = [0, 1, 0, 1];
  if (xmax === xmin) xmax = xmin + 1;
  if (ymax === ymin) [ymin, ymax] = [ymin - 0.5, ymax + 0.5];
  const sx = (x: number) => x0 + m.l + ((x - xmin) / (xmax - xmin)) * pw;
  const sy = (y: number) => y0 + m.t + ph - ((y - ymin) / (ymax - ymin)) * ph;
  const out: string[] = [];
  out.push(`<rect x="${x0 + m.l}" y="${y0 + m.t}" width="${pw}" height="${ph}" fill="#fff" stroke="#888"/>`);
  for (let i = 0; i <= 4; i++) {
    const yv = ymin + ((ymax - ymin) * i) / 4;
    const xv = xmin + ((xmax - xmin) * i) / 4;
    out.push(`<line x1="${x0 + m.l}" x2="${x0 + m.l + pw}" y1="${sy(yv)}" y2="${sy(yv)}" stroke="#eee"/>`);
    out.push(`<text x="${x0 + m.l - 5}" y="${sy(yv) + 4}" font-size="11" text-anchor="end" ${FONT}>${fmt(yv)}</text>`);
    out.push(`<text x="${sx(xv)}" y="${y0 + m.t + ph + 15}" font-size="11" text-anchor="middle" ${FONT}>${fmt(xv)}</text>`);
  }
  out.push(`<text x="${x0 + m.l + pw / 2}" y="${y0 + 18}" font-size="14" font-weight="bold" text-anchor="middle" ${FONT}>${esc(p.title)}</text>`);
  out.push(`<text x="${x0 + m.l + pw / 2}" y="${y0 + h - 8}" font-size="12" text-anchor="middle" ${FONT}>${esc(xLabel)}</text>`);
  if (p.yLabel) {
    const cx = x0 + 14;
    const cy = y0 + m.t + ph / 2;
    out.push(`<text x="${cx}" y="${cy}" font-size="12" text-anchor="middle" transform="rotate(-90 ${cx} ${cy})" ${FONT}>${esc(p.yLabel)}</text>`);
  }
  p.series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length];
    const good = s.points.filter(([x, y]) => Number.isFinite(x) && Number.isFinite(y));
    if (good.length > 1) {
      const d = good.map(([x, y], j) => `${j ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join('');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.8"/>`);
    } else if (good.length === 1) {
      out.push(`<circle cx="${sx(good[0][0])}" cy="${sy(good[0][1])}" r="3" fill="${color}"/>`);
    }
    const ly = y0 + m.t + 14 + i * 15;
    out.push(`<line x1="${x0 + m.l + pw - 110}" x2="${x0 + m.l + pw - 92}" y1="${ly - 4}" y2="${ly - 4}" stroke="${color}" stroke-width="2"/>`);
    out.push(`<text x="${x0 + m.l + pw - 88}" y="${ly}" font-size="11" ${FONT}>${esc(s.name)}</text>`);
  });
  return out.join('\n');
}

/** SVG of panels side by side sharing the x-axis label (e.g. loss and accuracy against step). */
export function lineChartSvg(panels: Panel[], xLabel = 'step', panelWidth = 460, height = 320): string {
  const width = panelWidth * panels.length;
  const body = panels.map((p, i) => panelSvg(p, i * panelWidth, 0, panelWidth, height, xLabel)).join('\n');
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><rect width="100%" height="100%" fill="#fafafa"/>\n${body}\n</svg>`;
}

/**
 * SVG heat map of a confusion matrix (rows: true class, columns: predicted), row-normalised colour. Labels
 * are drawn when there are at most 40 classes; larger matrices show cells only.
 */
export function confusionMatrixSvg(matrix: number[][], labels: string[], title = 'confusion matrix'): string {
  const k = matrix.length;
  const cell = Math.max(3, Math.min(28, Math.floor(900 / Math.max(k, 1))));
  const showLabels = k <= 40;
  const ml = showLabels ? 70 : 40;
  const mt = 50;
  const size = cell * k;
  const out: string[] = [];
  out.push(`<rect width="100%" height="100%" fill="#fff"/>`);
  out.push(`<text x="${Math.max(ml + size / 2, 130)}" y="20" font-size="15" font-weight="bold" text-anchor="middle" ${FONT}>${esc(title)}</text>`);
  out.push(`<text x="${ml + size / 2}" y="40" font-size="12" text-anchor="middle" ${FONT}>predicted</text>`);
  out.push(`<text x="14" y="${mt + size / 2}" font-size="12" text-anchor="middle" transform="rotate(-90 14 ${mt + size / 2})" ${FONT}>true</text>`);
  for (let t = 0; t < k; t++) {
    const total = matrix[t].reduce((a, b) => a + b, 0) || 1;
    for (let p = 0; p < k; p++) {
      const v = matrix[t][p];
      if (v === 0 && !showLabels) continue;
      const f = v / total;
      // Blue for the diagonal, red for confusions, white for zero.
      const c = t === p ? [255 - 200 * f, 255 - 120 * f, 255] : [255, 255 - 200 * f, 255 - 200 * f];
      out.push(`<rect x="${ml + p * cell}" y="${mt + t * cell}" width="${cell}" height="${cell}" fill="rgb(${c.map(Math.round).join(',')})" stroke="#ddd" stroke-width="0.5"/>`);
      if (showLabels && v > 0 && cell >= 14) {
        out.push(`<text x="${ml + p * cell + cell / 2}" y="${mt + t * cell + cell / 2 + 4}" font-size="${Math.min(11, cell - 4)}" text-anchor="middle" ${FONT}>${v}</text>`);
      }
    }
    if (showLabels) {
      out.push(`<text x="${ml - 4}" y="${mt + t * cell + cell / 2 + 4}" font-size="${Math.min(11, cell)}" text-anchor="end" ${FONT}>${esc(labels[t] ?? String(t))}</text>`);
    }
  }
  out.push(`<rect x="${ml}" y="${mt}" width="${size}" height="${size}" fill="none" stroke="#888"/>`);
  const w = Math.max(ml + size + 20, 260);
  const h = mt + size + 20;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}">\n${out.join('\n')}\n</svg>`;
}

/** Renders SVG text to a PNG file. */
export async function writeSvgPng(svg: string, path: string): Promise<void> {
  await sharp(Buffer.from(svg)).png().toFile(path);
}

/** Renders SVG text to PNG bytes. */
export async function svgToPng(svg: string): Promise<Buffer> {
  return sharp(Buffer.from(svg)).png().toBuffer();
}

/** PNG of the line chart of {@link lineChartSvg}. */
export async function lineChartPng(panels: Panel[], xLabel = 'step'): Promise<Buffer> {
  return svgToPng(lineChartSvg(panels, xLabel));
}

/** PNG confusion matrix of true vs predicted class indices (`labels` name the classes in order). */
export async function confusionMatrixPng(truth: ArrayLike<number>, predicted: ArrayLike<number>, labels: string[], title?: string): Promise<Buffer> {
  const k = labels.length;
  const m = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]][predicted[i]]++;
  return svgToPng(confusionMatrixSvg(m, labels, title));
}
