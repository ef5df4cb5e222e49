// 2-D affine maps shared by the synthesiser (moving pen control points) and augmentation (resampling images),
// so both draw the same kind of geometric variation from the same code.
import type { Rng } from '@sig/shared';

/** [a, b, c, d, e, f]: x' = a·x + b·y + c, y' = d·x + e·y + f. */
export type Affine = readonly [number, number, number, number, number, number];

export const IDENTITY: Affine = [1, 0, 0, 0, 1, 0];

/** `then ∘ first`: apply `first`, then `then`. */
export function compose(then: Affine, first: Affine): Affine {
  const [a, b, c, d, e, f] = then;
  const [A, B, C, D, E, F] = first;
  return [a * A + b * D, a * B + b * E, a * C + b * F + c, d * A + e * D, d * B + e * E, d * C + e * F + f];
}

/** The inverse map (throws on a singular matrix, which our bounded parameters never produce). */
export function invert(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('singular affine map');
  const ia = e / det, ib = -b / det, id = -d / det, ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** Applies `m` to (x, y), writing into `out` (no allocation in hot loops). */
export function applyAffine(m: Affine, x: number, y: number, out: { x: number; y: number }): void {
  out.x = m[0] * x + m[1] * y + m[2];
  out.y = m[3] * x + m[4] * y + m[5];
}

export const translate = (tx: number, ty: number): Affine => [1, 0, tx, 0, 1, ty];
export const scale = (sx: number, sy = sx): Affine => [sx, 0, 0, 0, sy, 0];
/** Rotation by `rad` (counter-clockwise in a y-up frame, clockwise on screen where y points down). */
export const rotate = (rad: number): Affine => [Math.cos(rad), -Math.sin(rad), 0, Math.sin(rad), Math.cos(rad), 0];
/** Horizontal shear: x' = x + k·y (italic slant). */
export const shearX = (k: number): Affine => [1, k, 0, 0, 1, 0];

/** `m` applied about the point (cx, cy) instead of the origin. */
export function about(m: Affine, cx: number, cy: number): Affine {
  return compose(translate(cx, cy), compose(m, translate(-cx, -cy)));
}

/** Bounds of a random small affine: rotation in radians, scale and aspect as relative changes, shear as x-per-y. */
export interface AffineJitter {
  rotate: number;
  scale: number;
  aspect: number;
  shear: number;
}

/** A random identity-keeping affine about (cx, cy): each parameter drawn uniformly within its bound. */
export function randomAffine(rng: Rng, j: AffineJitter, cx: number, cy: number): Affine {
  const s = 1 + rng.uniform(-j.scale, j.scale);
  const a = 1 + rng.uniform(-j.aspect, j.aspect);
  const m = compose(rotate(rng.uniform(-j.rotate, j.rotate)), compose(shearX(rng.uniform(-j.shear, j.shear)), scale(s * a, s / a)));
  return about(m, cx, cy);
}
