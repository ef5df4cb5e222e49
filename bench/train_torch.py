"""PyTorch CPU peer for `npm run bench:train`: the reference classifier, same shapes, 2 threads.

Usage: /usr/bin/python3 bench/train_torch.py WIDTH HEIGHT WIDTH_PX BATCH CLASSES STEPS
Prints one JSON line: {"images_per_s": ..., "step_ms": ...}.
"""
import json
import sys
import time

import torch
import torch.nn as nn

torch.set_num_threads(2)


def scaled(units, m):
    return max(4, round(units * m))


def build(width, classes):
    layers, cin = [], 1
    for f in (64, 128, 256, 512):
        c = scaled(f, width)
        for _ in range(2):
            layers += [nn.Conv2d(cin, c, 3, padding=1), nn.ReLU()]
            cin = c
        layers += [nn.BatchNorm2d(c), nn.MaxPool2d(2)]
    layers += [
        nn.AdaptiveAvgPool2d(1), nn.Flatten(),
        nn.Linear(cin, scaled(1024, width)), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(scaled(1024, width), scaled(512, width)), nn.ReLU(), nn.Dropout(0.3),
        nn.Linear(scaled(512, width), classes),
    ]
    return nn.Sequential(*layers)


def main():
    width, h, w, batch, classes, steps = float(sys.argv[1]), *map(int, sys.argv[2:7])
    torch.manual_seed(0)
    model = build(width, classes)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = nn.CrossEntropyLoss()
    x = torch.rand(batch, 1, h, w)
    y = torch.randint(0, classes, (batch,))

    def step():
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()

    for _ in range(3):
        step()
    t0 = time.perf_counter()
    for _ in range(steps):
        step()
    dt = (time.perf_counter() - t0) / steps
    print(json.dumps({"images_per_s": batch / dt, "step_ms": dt * 1000, "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
