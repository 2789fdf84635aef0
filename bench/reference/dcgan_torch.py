#!/usr/bin/env python3
"""PyTorch twins of the workbench's DCGAN and VAE (main/models/generative/); keep them identical.

For 28x28x1 images, width 32 (tfjs is NHWC, this is NCHW; the sizes are the same):

- Generator (main/models/generative/networks.ts buildGenerator): Linear(latent -> 7*7*64, no bias)
  -> BatchNorm over the 3136 features -> ReLU -> reshape [64, 7, 7] -> ConvTranspose2d(64 -> 32,
  4, stride 2, padding 1, no bias) -> BN -> ReLU -> ConvTranspose2d(32 -> 1, 4, 2, 1) -> tanh
  (DCGAN, latent 64) or sigmoid (VAE decoder, latent 16).
- Discriminator (buildHeads with batch norm): Conv2d(1 -> 32, 4, 2, 1) -> LeakyReLU(0.2) ->
  Conv2d(32 -> 64, 4, 2, 1, no bias) -> BN -> LeakyReLU(0.2) -> flatten -> Linear(3136 -> 1).
- VAE encoder (buildHeads without batch norm): Conv2d(1 -> 32) -> LeakyReLU, Conv2d(32 -> 64) ->
  LeakyReLU, flatten, two Linear(3136 -> 16) heads (mu, log sigma^2, the latter clipped to
  [-10, 10]).

Batch norm as tfjs-layers': epsilon 1e-3, moving averages with momentum 0.9 (torch's 0.1).
Kernels drawn from N(0, 0.02) like the workbench's dcganInit.

One DCGAN step (main/models/generative/dcgan.ts): z ~ N(0, I); D step on BCE(D(x), 1) +
BCE(D(G(z)), 0) with the fake computed (G in training mode) without a gradient to G; then the
G step on BCE(D(G(z)), 1) with G's forward pass recomputed and no gradient kept for D's weights
(tfjs computes only the gradients of the variables it updates). Non-saturating BCE with logits;
Adam(2e-4, betas (0.5, 0.999)) for each network. One VAE step (vae.ts): z = mu + exp(logvar / 2)
* eps, loss = mean over the batch of summed Bernoulli cross-entropy (outputs clipped to
[1e-6, 1 - 1e-6]) + KL; Adam(1e-3, betas (0.9, 0.999)). Both read their losses back every step
(.item(), as the workbench's dataSync does).

Real images are random: uniform in [-1, 1] for the DCGAN (tanh range), in [0, 1] for the VAE,
from a fixed seed, made before timing. Prints ONE JSON line on stdout: the torch version, threads,
and per model images/s, the timed steps (fewer than --steps when --max-seconds cut the loop
short), peak RSS and the last losses.
`dgmw bench generative` runs it once per model, right after the workbench's measurement of the
same model. By hand: /usr/bin/python3 bench/reference/dcgan_torch.py --threads 2 --models dcgan,vae
"""

import argparse
import json
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

SIDE = 28
BASE = 7  # 28 / 2**2: two 2x up/down-samplings for images under 64 px
BN_EPS = 1e-3  # tfjs-layers' batchNormalization default
BN_MOMENTUM = 0.1  # tfjs momentum 0.9 on the moving average


def bn(features: int, dims: int) -> nn.Module:
    cls = nn.BatchNorm1d if dims == 1 else nn.BatchNorm2d
    return cls(features, eps=BN_EPS, momentum=BN_MOMENTUM)


def dcgan_init(module: nn.Module) -> None:
    # tfjs: kernels N(0, 0.02), biases 0, batch norm gamma 1 / beta 0.
    for m in module.modules():
        if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


class Generator(nn.Module):
    def __init__(self, latent: int, width: int, output: str) -> None:
        super().__init__()
        top = width * 2  # width * 2**(steps - 1), steps = 2
        self.top = top
        self.dense = nn.Linear(latent, BASE * BASE * top, bias=False)
        self.bn0 = bn(BASE * BASE * top, 1)
        self.up = nn.Sequential(
            nn.ConvTranspose2d(top, width, 4, stride=2, padding=1, bias=False),  # 7 -> 14
            bn(width, 2),
            nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, stride=2, padding=1),  # 14 -> 28
            nn.Tanh() if output == "tanh" else nn.Sigmoid(),
        )
        dcgan_init(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        h = F.relu(self.bn0(self.dense(z)))
        return self.up(h.view(-1, self.top, BASE, BASE))


def trunk(width: int, batch_norm: bool) -> nn.Sequential:
    return nn.Sequential(
        nn.Conv2d(1, width, 4, stride=2, padding=1),  # 28 -> 14
        nn.LeakyReLU(0.2),
        nn.Conv2d(width, width * 2, 4, stride=2, padding=1, bias=not batch_norm),  # 14 -> 7
        *([bn(width * 2, 2)] if batch_norm else []),
        nn.LeakyReLU(0.2),
        nn.Flatten(),
    )


class Discriminator(nn.Module):
    def __init__(self, width: int) -> None:
        super().__init__()
        self.trunk = trunk(width, batch_norm=True)
        self.head = nn.Linear(BASE * BASE * width * 2, 1)
        dcgan_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.trunk(x))


class Encoder(nn.Module):
    def __init__(self, width: int, latent: int) -> None:
        super().__init__()
        self.trunk = trunk(width, batch_norm=False)
        self.mu = nn.Linear(BASE * BASE * width * 2, latent)
        self.log_var = nn.Linear(BASE * BASE * width * 2, latent)
        dcgan_init(self)

    def forward(self, x: torch.Tensor):
        h = self.trunk(x)
        return self.mu(h), torch.clamp(self.log_var(h), -10.0, 10.0)


def bce_to(logits: torch.Tensor, target: float) -> torch.Tensor:
    return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, target))


def dcgan_stepper(batch: int, latent: int = 64, width: int = 32):
    g, d = Generator(latent, width, "tanh"), Discriminator(width)
    g_opt = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    d_opt = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    g.train()
    d.train()

    def step(x: torch.Tensor) -> dict:
        z = torch.randn(batch, latent)
        # D step: the fake (G in training mode) carries no gradient to G.
        with torch.no_grad():
            fake = g(z)
        d_opt.zero_grad(set_to_none=True)
        d_loss = bce_to(d(x), 1.0) + bce_to(d(fake), 0.0)
        d_loss.backward()
        d_opt.step()
        # G step: G's pass recomputed; D's weights get no gradient (only G's variables update).
        d.requires_grad_(False)
        g_opt.zero_grad(set_to_none=True)
        g_loss = bce_to(d(g(z)), 1.0)
        g_loss.backward()
        g_opt.step()
        d.requires_grad_(True)
        return {"d/loss": d_loss.item(), "g/loss": g_loss.item()}

    return step


def vae_stepper(batch: int, latent: int = 16, width: int = 32):
    encoder, decoder = Encoder(width, latent), Generator(latent, width, "sigmoid")
    params = list(encoder.parameters()) + list(decoder.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999))
    encoder.train()
    decoder.train()

    def step(x: torch.Tensor) -> dict:
        opt.zero_grad(set_to_none=True)
        mu, log_var = encoder(x)
        z = mu + torch.exp(0.5 * log_var) * torch.randn(batch, latent)
        p = torch.clamp(decoder(z), 1e-6, 1 - 1e-6)
        rec = -(x * torch.log(p) + (1 - x) * torch.log(1 - p)).sum(dim=(1, 2, 3)).mean()
        kl = (-0.5 * (1 + log_var - mu.square() - log_var.exp()).sum(dim=1)).mean()
        loss = rec + kl
        loss.backward()
        opt.step()
        return {"loss": loss.item()}

    return step


def peak_rss_mib() -> float:
    # ru_maxrss is KiB on Linux (bytes on macOS).
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def measure(model: str, args: argparse.Namespace) -> dict:
    torch.manual_seed(args.seed)
    step = (dcgan_stepper if model == "dcgan" else vae_stepper)(args.batch)
    images = torch.rand(args.pool * args.batch, 1, SIDE, SIDE)
    if model == "dcgan":
        images = images * 2 - 1  # tanh range
    batches = [images[i * args.batch : (i + 1) * args.batch] for i in range(args.pool)]
    for i in range(args.warmup):
        step(batches[i % len(batches)])
    started = time.perf_counter()
    losses: dict = {}
    done = 0
    while done < args.steps:
        losses = step(batches[done % len(batches)])
        done += 1
        if args.max_seconds and time.perf_counter() - started > args.max_seconds:
            break
    seconds = time.perf_counter() - started
    return {
        "imagesPerSecond": done * args.batch / seconds,
        "seconds": seconds,
        "timedSteps": done,
        "peakRssMiB": peak_rss_mib(),
        "losses": losses,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, required=True, help="torch.set_num_threads")
    parser.add_argument("--models", default="dcgan,vae", help="comma-separated: dcgan, vae")
    parser.add_argument("--steps", type=int, default=100, help="timed training steps")
    parser.add_argument("--warmup", type=int, default=10, help="untimed training steps first")
    parser.add_argument("--batch", type=int, default=64, help="training batch size")
    parser.add_argument("--pool", type=int, default=8, help="distinct real batches to cycle")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=0,
        help="stop the timed loop after this long (0: never); images/s then covers the steps done",
    )
    args = parser.parse_args()
    models = [m for m in args.models.split(",") if m]
    unknown = [m for m in models if m not in ("dcgan", "vae")]
    if unknown:
        parser.error(f"unknown model(s): {', '.join(unknown)}")

    torch.set_num_threads(args.threads)
    results = {model: measure(model, args) for model in models}
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "steps": args.steps,
                "warmupSteps": args.warmup,
                "batchSize": args.batch,
                "models": results,
            }
        )
    )


if __name__ == "__main__":
    main()
