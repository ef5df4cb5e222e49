// The ONNX graphs behind the native convolution kernels (native-conv.ts): one small graph per convolution
// shape, in TF.js's NHWC/HWIO layouts at the edges and ONNX's NCHW/OIHW inside. Built with the exporter's
// OnnxGraph so there is one ONNX writer in the project.
import { OnnxGraph } from '../export/onnx/graph.ts';
import { serializeGraph } from '../export/onnx/serialize.ts';

type Shape4 = [number, number, number, number];

/** Zero padding added before/after each spatial axis (TF.js padInfo). */
export interface Pads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

export const NHWC_TO_NCHW = [0, 3, 1, 2];
const NCHW_TO_NHWC = [0, 2, 3, 1];
const HWIO_TO_OIHW = [3, 2, 0, 1];

/** A graph with the given float32 inputs and one output, their names reserved exactly. */
export function start(name: string, inputs: [string, number[]][], output: [string, number[]]): OnnxGraph {
  const g = new OnnxGraph(name, 17);
  for (const [n, shape] of inputs) {
    g.reserve(n);
    g.inputs.push({ name: n, type: 'float32', shape });
  }
  g.reserve(output[0]);
  g.outputs.push({ name: output[0], type: 'float32', shape: output[1] });
  return g;
}

/** A convolution graph's inputs: the activation, filter `w` (HWIO) and, when asked, bias `b` [O]. */
export function convInputs(a: [string, Shape4], w: Shape4, bias = false): [string, number[]][] {
  return bias ? [a, ['w', w], ['b', [w[3]]]] : [a, ['w', w]];
}

/** TF.js pads in ONNX's order: [top, left, bottom, right]. */
export function onnxPads(p: Pads): number[] {
  return [p.top, p.left, p.bottom, p.right];
}

/**
 * `op` (Conv or ConvTranspose) of input `a` (NHWC) with filter `w` (HWIO), both transposed to ONNX's NCHW / OIHW
 * inside the graph, and its NCHW result transposed back to NHWC as `out`.
 */
function nchwConvGraph(
  name: string,
  op: 'Conv' | 'ConvTranspose',
  a: [string, Shape4],
  w: Shape4,
  out: [string, Shape4],
  attrs: Record<string, number[]>,
  epilogue: { bias?: boolean; relu?: boolean } = {},
): Uint8Array {
  const g = start(name, convInputs(a, w, epilogue.bias), out);
  const ac = g.op('Transpose', [a[0]], { perm: NHWC_TO_NCHW });
  const wc = g.op('Transpose', ['w'], { perm: HWIO_TO_OIHW });
  let yc = g.op(op, epilogue.bias ? [ac, wc, 'b'] : [ac, wc], { kernel_shape: [w[0], w[1]], ...attrs });
  // onnxruntime fuses a Conv followed by Relu into one kernel.
  if (epilogue.relu) yc = g.op('Relu', [yc]);
  g.addNode('Transpose', [yc], [out[0]], { perm: NCHW_TO_NHWC }, { exactOutputs: true });
  return serializeGraph(g);
}

/** y[N,OH,OW,O] = conv2d(x[N,H,W,C], w[kh,kw,C,O]), plus input b[O] and a ReLU when asked. */
export function forwardGraph(
  x: Shape4,
  w: Shape4,
  y: Shape4,
  strides: [number, number],
  dilations: [number, number],
  pads: Pads,
  epilogue: { bias?: boolean; relu?: boolean } = {},
): Uint8Array {
  return nchwConvGraph('conv2d', 'Conv', ['x', x], w, ['y', y], { strides, dilations, pads: onnxPads(pads) }, epilogue);
}

/**
 * dx[N,H,W,C] for y = conv2d(x, w): ConvTranspose of dy with the same filter (OIHW is ConvTranspose's
 * [C_in, C_out, kh, kw] with C_in = O). `outputPadding` restores rows/columns the forward pass's floor dropped.
 */
export function inputGradGraph(
  dy: Shape4,
  w: Shape4,
  dx: Shape4,
  strides: [number, number],
  pads: Pads,
  outputPadding: [number, number],
): Uint8Array {
  return nchwConvGraph('conv2d_input_grad', 'ConvTranspose', ['dy', dy], w, ['dx', dx], {
    strides,
    pads: onnxPads(pads),
    output_padding: outputPadding,
  });
}

/**
 * dw[kh,kw,C,O] for y = conv2d(x, w): one Conv with the batch as the channel axis — x as [C,N,H,W] convolved
 * with dy as the filter [O,N,OH,OW], dilated by the forward stride, gives [C,O,kh',kw'] (kh' ≥ kh when the
 * forward output size was floored; the extra taps are sliced off).
 */
export function filterGradGraph(
  x: Shape4,
  dy: Shape4,
  dw: Shape4,
  strides: [number, number],
  pads: Pads,
  reach: [number, number],
): Uint8Array {
  const g = start('conv2d_filter_grad', [['x', x], ['dy', dy]], ['dw', dw]);
  const xc = g.op('Transpose', ['x'], { perm: [3, 0, 1, 2] });
  const dyc = g.op('Transpose', ['dy'], { perm: [3, 0, 1, 2] });
  let r = g.op('Conv', [xc, dyc], { kernel_shape: [dy[1], dy[2]], dilations: strides, pads: onnxPads(pads) });
  if (reach[0] !== dw[0] || reach[1] !== dw[1]) {
    r = g.op('Slice', [r, g.i64('starts', [0, 0]), g.i64('ends', [dw[0], dw[1]]), g.i64('axes', [2, 3])]);
  }
  g.addNode('Transpose', [r], ['dw'], { perm: [2, 3, 0, 1] }, { exactOutputs: true });
  return serializeGraph(g);
}

/**
 * dw[kh,kw,C,O] for a stride-1 conv2d, as kh·kw GEMMs over "slabs" (about 2× faster than filterGradGraph for
 * layers with ≥ 8 input channels, which is memory-bound re-reading dy once per input channel).
 * With x zero-padded to [N,Hp,Wp,C] and flattened per image to [N,Hp·Wp,C], the pixels tap (i,j) multiplies
 * with dy[n,y,x] for all y, x sit at the contiguous run starting at i·Wp + j, if dy is widened with zero
 * columns to Wp: dw[i,j] = slab(i,j)ᵀ · dy, one Gemm with K = N·OH·Wp. No transposes, no im2col.
 */
export function filterGradSlabGraph(x: Shape4, dy: Shape4, dw: Shape4, pads: Pads): Uint8Array {
  const [n, h, w, c] = x;
  const [kh, kw, , o] = dw;
  const hp = h + pads.top + pads.bottom;
  const wp = w + pads.left + pads.right;
  const [, oh, ow] = dy;
  if (oh !== hp - kh + 1 || ow !== wp - kw + 1) throw new Error(`filterGradSlabGraph: dy ${dy} does not match x ${x}, filter ${dw}`);
  const g = start('conv2d_filter_grad_slab', [['x', x], ['dy', dy]], ['dw', dw]);
  const xp = g.op('Pad', ['x', g.i64('pads', [0, pads.top, pads.left, 0, 0, pads.bottom, pads.right, 0])]);
  const flat = g.op('Reshape', [xp, g.i64('flat_shape', [n, hp * wp, c])]);
  // kw − 1 zero pixels after each image: the last slab's widened columns reach past the padded image.
  const xf = g.op('Pad', [flat, g.i64('tail', [0, 0, 0, 0, kw - 1, 0])]);
  const dyw = g.op('Pad', ['dy', g.i64('widen', [0, 0, 0, 0, 0, 0, wp - ow, 0])]);
  const dyf = g.op('Reshape', [dyw, g.i64('dy_shape', [n * oh * wp, o])]);
  const taps: string[] = [];
  for (let i = 0; i < kh; i++) {
    for (let j = 0; j < kw; j++) {
      const start = i * wp + j;
      const slab = g.op('Slice', [xf, g.i64('start', [start]), g.i64('end', [start + oh * wp]), g.i64('axis', [1])]);
      const a = g.op('Reshape', [slab, g.i64('slab_shape', [n * oh * wp, c])]);
      taps.push(g.op('Gemm', [a, dyf], { transA: 1 }));
    }
  }
  const all = taps.length === 1 ? taps[0] : g.op('Concat', taps, { axis: 0 });
  g.addNode('Reshape', [all, g.i64('dw_shape', [kh, kw, c, o])], ['dw'], {}, { exactOutputs: true });
  return serializeGraph(g);
}
