// A bare `sig train cgan` / `sig train realfake` trains the recipe of the committed generator and detector, and
// scripts/train-default.sh (which reproduces models/) relies on exactly those defaults; the earlier designs stay
// one flag away.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CganConfig, CganTrainConfig, Manifest, RealFakeConfig, RealFakeTrainConfig } from '@sig/shared';
import { register as registerTrainCgan } from '../apps/trainer/src/commands/train-cgan.ts';
import { register as registerTrainRealFake } from '../apps/trainer/src/commands/train-realfake.ts';
import { settingsFromCommand } from '../apps/trainer/src/cli-settings.ts';
import { decodeModel } from '../apps/trainer/src/export/onnx/serialize.ts';
import { subcommand } from './helpers/sig-cli.ts';

const root = join(import.meta.dirname, '..');
const manifest = Manifest.parse(JSON.parse(readFileSync(join(root, 'models', 'manifest.json'), 'utf8')));
const entry = (name: string) => manifest.models.find((m) => m.name === name)!;

describe('sig train cgan defaults', () => {
  const cgan = (argv: string[]) => {
    const cmd = subcommand(registerTrainCgan, ['train', 'cgan'], argv);
    return { model: settingsFromCommand(CganConfig.omit({ numClasses: true }), cmd, {}), train: settingsFromCommand(CganTrainConfig, cmd, {}) };
  };

  it('no flags: the committed generator recipe (auxiliary classifier head, moving average, its steps, batch and seed)', () => {
    const { model, train } = cgan([]);
    const generator = entry('generator');
    expect(model).toMatchObject({ auxWeight: 1, emaDecay: 0.99, discCondition: 'plane', loss: 'bce', upsample: 'resize', genFilters: 64, discFilters: 32 });
    expect(train.steps).toBe(generator.metrics?.steps);
    expect(train.seed).toBe(generator.training?.seed);
    expect(train.batch).toBe(16);
  });

  it('--aux-weight 0 --ema 0 --steps 600 is the reference design as first measured', () => {
    const { model, train } = cgan(['--aux-weight', '0', '--ema', '0', '--steps', '600']);
    expect(model).toMatchObject({ auxWeight: 0, emaDecay: 0 });
    expect(train.steps).toBe(600);
  });
});

describe('sig train realfake defaults', () => {
  const realfake = (argv: string[]) => {
    const cmd = subcommand(registerTrainRealFake, ['train', 'realfake'], argv);
    return { model: settingsFromCommand(RealFakeConfig, cmd, {}), train: settingsFromCommand(RealFakeTrainConfig, cmd, {}) };
  };

  it('no flags: the committed detector recipe', () => {
    const { model, train } = realfake([]);
    const detector = entry('realfake');
    expect(model).toMatchObject({ filters: 32, bnMomentum: 0.9, stemStride: 1 });
    expect(train).toMatchObject({ fakes: 2, augment: true, capture: 2 });
    expect(train.epochs).toBe(detector.training?.epochs);
    expect(train.seed).toBe(detector.training?.seed);
    // the manifest records the capture copies in its description
    expect(detector.training?.description).toMatch(/each also as 2 photographed\/scanned copies/);
    // and the committed network has the default stem: its first convolution's strides
    const onnx = decodeModel(new Uint8Array(readFileSync(join(root, 'models', detector.file))));
    const firstConv = onnx.graph!.node!.find((n) => n.opType === 'Conv')!;
    const strides = firstConv.attribute!.find((a) => a.name === 'strides')!.ints!.map(Number);
    expect(strides).toEqual([model.stemStride, model.stemStride]);
  });

  it('--stem-stride 2 is the one other stem (every detector up to 1.4.0); other strides are refused', () => {
    expect(realfake(['--stem-stride', '2']).model.stemStride).toBe(2);
    expect(() => realfake(['--stem-stride', '3'])).toThrow(/stem-stride/);
  });

  it('the first, small detector is still one set of flags away', () => {
    const { model, train } = realfake(['--filters', '16', '--stem-stride', '2', '--bn-momentum', '0.99', '--epochs', '8', '--fakes', '1', '--no-augment', '--capture', '0']);
    expect(model).toMatchObject({ filters: 16, stemStride: 2, bnMomentum: 0.99 });
    expect(train).toMatchObject({ epochs: 8, fakes: 1, augment: false, capture: 0 });
  });
});

describe('scripts/train-default.sh', () => {
  const script = readFileSync(join(root, 'scripts', 'train-default.sh'), 'utf8');
  const line = (cmd: string) => script.split('\n').find((l) => l.startsWith(`sig train ${cmd} `))!;

  it('trains the generator and the detector with the defaults: no recipe flags beside data, output and seed', () => {
    const recipeFlags = (l: string) => [...l.matchAll(/--([a-z-]+)/g)].map((m) => m[1]).filter((f) => !['data', 'real', 'generator', 'out', 'seed'].includes(f));
    expect(recipeFlags(line('cgan'))).toEqual([]);
    expect(recipeFlags(line('realfake'))).toEqual([]);
    expect(line('cgan')).toMatch(/--seed 1\b/);
  });

  it('exports every committed model with the version the manifest records, the generator with its served truncation', () => {
    const exports = script.split('\n').filter((l) => l.startsWith('sig export '));
    const exported = (run: string) => exports.find((l) => l.includes(`"$work/${run}"`))!;
    for (const [run, name] of [['classifier', 'classifier'], ['cgan', 'generator'], ['realfake', 'realfake'], ['embedding', 'embedding']]) {
      expect(exported(run), name).toMatch(new RegExp(`--version ${entry(name).version.replace(/\./g, '\\.')}(\\s|$)`));
    }
    const generator = entry('generator');
    expect(generator.kind === 'generator' && generator.truncation).toBe(1.25);
    expect(exported('cgan')).toMatch(/--truncation 1\.25(\s|$)/);
  });
});
