// A one-line training progress bar (cli-progress): step/total, ETA and named metrics (loss, acc, ...).
// On a non-TTY stderr (CI, logs) it prints a plain line every `logEvery` steps instead of redrawing.
import cliProgress from 'cli-progress';

/** Progress of a loop of `total` steps with named numeric metrics. */
export interface Progress {
  /** Sets the current step and metrics (merged with earlier ones). */
  update(step: number, metrics?: Record<string, number>): void;
  /** Prints a line above the bar (evaluation results, checkpoints). */
  log(line: string): void;
  stop(): void;
}

function fmtMetrics(metrics: Record<string, number>): string {
  return Object.entries(metrics)
    .map(([k, v]) => `${k} ${Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(3)}`)
    .join('  ');
}

function fmtEta(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  return s >= 3600 ? `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m` : s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/**
 * Creates a progress bar for steps `start..total` (start > 0 when resuming: the ETA counts only steps run
 * in this process). `quiet` prints nothing (tests).
 */
export function createProgress(opts: { total: number; start?: number; label?: string; quiet?: boolean; logEvery?: number }): Progress {
  const { total, start = 0, label = 'train', quiet = false } = opts;
  let metrics: Record<string, number> = {};
  if (quiet) return { update: (_s, m) => void (metrics = { ...metrics, ...m }), log: () => {}, stop: () => {} };
  const t0 = Date.now();
  const eta = (step: number) => ((Date.now() - t0) / 1000 / Math.max(step - start, 1e-9)) * (total - step);
  if (!process.stderr.isTTY) {
    const every = opts.logEvery ?? Math.max(1, Math.round(total / 20));
    let printed = -1;
    return {
      update(step, m) {
        metrics = { ...metrics, ...m };
        if (step !== printed && (step === total || (step - start) % every === 0)) {
          printed = step;
          process.stderr.write(`${label} ${step}/${total}  ${fmtMetrics(metrics)}  eta ${fmtEta(step > start ? eta(step) : NaN)}\n`);
        }
      },
      log: (line) => process.stderr.write(`${line}\n`),
      stop: () => {},
    };
  }
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total}  {metrics}  eta {etaText}`,
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
      stream: process.stderr,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, start, { metrics: '', etaText: '?' });
  return {
    update(step, m) {
      metrics = { ...metrics, ...m };
      bar.update(step, { metrics: fmtMetrics(metrics), etaText: step > start ? fmtEta(eta(step)) : '?' });
    },
    log(line) {
      // cli-progress redraws on the same line: clear it, print, and let the next update redraw.
      process.stderr.write(`\r\x1b[K${line}\n`);
      bar.render();
    },
    stop: () => bar.stop(),
  };
}
