// Convolution graphs on onnxruntime's NCHWc kernels (the `com.microsoft.nchwc` operators its optimizer uses
// for inference models with constant weights): MLAS's direct convolutions on channel blocks of 8 (AVX2) or 16
// (AVX-512), with bias and ReLU applied in the same pass. The operators are public contrib kernels, so a graph
// may use them with weights that change every step, as training's do: the filter is reordered into the
// blocked layout inside the graph (a small Reshape/Transpose), activations enter with `ReorderInput
// channels_last` and leave with `ReorderOutput channels_last`, straight from and to TF.js's NHWC.
// Measured 1.7–2.2× faster than Transpose → Conv → Transpose for the forward pass and ~2× faster than
// ConvTranspose for the input gradient on this machine (native-conv.ts picks these graphs when they apply).
import type { OnnxGraph } from '../export/onnx/graph.ts';
import { serializeGraph } from '../export/onnx/serialize.ts';
import { NHWC_TO_NCHW, convInputs, onnxPads, start, type Pads } from './native-conv-graphs.ts';

type Shape4 = [number, number, number, number];

/** onnxruntime's operator domain for the NCHWc kernels. */
export const NCHWC_DOMAIN = 'com.microsoft.nchwc';

const roundUp = (n: number, block: number): number => Math.ceil(n / block) * block;

/** Whether an NCHWc convolution can read `channels` input channels: whole blocks, or fewer than one block (plain NCHW). */
export function nchwcAcceptsChannels(channels: number, block: number): boolean {
  return block > 1 && (channels % block === 0 || channels < block);
}

/** The NHWC activation `name` as an NCHWc convolution's input (blocked, or NCHW when narrower than a block). */
function convInput(g: OnnxGraph, name: string, shape: Shape4, block: number): string {
  const [n, h, w, c] = shape;
  if (c % block === 0) return g.addNode('ReorderInput', [name], 1, { channels_last: 1 }, { domain: NCHWC_DOMAIN })[0];
  if (c === 1) return g.op('Reshape', [name, g.i64('nchw', [n, 1, h, w])]);
  return g.op('Transpose', [name], { perm: NHWC_TO_NCHW });
}

/**
 * The HWIO filter `name` [kh,kw,ci,co] in MLAS's NCHWc filter layout, output channels padded with zero filters to
 * whole blocks: OIHWBiBo ([co/B][ci/B][kh][kw][B_in][B_out]) for blocked input, OIHWBo for input narrower than a block.
 */
function convFilter(g: OnnxGraph, name: string, shape: Shape4, block: number): string {
  const [kh, kw, ci, co] = shape;
  const coPadded = roundUp(co, block);
  let w = name;
  if (coPadded !== co) w = g.op('Pad', [w, g.i64('pad_out', [0, 0, 0, 0, 0, 0, 0, coPadded - co])]);
  if (ci % block === 0) {
    w = g.op('Reshape', [w, g.i64('blocks', [kh, kw, ci / block, block, coPadded / block, block])]);
    w = g.op('Transpose', [w], { perm: [4, 2, 0, 1, 3, 5] });
  } else {
    w = g.op('Reshape', [w, g.i64('blocks', [kh, kw, ci, coPadded / block, block])]);
    w = g.op('Transpose', [w], { perm: [3, 2, 0, 1, 4] });
  }
  return g.op('Reshape', [w, g.i64('oihw', [coPadded, ci, kh, kw])]);
}

interface ConvOptions {
  strides: [number, number];
  dilations: [number, number];
  pads: Pads;
  /** Adds input `b` [co] to the output. */
  bias?: boolean;
  relu?: boolean;
}

/** input (NHWC) ⊛ filter (HWIO, already a graph value) → `out` (NHWC), through the NCHWc kernels. */
function nchwcConv(g: OnnxGraph, input: [string, Shape4], filter: [string, Shape4], out: string, opts: ConvOptions, block: number): Uint8Array {
  const co = filter[1][3];
  const inputs = [convInput(g, input[0], input[1], block), convFilter(g, filter[0], filter[1], block)];
  if (opts.bias) {
    const padded = roundUp(co, block);
    inputs.push(padded === co ? 'b' : g.op('Pad', ['b', g.i64('pad_bias', [0, padded - co])]));
  }
  const attrs: Record<string, number[] | number | string> = {
    kernel_shape: [filter[1][0], filter[1][1]],
    strides: opts.strides,
    dilations: opts.dilations,
    pads: onnxPads(opts.pads),
    group: 1,
  };
  if (opts.relu) attrs.activation = 'Relu';
  const y = g.addNode('Conv', inputs, 1, attrs, { domain: NCHWC_DOMAIN })[0];
  g.addNode('ReorderOutput', [y], [out], { channels: co, channels_last: 1 }, { domain: NCHWC_DOMAIN, exactOutputs: true });
  return serializeGraph(g);
}

/** y[N,OH,OW,O] = act(conv2d(x[N,H,W,C], w[kh,kw,C,O]) + b) with the NCHWc kernels; inputs x, w (and b). */
export function nchwcForwardGraph(x: Shape4, w: Shape4, y: Shape4, opts: ConvOptions, block: number): Uint8Array {
  const g = start('conv2d_nchwc', convInputs(['x', x], w, opts.bias), ['y', y]);
  return nchwcConv(g, ['x', x], ['w', w], 'y', opts, block);
}

/**
 * dx[N,H,W,C] for a stride-1 y = conv2d(x, w): the convolution of dy with the filter flipped in space and with
 * its channel axes swapped, padded by kernel − 1 − the forward padding (which 'same' and 'valid' keep ≥ 0).
 */
export function nchwcInputGradGraph(dy: Shape4, w: Shape4, dx: Shape4, pads: Pads, block: number): Uint8Array {
  const [kh, kw, c, o] = w;
  const g = start('conv2d_input_grad_nchwc', [['dy', dy], ['w', w]], ['dx', dx]);
  const flipped = g.op('Slice', ['w', g.i64('starts', [-1, -1]), g.i64('ends', [-kh - 1, -kw - 1]), g.i64('axes', [0, 1]), g.i64('steps', [-1, -1])]);
  const swapped = g.op('Transpose', [flipped], { perm: [0, 1, 3, 2] });
  const gradPads = { top: kh - 1 - pads.top, bottom: kh - 1 - pads.bottom, left: kw - 1 - pads.left, right: kw - 1 - pads.right };
  return nchwcConv(g, ['dy', dy], [swapped, [kh, kw, o, c]], 'dx', { strides: [1, 1], dilations: [1, 1], pads: gradPads }, block);
}

/** A graph that reorders [1,1,1,4] NHWC into NCHWc: its output's channel count is the machine's block size. */
export function nchwcProbeGraph(): Uint8Array {
  const g = start('nchwc_probe', [['x', [1, 1, 1, 4]]], ['y', [1, 4, 1, 1]]);
  g.outputs[0].shape = [1, 'block', 1, 1];
  g.addNode('ReorderInput', ['x'], ['y'], { channels_last: 1 }, { domain: NCHWC_DOMAIN, exactOutputs: true });
  return serializeGraph(g);
}
