"""The same full-batch GD step as shallow-gd, in PyTorch on CUDA (float32, TF32 off), for
side-by-side figures with `shallow-gd bench` on the same GPU. Neurons are processed in
slices so the n x m pre-activations never exceed --slice columns at a time.

usage: python3 scripts/bench_torch.py [--sizes 256x16x2^10..2^20,...] [--json FILE]
       python3 scripts/bench_torch.py --sweep [--sizes 64x8x32] [--batches 1024,4096,16384] [--json FILE]
With --sweep: run-steps/s of the step batched over R independent runs with torch.bmm (the peer
of `shallow-gd bench --sweep`).
"""
import argparse
import json
import re
import sys

import torch


def parse_sizes(text):
    out = []
    for part in text.split(','):
        m = re.fullmatch(r'(\d+)x(\d+)x(?:(\d+)|2\^(\d+)(?:\.\.2\^(\d+))?)', part.strip())
        if not m:
            sys.exit(f'--sizes: {part!r} is not NxDxM or NxDx2^a..2^b')
        n, d = int(m[1]), int(m[2])
        if m[3]:
            out.append((n, d, int(m[3])))
        else:
            out += [(n, d, 2 ** e) for e in range(int(m[4]), int(m[5] or m[4]) + 1)]
    return out


def step(X, W, a, y, eta_w, eta_a, slice_cols):
    """One GD step on both layers, gradients taken at the same point (standard parametrization, kappa = 1)."""
    f = torch.zeros_like(y)
    for s in range(0, W.shape[0], slice_cols):
        f += torch.relu(X @ W[s:s + slice_cols].T) @ a[s:s + slice_cols]
    r = f - y
    for s in range(0, W.shape[0], slice_cols):
        Z = X @ W[s:s + slice_cols].T
        ga = torch.relu(Z).T @ r
        gW = ((Z > 0).to(X.dtype) * r[:, None]).T @ X * a[s:s + slice_cols, None]
        W[s:s + slice_cols] -= eta_w * gW
        a[s:s + slice_cols] -= eta_a * ga


def batched_step(X, W, a, y, eta_w, eta_a):
    """One GD step of R runs at once: X (R,n,d), W (R,m,d), a (R,m), y (R,n)."""
    Z = torch.bmm(X, W.transpose(1, 2))                  # (R, n, m)
    H = torch.relu(Z)
    r = torch.bmm(H, a[:, :, None])[:, :, 0] - y         # residual (R, n)
    ga = torch.bmm(H.transpose(1, 2), r[:, :, None])[:, :, 0]
    gW = torch.bmm(((Z > 0).to(X.dtype) * r[:, :, None]).transpose(1, 2), X) * a[:, :, None]
    W -= eta_w * gW
    a -= eta_a * ga


def time_reps(fn, budget=0.2):
    """Seconds per call of fn on the GPU, timed over enough calls to fill `budget` seconds."""
    fn()
    torch.cuda.synchronize()
    start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    reps = 1
    while True:
        start.record()
        for _ in range(reps):
            fn()
        end.record()
        torch.cuda.synchronize()
        t = start.elapsed_time(end) / 1000
        if t >= budget or reps >= 4096:
            return t / reps
        reps = min(4096, max(reps * 2, int(reps * 1.2 * budget / max(t, 1e-7)) + 1))


def sweep(args, dev):
    results = []
    for n, d, m in parse_sizes(args.sizes or '64x8x32'):
        for runs in [int(b) for b in args.batches.split(',')]:
            g = torch.Generator(device=dev).manual_seed(1)
            X = torch.randn(runs, n, d, device=dev, generator=g)
            W = torch.randn(runs, m, d, device=dev, generator=g) / d ** 0.5
            a = torch.randn(runs, m, device=dev, generator=g) / m ** 0.5
            y = torch.sign(torch.randn(runs, n, device=dev, generator=g))
            sec = time_reps(lambda: batched_step(X, W, a, y, 1e-3, 1e-3))
            results.append({'n': n, 'd': d, 'm': m, 'runs': runs, 'stepSeconds': sec, 'runStepsPerSecond': runs / sec})
            print(f'torch bmm n={n} d={d} m={m} runs={runs}: {runs / sec:.4g} run-steps/s', flush=True)
            del X, W, a, y
            torch.cuda.empty_cache()
    return results


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--sizes')
    p.add_argument('--sweep', action='store_true')
    p.add_argument('--batches', default='1024,4096,16384')
    p.add_argument('--slice', type=int, default=2 ** 18)
    p.add_argument('--max-step-seconds', type=float, default=2.0)
    p.add_argument('--json')
    args = p.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    dev = torch.device('cuda')
    if args.sweep:
        report = {'device': torch.cuda.get_device_name(), 'torch': torch.__version__, 'tf32': False, 'sweep': sweep(args, dev)}
        if args.json:
            with open(args.json, 'w') as fh:
                json.dump(report, fh, indent=2)
        return
    results = []
    sizes = args.sizes or ('256x16x2^10..2^20,256x128x2^10..2^20,1024x16x2^10..2^20,'
                           '1024x128x2^10..2^20,4096x16x2^10..2^20,4096x128x2^10..2^20')
    for n, d, m in parse_sizes(sizes):
        g = torch.Generator(device=dev).manual_seed(1)
        X = torch.randn(n, d, device=dev, generator=g)
        W = torch.randn(m, d, device=dev, generator=g) / d ** 0.5
        a = torch.randn(m, device=dev, generator=g) / m ** 0.5
        y = torch.sign(torch.randn(n, device=dev, generator=g))
        slice_cols = min(m, max(1024, args.slice * 1024 // n))
        eta_w, eta_a = 1e-4, 1e-4 / m
        sec = time_reps(lambda: step(X, W, a, y, eta_w, eta_a, slice_cols))
        results.append({'n': n, 'd': d, 'm': m, 'stepSeconds': sec, 'gflops': 4 * n * d * m / sec / 1e9})
        print(f'torch n={n} d={d} m={m}: {1 / sec:.4g} steps/s, {4 * n * d * m / sec / 1e9:.4g} GFLOP/s', flush=True)
        del X, W, a, y
        torch.cuda.empty_cache()
        if sec > args.max_step_seconds:
            break
    report = {'device': torch.cuda.get_device_name(), 'torch': torch.__version__, 'tf32': False, 'sizes': results}
    if args.json:
        with open(args.json, 'w') as fh:
            json.dump(report, fh, indent=2)


if __name__ == '__main__':
    main()
