// What the gallery needs from storage. The server and CLI implement it over SQL (PGlite or PostgreSQL),
// the page over IndexedDB; the use cases in ./gallery.ts are the same for all of them.
import type { ModelEntry } from '../schemas/manifest.ts';
import { PREPROCESS_REVISION } from '../preprocess/pipeline.ts';

/** Which model produced an embedding: vectors of different tags are never compared. */
export interface ModelTag {
  model: string;
  version: string;
  sha256: string;
  /** The manifest's preprocessing and the preprocessing code's revision, as canonical JSON. */
  preprocess: string;
}

/** The tag of embeddings made by `entry`. */
export function modelTag(entry: ModelEntry): ModelTag {
  const p = entry.preprocess;
  const keys = Object.keys(p).sort() as (keyof typeof p)[];
  const preprocess = JSON.stringify({ ...Object.fromEntries(keys.map((k) => [k, p[k]])), revision: PREPROCESS_REVISION });
  return { model: entry.name, version: entry.version, sha256: entry.sha256, preprocess };
}

/** One string that is equal exactly when two tags are. */
export function tagKey(t: ModelTag): string {
  return `${t.model}@${t.version}#${t.sha256}:${t.preprocess}`;
}

/** An enrolled student as listed. */
export interface StudentRecord {
  id: string;
  name: string | null;
  references: number;
  createdAt: string;
  updatedAt: string;
}

/** A reference image to store, with its embedding for the current model. */
export interface NewReference {
  /** The image as PNG, kept so that references can be embedded again when the model changes. */
  png: Uint8Array;
  vector: Float32Array;
}

/** A stored embedding. */
export interface StoredEmbedding {
  signatureId: string;
  studentId: string;
  vector: Float32Array;
}

/** A stored reference image without an embedding for some tag. */
export interface PendingReference {
  signatureId: string;
  studentId: string;
  png: Uint8Array;
}

/** Limits checked inside the write transaction (4xx when exceeded). */
export interface GalleryLimits {
  maxReferencesPerStudent: number;
  maxReferences: number;
}

/** One student in a gallery file: images and, per model tag, their embeddings. */
export interface ExportedStudent {
  id: string;
  name: string | null;
  signatures: { png: Uint8Array; embeddings: { tag: ModelTag; vector: Float32Array }[] }[];
}

export interface GalleryStore {
  /** True when other processes may write the same gallery (a PostgreSQL server): read changes before each search. */
  readonly shared: boolean;
  /**
   * Enrols or updates a student in one transaction: `replace` drops their references first. Limits are
   * checked inside it (a UserError, nothing written). Returns the student and the new signature IDs.
   */
  write(
    student: { id: string; name?: string | null },
    refs: readonly NewReference[],
    tag: ModelTag,
    opts: { replace: boolean; limits: GalleryLimits },
  ): Promise<{ student: StudentRecord; signatureIds: string[] }>;
  /** Deletes a student with every image and embedding; false when there was none. */
  remove(id: string): Promise<boolean>;
  get(id: string): Promise<StudentRecord | undefined>;
  list(page: { offset: number; limit: number }): Promise<{ total: number; students: StudentRecord[] }>;
  /** Every embedding of `tag`, with the change counter it reflects. */
  embeddings(tag: ModelTag): Promise<{ rev: number; refs: StoredEmbedding[] }>;
  /** Students written or deleted after `rev`, with their current embeddings of `tag` (shared stores). */
  changesSince(rev: number, tag: ModelTag): Promise<{ rev: number; students: string[]; refs: StoredEmbedding[] }>;
  /** References with no embedding of `tag` (embedded by another model, or none), up to `limit`. */
  pending(tag: ModelTag, limit: number): Promise<{ total: number; refs: PendingReference[] }>;
  /** Stores embeddings of `tag` and drops those of other tags for the same references. */
  setEmbeddings(tag: ModelTag, refs: readonly { signatureId: string; vector: Float32Array }[]): Promise<void>;
  /** Every student with images and embeddings (gallery file export). */
  exportAll(): AsyncIterable<ExportedStudent>;
  /** Writes a student from a gallery file (replacing one with that ID) in one transaction. */
  importStudent(s: ExportedStudent): Promise<void>;
  close(): Promise<void>;
}
