// The pairwise verifier (schemas/verifier.ts), built from a typed config: one trunk applied to a reference and
// a query image (shared layers: the same weights see both), then a head on [|a − b|, a · b] → one logit. The
// trunk alone (`verifierTrunk`) gives each image's features once, so scoring many pairs runs the head only
// (evaluate/verifier-scores.ts).
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng, VERIFIER_LAYERS, VerifierConfig, type VerifierConfigInput } from '@sig/shared';
import { scaled } from './conv-blocks.ts';
import { AbsDifference } from './verifier-layers.ts';

/** Filters of the stem and of each block before the width multiplier. */
const STEM_FILTERS = 64;
const BLOCK_FILTERS = [128, 256, 512, 512] as const;

/** The layers of one verifier, created once and applied to both images. */
function verifierLayers(cfg: VerifierConfig, seed: number) {
  const rng = new Rng(seed);
  const he = () => tfl.initializers.heNormal({ seed: rng.int(2 ** 31) });
  const glorot = () => tfl.initializers.glorotUniform({ seed: rng.int(2 ** 31) });
  const bn = (name: string) => tfl.layers.batchNormalization({ momentum: 0.9, name });
  const trunk: tfl.layers.Layer[] = [
    tfl.layers.conv2d({ filters: scaled(STEM_FILTERS, cfg.widthMultiplier), kernelSize: 5, strides: 2, padding: 'same', kernelInitializer: he(), name: 'stem_conv' }),
    bn('stem_bn'),
    tfl.layers.reLU({ name: 'stem_relu' }),
  ];
  BLOCK_FILTERS.forEach((f, i) => {
    const b = i + 1;
    trunk.push(
      tfl.layers.conv2d({ filters: scaled(f, cfg.widthMultiplier), kernelSize: 3, padding: 'same', kernelInitializer: he(), name: `block${b}_conv` }),
      bn(`block${b}_bn`),
      tfl.layers.reLU({ name: `block${b}_relu` }),
      tfl.layers.maxPooling2d({ poolSize: 2, strides: 2, name: `block${b}_pool` }),
    );
  });
  trunk.push(tfl.layers.globalAveragePooling2d({ name: 'gap' }), tfl.layers.dense({ units: cfg.featureDim, kernelInitializer: glorot(), name: VERIFIER_LAYERS.features }));
  const head = {
    diff: new AbsDifference({ name: 'pair_absdiff' }),
    prod: tfl.layers.multiply({ name: 'pair_product' }),
    concat: tfl.layers.concatenate({ axis: -1, name: 'pair' }),
    hidden: tfl.layers.dense({ units: cfg.hidden, activation: 'relu', kernelInitializer: glorot(), name: 'head_hidden' }),
    out: tfl.layers.dense({ units: 1, kernelInitializer: glorot(), name: VERIFIER_LAYERS.score }),
  };
  return { trunk, head };
}

type Head = ReturnType<typeof verifierLayers>['head'];

function applyHead(head: Head, a: tfl.SymbolicTensor, b: tfl.SymbolicTensor): tfl.SymbolicTensor {
  const pair = head.concat.apply([head.diff.apply([a, b]), head.prod.apply([a, b])] as tfl.SymbolicTensor[]);
  return head.out.apply(head.hidden.apply(pair)) as tfl.SymbolicTensor;
}

/** [reference, query] images [H, W, 1] each → the same-writer logit [batch, 1]. */
export function buildVerifier(cfgInput: VerifierConfigInput, seed = 1): tfl.LayersModel {
  const cfg = VerifierConfig.parse(cfgInput);
  const { trunk, head } = verifierLayers(cfg, seed);
  const features = (x: tfl.SymbolicTensor) => trunk.reduce((t, l) => l.apply(t) as tfl.SymbolicTensor, x);
  const shape = [cfg.inputHeight, cfg.inputWidth, 1];
  const reference = tfl.input({ shape, name: VERIFIER_LAYERS.reference });
  const query = tfl.input({ shape, name: VERIFIER_LAYERS.query });
  return tfl.model({ inputs: [reference, query], outputs: applyHead(head, features(reference), features(query)), name: 'verifier' });
}

/** The image → features model sharing `verifier`'s trunk weights (first application of the shared layers). */
export function verifierTrunk(verifier: tfl.LayersModel): tfl.LayersModel {
  const out = verifier.getLayer(VERIFIER_LAYERS.features).getOutputAt(0) as tfl.SymbolicTensor;
  return tfl.model({ inputs: verifier.inputs[0], outputs: out, name: 'verifier_trunk' });
}
