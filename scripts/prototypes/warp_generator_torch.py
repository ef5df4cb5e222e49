"""Prototype (PyTorch, not part of the product): an exemplar-conditioned generator that *warps* one of a writer's
own signatures into another plausible signature of that writer, trained adversarially on pairs (DAGAN's pair
discriminator, Antoniou et al. 2017, with a deformation instead of a pixel decoder).

G(exemplar, z): a small convolutional encoder of the exemplar and z (100) -> an MLP -> an affine map (rotation,
scale, shear, shift; tanh-bounded) plus a smooth displacement field (8 x 8, bicubic up to 64 x 64), applied to the
exemplar with bilinear sampling (paper at the border); optionally a stroke-width change (3 x 3 max/min pooling
blend). Its output keeps the exemplar's strokes. D(a, b), spectrally normalised: are a and b two genuine signatures
of one writer? Real pairs: two different training images of a writer; fake pairs: (exemplar, G(exemplar, z)).
Non-saturating loss (optionally an R1 penalty on real pairs), Adam 2e-4 / 0.5, batch 16, an exponential moving average of G (0.999).

Input: images written by dump-cgan-images.ts (the CGAN's preprocessing, 64 x 64). Output: <out>/<label>/sNNN.png, per
label --per-label then --tstr-per-label samples, each from a random training image of that label: the folder
`sig eval cgan --samples <out>` measures. Runs with Debian's PyTorch: /usr/bin/python3.
"""
import argparse, json, os, time
import numpy as np, torch, torch.nn as nn, torch.nn.functional as F
from gray_png import png

p = argparse.ArgumentParser()
p.add_argument('--images', required=True, help='prefix of the target writers (dump-cgan-images.ts with a CGAN run)')
p.add_argument('--extra', action='append', default=[], help='prefix of more writers to learn variation from (all their images)')
p.add_argument('--out', required=True); p.add_argument('--steps', type=int, default=4000); p.add_argument('--seed', type=int, default=1)
p.add_argument('--threads', type=int, default=1); p.add_argument('--width', action='store_true', help='also learn a stroke-width change')
p.add_argument('--r1', type=float, default=0, help='R1 penalty weight on real pairs (Mescheder et al. 2018)')
p.add_argument('--per-label', type=int, default=20); p.add_argument('--tstr-per-label', type=int, default=50)
a = p.parse_args()
torch.set_num_threads(a.threads); torch.manual_seed(a.seed); rng = np.random.default_rng(a.seed)

def load(prefix):
  m = json.load(open(prefix + '.json'))
  return m, np.fromfile(prefix + '.f32', np.float32).reshape(m['n'], 1, 64, 64)
meta, X = load(a.images)
groups = {}  # writer -> training image rows
for i, (w, h) in enumerate(zip(meta['y'], meta['held'])):
  if not h: groups.setdefault(('t', w), []).append(i)
for e, prefix in enumerate(a.extra):
  m, x = load(prefix); off = len(X); X = np.concatenate([X, x])
  for i, w in enumerate(m['y']): groups.setdefault((e, w), []).append(off + i)
pool = [w for w, rows in groups.items() if len(rows) >= 2]
print(f'{len(pool)} writers with >= 2 training images, {len(X)} images', flush=True)
Xt = torch.from_numpy(X); ZD = 100

class G(nn.Module):
  def __init__(s, f=16):
    super().__init__()
    s.enc = nn.Sequential(nn.Conv2d(1, f, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(f, 2 * f, 4, 2, 1), nn.LeakyReLU(0.2),
                          nn.Conv2d(2 * f, 4 * f, 4, 2, 1), nn.LeakyReLU(0.2), nn.Conv2d(4 * f, 4 * f, 4, 2, 1), nn.LeakyReLU(0.2))
    s.mlp = nn.Sequential(nn.Linear(4 * f * 16 + ZD, 256), nn.LeakyReLU(0.2), nn.Linear(256, 256), nn.LeakyReLU(0.2))
    s.field = nn.Linear(256, 2 * 8 * 8); s.aff = nn.Linear(256, 6); s.width = nn.Linear(256, 1)
    for m in (s.field, s.aff, s.width): nn.init.zeros_(m.weight); nn.init.zeros_(m.bias)  # starts as the identity
  def forward(s, x, z):
    h = s.mlp(torch.cat([s.enc(x).flatten(1), z], 1)); n = x.shape[0]
    t = torch.tanh(s.aff(h)) * torch.tensor([0.15, 0.15, 0.1, 0.15, 0.15, 0.1])
    theta = torch.stack([1 + t[:, 0], t[:, 1], t[:, 2], t[:, 3], 1 + t[:, 4], t[:, 5]], 1).view(n, 2, 3)
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    d = F.interpolate(torch.tanh(s.field(h)).view(n, 2, 8, 8) * 0.08, size=(64, 64), mode='bicubic', align_corners=False)
    y = F.grid_sample(x, grid + d.permute(0, 2, 3, 1), mode='bilinear', padding_mode='border', align_corners=False)
    if not a.width: return y
    w = torch.tanh(s.width(h)).view(n, 1, 1, 1)  # > 0 thicker ink (ink is +1), < 0 thinner
    thick = F.max_pool2d(y, 3, 1, 1); thin = -F.max_pool2d(-y, 3, 1, 1)
    return torch.where(w > 0, y + w * (thick - y), y - w * (thin - y))

class D(nn.Module):
  def __init__(s, f=16):
    super().__init__()
    sn = nn.utils.spectral_norm
    s.net = nn.Sequential(sn(nn.Conv2d(2, f, 4, 2, 1)), nn.LeakyReLU(0.2), sn(nn.Conv2d(f, 2 * f, 4, 2, 1)), nn.LeakyReLU(0.2),
                          sn(nn.Conv2d(2 * f, 4 * f, 4, 2, 1)), nn.LeakyReLU(0.2), sn(nn.Conv2d(4 * f, 8 * f, 4, 2, 1)), nn.LeakyReLU(0.2))
    s.fc = sn(nn.Linear(8 * f * 16, 1))
  def forward(s, x, y): return s.fc(s.net(torch.cat([x, y], 1)).flatten(1)).squeeze(1)

g, d, ema = G(), D(), G()
ema.load_state_dict(g.state_dict()); [q.requires_grad_(False) for q in ema.parameters()]
og = torch.optim.Adam(g.parameters(), 2e-4, betas=(0.5, 0.999)); od = torch.optim.Adam(d.parameters(), 2e-4, betas=(0.5, 0.999))
B = 16
t0 = time.time()
for step in range(1, a.steps + 1):
  ex, other = zip(*(rng.choice(groups[pool[k]], 2, replace=False) for k in rng.integers(0, len(pool), B)))
  ex, other = Xt[list(ex)], Xt[list(other)]
  fake = g(ex, torch.randn(B, ZD))
  if a.r1: other = other.clone().requires_grad_(True)
  real = d(ex, other)
  ld = F.softplus(-real).mean() + F.softplus(d(ex, fake.detach())).mean()
  if a.r1:  # (gamma / 2) E ||grad_b D(a, b)||^2 on real pairs
    grad, = torch.autograd.grad(real.sum(), other, create_graph=True)
    ld = ld + a.r1 / 2 * grad.pow(2).flatten(1).sum(1).mean()
  od.zero_grad(); ld.backward(); od.step()
  lg = F.softplus(-d(ex, fake)).mean()
  og.zero_grad(); lg.backward(); og.step()
  with torch.no_grad():
    for q, r in zip(ema.parameters(), g.parameters()): q.mul_(0.999).add_(r, alpha=0.001)
  if step % 500 == 0: print(f'step {step}  D loss {ld.item():.3f}  G loss {lg.item():.3f}  {time.time() - t0:.0f} s', flush=True)

n = a.per_label + a.tstr_per_label
with torch.no_grad():
  for k, label in enumerate(meta['labels']):
    rows = groups[('t', k)]
    ex = Xt[[rows[j] for j in rng.integers(0, len(rows), n)]]
    imgs = ema(ex, torch.randn(n, ZD)).numpy()
    os.makedirs(os.path.join(a.out, label), exist_ok=True)
    for i in range(n): png(os.path.join(a.out, label, f's{i:03d}.png'), imgs[i, 0])
print(f'{a.steps} steps, {time.time() - t0:.0f} s; samples in {a.out}', flush=True)
