// Activation functions (the `activation` option of Conv/Dense layers) and the activation layers.
// Element-wise ones keep the value's layout; softmax needs its axis mapped.
import { UserError } from '@sig/shared';
import type { ConvertContext, LayerConverter, Value } from '../context.ts';

/** The serialised name of a layer's `activation` option ('linear' when none). */
export function activationName(config: Record<string, unknown>): string {
  const a = config.activation;
  if (a == null) return 'linear';
  if (typeof a === 'string') return a;
  return String((a as { className?: string }).className ?? 'linear');
}

/** Applies a TF.js activation by name to `v`; `where` names the layer for errors. */
export function applyActivation(ctx: ConvertContext, v: Value, name: string, where: string, prefix: string): Value {
  const g = ctx.graph;
  const unary = (op: string, attrs: Record<string, number> = {}, floats: string[] = []): Value => ({
    ...v,
    name: g.op(op, [v.name], attrs, `${prefix}_${op.toLowerCase()}`, floats),
  });
  switch (name) {
    case 'linear':
      return v;
    case 'relu':
      return unary('Relu');
    case 'relu6':
      return { ...v, name: g.op('Clip', [v.name, g.f32(`${prefix}_min`, [], [0]), g.f32(`${prefix}_max`, [], [6])], {}, `${prefix}_relu6`) };
    case 'sigmoid':
      return unary('Sigmoid');
    case 'tanh':
      return unary('Tanh');
    case 'elu':
      return unary('Elu', { alpha: 1 }, ['alpha']);
    case 'selu':
      return unary('Selu');
    case 'softplus':
      return unary('Softplus');
    case 'softsign':
      return unary('Softsign');
    case 'hardSigmoid':
    case 'hard_sigmoid':
      // TF.js: clip(0.2x + 0.5, 0, 1), the same as ONNX HardSigmoid's defaults spelled out.
      return unary('HardSigmoid', { alpha: 0.2, beta: 0.5 }, ['alpha', 'beta']);
    case 'swish': {
      const s = g.op('Sigmoid', [v.name], {}, `${prefix}_swish_sig`);
      return { ...v, name: g.op('Mul', [v.name, s], {}, `${prefix}_swish`) };
    }
    case 'mish': {
      const t = g.op('Tanh', [g.op('Softplus', [v.name], {}, `${prefix}_mish_sp`)], {}, `${prefix}_mish_tanh`);
      return { ...v, name: g.op('Mul', [v.name, t], {}, `${prefix}_mish`) };
    }
    case 'gelu': {
      // x · Φ(x) with the exact normal CDF, as TF.js computes it: 0.5 · (1 + erf(x / √2)).
      const e = g.op('Erf', [g.op('Div', [v.name, g.f32(`${prefix}_sqrt2`, [], [Math.SQRT2])], {}, `${prefix}_gelu_div`)], {}, `${prefix}_gelu_erf`);
      const cdf = g.op('Mul', [g.op('Add', [e, g.f32(`${prefix}_one`, [], [1])], {}, `${prefix}_gelu_add`), g.f32(`${prefix}_half`, [], [0.5])], {}, `${prefix}_gelu_cdf`);
      return { ...v, name: g.op('Mul', [v.name, cdf], {}, `${prefix}_gelu`) };
    }
    case 'gelu_new': {
      // The tanh approximation: 0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 x³))).
      const x3 = g.op('Mul', [g.op('Mul', [v.name, v.name], {}, `${prefix}_x2`), v.name], {}, `${prefix}_x3`);
      const inner = g.op('Add', [v.name, g.op('Mul', [x3, g.f32(`${prefix}_c`, [], [0.044715])], {}, `${prefix}_cx3`)], {}, `${prefix}_inner`);
      const t = g.op('Tanh', [g.op('Mul', [inner, g.f32(`${prefix}_k`, [], [Math.sqrt(2 / Math.PI)])], {}, `${prefix}_scaled`)], {}, `${prefix}_tanh`);
      const onePlus = g.op('Add', [t, g.f32(`${prefix}_one`, [], [1])], {}, `${prefix}_oneplus`);
      const half = g.op('Mul', [v.name, g.f32(`${prefix}_half`, [], [0.5])], {}, `${prefix}_halfx`);
      return { ...v, name: g.op('Mul', [half, onePlus], {}, `${prefix}_gelu_new`) };
    }
    case 'softmax':
      return softmax(ctx, v, -1, prefix);
    case 'logSoftmax': {
      const s = softmax(ctx, v, -1, prefix);
      return { ...s, name: g.op('Log', [s.name], {}, `${prefix}_log`) };
    }
    default:
      throw new UserError(`${where}: activation '${name}' is not supported by the ONNX exporter`);
  }
}

function softmax(ctx: ConvertContext, v: Value, tfAxis: number, prefix: string): Value {
  return { ...v, name: ctx.graph.op('Softmax', [v.name], { axis: ctx.axis(v, tfAxis) }, `${prefix}_softmax`) };
}

const where = (c: Parameters<LayerConverter>[1]): string => `layer ${c.layer.name} (${c.layer.getClassName()})`;

export const Activation: LayerConverter = (ctx, c) => [applyActivation(ctx, c.inputs[0], activationName(c.config), where(c), c.prefix)];

export const ReLU: LayerConverter = (ctx, c) => {
  const v = c.inputs[0];
  const max = c.config.maxValue as number | null | undefined;
  if (max == null) return [applyActivation(ctx, v, 'relu', where(c), c.prefix)];
  const g = ctx.graph;
  return [{ ...v, name: g.op('Clip', [v.name, g.f32(`${c.prefix}_min`, [], [0]), g.f32(`${c.prefix}_max`, [], [max])], {}, c.prefix) }];
};

export const LeakyReLU: LayerConverter = (ctx, c) => {
  const v = c.inputs[0];
  const alpha = (c.config.alpha as number | undefined) ?? 0.3;
  return [{ ...v, name: ctx.graph.op('LeakyRelu', [v.name], { alpha }, c.prefix, ['alpha']) }];
};

export const ELU: LayerConverter = (ctx, c) => {
  const v = c.inputs[0];
  const alpha = (c.config.alpha as number | undefined) ?? 1;
  return [{ ...v, name: ctx.graph.op('Elu', [v.name], { alpha }, c.prefix, ['alpha']) }];
};

export const Softmax: LayerConverter = (ctx, c) => {
  const axis = c.config.axis;
  const a = Array.isArray(axis) ? (axis.length === 1 ? (axis[0] as number) : NaN) : ((axis as number | undefined) ?? -1);
  if (Number.isNaN(a)) throw new UserError(`${where(c)}: softmax over several axes is not supported`);
  return [softmax(ctx, c.inputs[0], a, c.prefix)];
};
