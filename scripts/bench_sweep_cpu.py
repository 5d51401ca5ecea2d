"""Run-steps per second of a sweep on the CPU, in one run: shallow-gd's float64 reference on one
worker thread and on every core (`shallow-gd sweep --backend cpu --workers N`), beside a NumPy
peer that batches the same GD step over the runs of each width (float64, both layers, the
rates each run of the sweep used, no early stop). The sweeps run without the stability monitor
(`--sharpness-products 0`): the peer has none, and its products are not GD steps.

usage: python3 scripts/bench_sweep_cpu.py [--n 32] [--d 8] [--m 8,16,32,64] [--seeds 50]
                                          [--steps 2000] [--workers 2]
Figures are whole-process wall times (startup and planning included) on this machine's CPUs.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')


def sweep(args, workers, out):
    """Times `shallow-gd sweep` on the CPU reference; returns (seconds, records)."""
    cmd = [
        'node', os.path.join(ROOT, 'bin', 'shallow-gd.mjs'), 'sweep',
        '--grid', f'm={args.m}', '--grid', f'seed=1..{args.seeds}',
        '--n', str(args.n), '--d', str(args.d), '--steps', str(args.steps), '--stop-at-eps', 'false',
        '--sharpness-products', '0', '--backend', 'cpu', '--workers', str(workers), '--out', out,
    ]
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    seconds = time.perf_counter() - start
    with open(out) as f:
        records = [json.loads(line) for line in f]
    return seconds, records


def numpy_peer(records, steps):
    """The same step for every run, batched over the runs of each (n, d, m); returns seconds."""
    groups = {}
    for r in records:
        c = r['config']
        groups.setdefault((c['n'], c['d'], c['m']), []).append(c)
    rng = np.random.default_rng(0)
    start = time.perf_counter()
    for (n, d, m), configs in groups.items():
        runs = len(configs)
        X = rng.standard_normal((runs, n, d))
        y = rng.choice([-1.0, 1.0], size=(runs, n))
        W = rng.standard_normal((runs, m, d)) * np.array([c['wScale'] for c in configs])[:, None, None]
        a = rng.standard_normal((runs, m)) * np.array([c['aScale'] for c in configs])[:, None]
        kappa = np.array([c['outputScale'] for c in configs])[:, None]
        eta_w = np.array([c['etaW'] for c in configs])[:, None, None]
        eta_a = np.array([c['etaA'] for c in configs])[:, None]
        for _ in range(steps):
            Z = X @ W.transpose(0, 2, 1)                      # (runs, n, m)
            H = np.maximum(Z, 0.0)
            r = kappa * np.einsum('rnm,rm->rn', H, a) - y      # residual
            gW = (kappa * a)[:, :, None] * ((Z > 0) * r[:, :, None]).transpose(0, 2, 1) @ X
            ga = kappa * np.einsum('rnm,rn->rm', H, r)
            W -= eta_w * gW
            a -= eta_a * ga
    return time.perf_counter() - start


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--n', type=int, default=32)
    p.add_argument('--d', type=int, default=8)
    p.add_argument('--m', default='8,16,32,64')
    p.add_argument('--seeds', type=int, default=50)
    p.add_argument('--steps', type=int, default=2000)
    p.add_argument('--workers', type=int, default=os.cpu_count())
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        one, records = sweep(args, 1, os.path.join(tmp, 'one.jsonl'))
        many, _ = sweep(args, args.workers, os.path.join(tmp, 'many.jsonl'))
    run_steps = sum(r['steps_done'] for r in records)
    peer = numpy_peer(records, args.steps)
    print(f'{len(records)} runs, n={args.n} d={args.d} m={args.m}, {args.steps} steps each ({run_steps} run-steps)')
    print(f'| engine | seconds | run-steps/s |')
    print(f'| --- | ---: | ---: |')
    print(f'| shallow-gd CPU reference, 1 worker | {one:.2f} | {run_steps / one:,.0f} |')
    print(f'| shallow-gd CPU reference, {args.workers} workers | {many:.2f} | {run_steps / many:,.0f} ({one / many:.2f}× 1 worker) |')
    print(f'| NumPy {np.__version__}, batched over seeds | {peer:.2f} | {run_steps / peer:,.0f} |')


if __name__ == '__main__':
    sys.exit(main())
