"""Prototype (PyTorch, not part of the product): a class-conditional generator whose latent space is anchored on the
training signatures themselves (GLO, Bojanowski et al. 2018, "Optimizing the Latent Space of Generative Networks",
with an adversarial term), and whose samples are drawn *between* a student's own signatures.

Every class-conditional run of docs/evaluation-gan.md draws each student as one learned shape, farther from the
student's training signatures than a held-out signature is; TSTR there is limited by how faithfully each student's
shape is drawn. Here every training image i owns a learned code c_i (dimension 100, kept on the sphere of radius
sqrt(100)), and G(c_i, label_i) must reconstruct image i (L1 on the image and on 2x / 4x average-pooled views). A
sample of student k mixes k's codes (--mix of them at random, all three of a student's) with Dirichlet(alpha) weights, adds sigma x Gaussian noise and goes back to the
sphere: the adversarial term (a projection discriminator, non-saturating loss, R1 on real images) asks those
in-between codes to draw plausible signatures of k, so the variation is learnt between the student's own
signatures rather than around one shape.

G is the trainer's generator (model/cgan.ts, defaults): [code (100), one-hot label] -> Dense 16 x 16 x 64 -> BatchNorm
-> ReLU -> 2 x (nearest up-sampling, Conv 3 x 3, BatchNorm, ReLU; 32, 16 filters) -> Conv 3 x 3 -> tanh. So a served
form would be that network plus a first layer mapping (z, label) to the mixed code (the label's codes are a Dense
layer of the one-hot label; the Dirichlet(1) weights Gamma(1) draws -log Phi(z) from part of z, Phi by Erf), all of it in ONNX operators.

Input: images written by dump-cgan-images.ts (the CGAN's preprocessing, 64 x 64, and a CGAN run's held-out list).
Output: <out>/<label>/sNNN.png, --per-label then --tstr-per-label samples per label, the folder `sig eval cgan
--samples <out>` measures. Runs with Debian's PyTorch: /usr/bin/python3.
"""
import argparse, json, os, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from gray_png import png

p = argparse.ArgumentParser()
p.add_argument('--images', required=True, help='prefix written by dump-cgan-images.ts with a CGAN run (its held-out images are never used)')
p.add_argument('--out', required=True); p.add_argument('--steps', type=int, default=5000); p.add_argument('--seed', type=int, default=1)
p.add_argument('--threads', type=int, default=1); p.add_argument('--batch', type=int, default=16)
p.add_argument('--rec', type=float, default=10, help='weight of the reconstruction term')
p.add_argument('--alpha', type=float, default=1.0, help='Dirichlet concentration of the mixing weights (small: near one signature)')
p.add_argument('--mix', type=int, default=3, help='how many of a label\'s training codes one sample mixes (drawn at random; all of them when it has fewer)')
p.add_argument('--sigma', type=float, default=0.3, help='per-dimension Gaussian noise added to a mixed code (norm about 10 x sigma; the code sphere has radius 10)')
p.add_argument('--r1', type=float, default=1.0, help='R1 penalty weight on real images (Mescheder et al. 2018)')
p.add_argument('--ema', type=float, default=0.999, help='decay of the average of G\'s weights that draws the samples')
p.add_argument('--resume', action='store_true', help='continue from <out>/state.pt to --steps')
p.add_argument('--per-label', type=int, default=20); p.add_argument('--tstr-per-label', type=int, default=50)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed)

meta = json.load(open(a.images + '.json'))
X = np.fromfile(a.images + '.f32', np.float32).reshape(meta['n'], 1, 64, 64)
train = [i for i, h in enumerate(meta['held']) if not h]
Xt = torch.from_numpy(X[train]); Yt = torch.tensor([meta['y'][i] for i in train])
K = len(meta['labels']); N = len(train); ZD = 100; R = ZD ** 0.5
rows_of = [np.flatnonzero(Yt.numpy() == k) for k in range(K)]
print(f'{N} training images of {K} labels ({sum(meta["held"])} held out, never used)', flush=True)

def sphere(c): return F.normalize(c, dim=1) * R

class G(nn.Module):
  def __init__(s, f=64):
    super().__init__()
    s.dense = nn.Linear(ZD + K, 16 * 16 * f, bias=False); s.f = f
    s.bn0 = nn.BatchNorm2d(f, momentum=0.1)
    s.c1 = nn.Conv2d(f, 32, 3, 1, 1, bias=False); s.bn1 = nn.BatchNorm2d(32, momentum=0.1)
    s.c2 = nn.Conv2d(32, 16, 3, 1, 1, bias=False); s.bn2 = nn.BatchNorm2d(16, momentum=0.1)
    s.out = nn.Conv2d(16, 1, 3, 1, 1)
  def forward(s, code, y):
    h = s.dense(torch.cat([code, F.one_hot(y, K).float()], 1)).view(-1, s.f, 16, 16)
    h = F.relu(s.bn0(h))
    h = F.relu(s.bn1(s.c1(F.interpolate(h, scale_factor=2, mode='nearest'))))
    h = F.relu(s.bn2(s.c2(F.interpolate(h, scale_factor=2, mode='nearest'))))
    return torch.tanh(s.out(h))

class D(nn.Module):  # projection discriminator (Miyato & Koyama 2018)
  def __init__(s, f=32):
    super().__init__()
    s.net = nn.Sequential(nn.Conv2d(1, f, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(f, 2 * f, 4, 2, 1), nn.LeakyReLU(0.2),
                          nn.Conv2d(2 * f, 4 * f, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(4 * f, 8 * f, 4, 2, 1), nn.LeakyReLU(0.2))
    s.psi = nn.Linear(8 * f * 16, 1); s.embed = nn.Embedding(K, 8 * f * 16)
    nn.init.normal_(s.embed.weight, std=0.01)
  def forward(s, x, y):
    h = s.net(x).flatten(1)
    return s.psi(h).squeeze(1) + (s.embed(y) * h).sum(1)

def mixed_codes(codes, labels, gen):
  """For each label: Dirichlet(alpha) weights over --mix of its training images' codes, plus sigma x noise, back on the sphere."""
  out = []
  for k in labels.tolist():
    rows = rows_of[k] if len(rows_of[k]) <= a.mix else gen.choice(rows_of[k], a.mix, replace=False)
    w = torch.from_numpy(gen.dirichlet([a.alpha] * len(rows))).float()
    out.append((w[:, None] * codes[rows]).sum(0))
  mix = torch.stack(out)
  return sphere(mix + a.sigma * torch.from_numpy(gen.standard_normal(mix.shape)).float())

def multiscale_l1(x, y):
  return sum(F.l1_loss(F.avg_pool2d(x, s) if s > 1 else x, F.avg_pool2d(y, s) if s > 1 else y) for s in (1, 2, 4))


def grid(step, labels=(0, 1, 2, 3, 4, 5, 6, 7), n=8):
  """Rows: a student's 3 training signatures, their reconstructions, then n samples of the average of G."""
  ema.eval(); gen = np.random.default_rng(0)
  with torch.no_grad():
    rows = []
    for k in labels:
      r = rows_of[k][:3]; y = torch.full((n,), k, dtype=torch.long)
      rows.append(torch.cat([Xt[r], ema(codes[r], Yt[r]), ema(mixed_codes(codes, y, gen), y)]))
  ema.train()
  img = torch.cat([torch.cat(list(row[:, 0]), 1) for row in rows], 0).numpy()
  os.makedirs(a.out, exist_ok=True); png(os.path.join(a.out, f'grid-{step:05d}.png'), img)

g, d, ema = G(), D(), G()
codes = nn.Parameter(sphere(torch.randn(N, ZD)))
ema.load_state_dict(g.state_dict()); [q.requires_grad_(False) for q in ema.parameters()]
og = torch.optim.Adam(list(g.parameters()), 2e-4, betas=(0.5, 0.999)); oc = torch.optim.Adam([codes], 1e-2, betas=(0.5, 0.999))
od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
B = a.batch
start = 1
if a.resume:
  st = torch.load(os.path.join(a.out, 'state.pt'))
  for m, k in ((g, 'g'), (d, 'd'), (ema, 'ema'), (og, 'og'), (od, 'od'), (oc, 'oc')): m.load_state_dict(st[k])
  with torch.no_grad(): codes.copy_(st['codes'])
  rng.bit_generator.state = st['rng']; torch.set_rng_state(st['torch_rng']); start = st['step'] + 1
t0 = time.time()
for step in range(start, a.steps + 1):
  idx = torch.from_numpy(rng.integers(0, N, B)); x, y = Xt[idx], Yt[idx]
  out = g(torch.cat([codes[idx], mixed_codes(codes, y, rng)]), torch.cat([y, y]))  # the adversarial term also moves the codes
  rec, fake = out[:B], out[B:]
  # D: real training images against samples from mixed codes.
  xr = x.clone().requires_grad_(True)
  real = d(xr, y)
  ld = F.softplus(-real).mean() + F.softplus(d(fake.detach(), y)).mean()
  if a.r1:
    grad, = torch.autograd.grad(real.sum(), xr, create_graph=True)
    ld = ld + a.r1 / 2 * grad.pow(2).flatten(1).sum(1).mean()
  od.zero_grad(); ld.backward(); od.step()
  # G and the codes: draw the mixed samples as real ones, reconstruct each training image from its own code.
  lrec = multiscale_l1(rec, x); ladv = F.softplus(-d(fake, y)).mean()
  lg = ladv + a.rec * lrec
  og.zero_grad(); oc.zero_grad(); lg.backward(); og.step(); oc.step()
  with torch.no_grad():
    codes.copy_(sphere(codes))
    for q, r in zip(ema.parameters(), g.parameters()): q.mul_(a.ema).add_(r, alpha=1 - a.ema)
    for q, r in zip(ema.buffers(), g.buffers()): q.copy_(r)
  if step % 1000 == 0: grid(step)
  if step % 250 == 0:
    print(f'step {step}  D {ld.item():.3f}  G adv {ladv.item():.3f}  rec L1 {lrec.item():.4f}  {time.time() - t0:.0f} s', flush=True)

os.makedirs(a.out, exist_ok=True)
torch.save({'g': g.state_dict(), 'd': d.state_dict(), 'ema': ema.state_dict(), 'og': og.state_dict(), 'od': od.state_dict(),
            'oc': oc.state_dict(), 'codes': codes.detach(), 'rng': rng.bit_generator.state, 'torch_rng': torch.get_rng_state(),
            'step': a.steps}, os.path.join(a.out, 'state.pt'))
n = a.per_label + a.tstr_per_label
ema.eval()
with torch.no_grad():
  rec_err = F.l1_loss(ema(codes, Yt), Xt).item()
  for k, label in enumerate(meta['labels']):
    y = torch.full((n,), k, dtype=torch.long)
    imgs = ema(mixed_codes(codes, y, rng), y).numpy()
    os.makedirs(os.path.join(a.out, label), exist_ok=True)
    for i in range(n): png(os.path.join(a.out, label, f's{i:03d}.png'), imgs[i, 0])
json.dump(vars(a) | {'reconstruction_l1': rec_err, 'seconds': time.time() - t0}, open(os.path.join(a.out, 'run.json'), 'w'), indent=1)
print(f'{a.steps} steps, {time.time() - t0:.0f} s; reconstruction L1 (average of G) {rec_err:.4f}; samples in {a.out}', flush=True)
