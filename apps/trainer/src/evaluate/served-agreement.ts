// How often a served generator draws the student it is asked for, checked the way a user would: POST
// /v1/generate for an ID, then POST /v1/classify on each PNG it returns. A sample the pipeline refuses (422,
// e.g. read as a whole form) is a miss: the user gets no answer for it. Used by `sig eval generator` (every ID,
// the figure in docs/evaluation-gan.md) and by test/generator-committed.test.ts (a handful of IDs of the committed
// models).
import { ClassifyResponse, GenerateResponse } from '@sig/shared';

/** One ID's outcome: samples drawn, samples classified as that ID, and the reasons of the refused ones. */
export interface IdAgreement {
  id: string;
  samples: number;
  agreed: number;
  refused: string[];
}

async function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

/**
 * `perId` samples of `id` from the server at `baseUrl` (seeds seed, seed+1, … for 16 at a time), each classified.
 * `truncation` goes into the request (absent: the served default).
 */
export async function servedIdAgreement(baseUrl: string, id: string, perId: number, seed: number, truncation?: number | 'none'): Promise<IdAgreement> {
  const images: { png: string }[] = [];
  // /v1/generate draws at most 16 per request: consecutive seeds for more.
  for (let k = 0; images.length < perId; k++) {
    const res = await post(`${baseUrl}/v1/generate`, { id, count: Math.min(16, perId - images.length), seed: seed + k, truncation });
    if (!res.ok) throw new Error(`/v1/generate ${id}: ${res.status} ${await res.text()}`);
    images.push(...GenerateResponse.parse(await res.json()).images);
  }
  let agreed = 0;
  const refused: string[] = [];
  for (const img of images) {
    const res = await post(`${baseUrl}/v1/classify`, { image: img.png });
    if (res.status === 422) refused.push(String((await res.json()).reason));
    else if (!res.ok) throw new Error(`/v1/classify: ${res.status} ${await res.text()}`);
    else if (ClassifyResponse.parse(await res.json()).predictions[0]?.id === id) agreed++;
  }
  return { id, samples: images.length, agreed, refused };
}
