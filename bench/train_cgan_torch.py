"""PyTorch CPU peer for `npm run bench:train -- --model cgan`: one adversarial step (a D update on a real and a
generated batch, then a G update with the non-saturating loss) of the CGAN of apps/trainer/src/model/cgan.ts,
same layers and sizes, Adam 2e-4 / beta1 0.5, 2 threads (SIG_TORCH_THREADS to change). AUX_WEIGHT > 0 adds the
auxiliary classifier head on D (class logits from the same features; cross-entropy on the real batch's labels in
the D update and on the asked-for labels in the G update), as `--aux-weight` does. EMA_DECAY > 0 keeps a moving
average of every floating-point tensor of G's state (weights and BatchNorm statistics) after each G update, as
`--ema` does.

Usage: /usr/bin/python3 bench/train_cgan_torch.py CLASSES GEN_FILTERS DISC_FILTERS BATCH UPSAMPLE STEPS [AUX_WEIGHT] [EMA_DECAY]
Prints one JSON line: {"images_per_s": ..., "step_ms": ..., "cpu_ms": ... (process CPU time per step, all threads)}.
"""
import copy
import json
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("SIG_TORCH_THREADS", "2")))
LATENT, SIZE, SEED = 100, 64, 16


class Generator(nn.Module):
    def __init__(self, classes, gf, upsample):
        super().__init__()
        self.gf = gf
        self.dense = nn.Linear(LATENT + classes, SEED * SEED * gf, bias=False)
        self.bn0 = nn.BatchNorm2d(gf, momentum=0.1)
        stages, cin = [], gf
        for i in range(2):
            c = max(8, gf >> (i + 1))
            if upsample == "resize":
                stages += [nn.Upsample(scale_factor=2, mode="nearest"), nn.Conv2d(cin, c, 3, padding=1, bias=False)]
            else:
                stages += [nn.ConvTranspose2d(cin, c, 4, stride=2, padding=1, bias=False)]
            stages += [nn.BatchNorm2d(c, momentum=0.1), nn.ReLU()]
            cin = c
        self.stages = nn.Sequential(*stages)
        self.out = nn.Conv2d(cin, 1, 3, padding=1)

    def forward(self, z, label):
        x = self.dense(torch.cat([z, label], 1)).view(-1, self.gf, SEED, SEED)
        x = F.relu(self.bn0(x))
        return torch.tanh(self.out(self.stages(x)))


class Discriminator(nn.Module):
    def __init__(self, classes, df, aux, layers=3):
        super().__init__()
        self.label_dense = nn.Linear(classes, SIZE * SIZE)
        convs, cin = [], 2
        for i in range(layers):
            convs += [nn.Conv2d(cin, df << i, 4, stride=2, padding=1), nn.LeakyReLU(0.2)]
            cin = df << i
        self.convs = nn.Sequential(*convs)
        side = SIZE >> layers
        self.out = nn.Linear(cin * side * side, 1)
        self.aux = nn.Linear(cin * side * side, classes) if aux > 0 else None

    def forward(self, image, label):
        m = self.label_dense(label).view(-1, 1, SIZE, SIZE)
        h = torch.flatten(self.convs(torch.cat([image, m], 1)), 1)
        return torch.sigmoid(self.out(h)), (self.aux(h) if self.aux is not None else None)


def main():
    classes, gf, df, batch = map(int, sys.argv[1:5])
    upsample, steps = sys.argv[5], int(sys.argv[6])
    aux = float(sys.argv[7]) if len(sys.argv) > 7 else 0.0
    ema_decay = float(sys.argv[8]) if len(sys.argv) > 8 else 0.0
    torch.manual_seed(0)
    G, D = Generator(classes, gf, upsample), Discriminator(classes, df, aux)
    G_ema = copy.deepcopy(G) if ema_decay > 0 else None
    pairs = [(e, t) for e, t in zip(G_ema.state_dict().values(), G.state_dict().values()) if t.is_floating_point()] if G_ema else []
    opt_g = torch.optim.Adam(G.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(D.parameters(), lr=2e-4, betas=(0.5, 0.999))
    real = (torch.rand(batch, 1, SIZE, SIZE) < 0.1).float() * 2 - 1
    eye = torch.eye(classes)

    def latent():
        return torch.randn(batch, LATENT), eye[torch.randint(0, classes, (batch,))]

    def bce(p, target):
        return F.binary_cross_entropy(p.clamp(1e-7, 1 - 1e-7), torch.full_like(p, target))

    def loss(out, target, label):
        p, logits = out
        adversarial = bce(p, target)
        return adversarial if logits is None else adversarial + aux * F.cross_entropy(logits, label.argmax(1))

    def step():
        real_label = eye[torch.randint(0, classes, (batch,))]
        z, fl = latent()
        with torch.no_grad():
            fake = G(z, fl)  # G is not updated by the D step (as in our loop: G runs outside the tape)
        opt_d.zero_grad(set_to_none=True)
        d_loss = loss(D(real, real_label), 0.9, real_label) + bce(D(fake, fl)[0], 0.0)
        d_loss.backward()
        opt_d.step()
        z, gl = latent()
        opt_g.zero_grad(set_to_none=True)
        g_loss = loss(D(G(z, gl), gl), 1.0, gl)
        g_loss.backward()  # gradients reach D's weights too (as tf's minimize computes only G's: a small extra)
        opt_g.step()
        if pairs:
            with torch.no_grad():
                for e, t in pairs:
                    e.mul_(ema_decay).add_(t, alpha=1 - ema_decay)
        return d_loss.item() + g_loss.item()

    for _ in range(3):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(steps):
        step()
    dt = (time.perf_counter() - t0) / steps
    cpu = (time.process_time() - c0) / steps
    print(json.dumps({"images_per_s": batch / dt, "step_ms": dt * 1000, "cpu_ms": cpu * 1000, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
