// What a model is, for the people reading its answers: the demo flag and the training data from its manifest
// entry. The server puts it in every /v1 response and the browser page shows it beside the results.
import type { AnsweredBy } from '../schemas/api.ts';
import type { ModelEntry } from '../schemas/manifest.ts';

/** The model's name, kind, demo flag and a one-line description of its training data. */
export function answeredBy(entry: ModelEntry): AnsweredBy {
  const t = entry.training;
  // Entries exported before the description existed still say what their run recorded.
  const trainedOn = t.description ?? `dataset '${t.dataset.split(/[\\/]/).filter(Boolean).pop() ?? t.dataset}': ${t.classes} classes, ${t.samples} images`;
  return { model: entry.name, kind: entry.kind, demo: entry.demo ?? false, trainedOn };
}
