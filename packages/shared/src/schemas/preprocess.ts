import { z } from 'zod';

/**
 * How a photographed or scanned signature becomes a model input. Stored in the model manifest so the
 * trainer, the server and the browser apply exactly the same steps.
 */
export const PreprocessConfig = z.object({
  /** Model input height in pixels. */
  height: z.number().int().positive(),
  /** Model input width in pixels. */
  width: z.number().int().positive(),
  /**
   * Output value range. Paper maps to the low end and ink to the high end:
   * 'zero-one' → paper 0, ink 1; 'minus-one-one' → paper -1, ink 1 (tanh generators).
   */
  range: z.enum(['zero-one', 'minus-one-one']).default('zero-one'),
  /** Hard Otsu binarisation (true) or keep the ink's grey levels after background removal (false). */
  binarize: z.boolean().default(false),
  /** Remove long horizontal/vertical ruled or grid lines before cropping. */
  removeLines: z.boolean().default(true),
  /** Margin around the ink's bounding box, as a fraction of the box's larger side. */
  margin: z.number().min(0).max(1).default(0.05),
});
export type PreprocessConfig = z.infer<typeof PreprocessConfig>;
