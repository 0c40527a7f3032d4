#!/usr/bin/env python3
"""Scores heads that also read musicnn's pooled mid-end features (`msd_pool:i`, 1,506 per patch:
the maximum and mean over time of the 753 front- and mid-end features), on the same dumps, folds
and repeats as fit_head.py (docs/MOOD.md, *Pooled mid-end features*).

The pooled block is too wide for 489 clips as it is, so the candidates narrow or damp it: a
subset (the mid-end's 3 x 64 features only, or only the means), k principal components fitted
in each fold's training data, and a factor f on the block's standardised inputs (a penalty 1/f^2
as strong on its weights). Every such map is linear, so it folds into the head's first layer:
a chosen candidate is written in the head file format src/mood/head.rs already reads.

    OMP_NUM_THREADS=1 python3 tools/mood/explore_pool.py --set ... --set ... [--repeats 10]
"""
import argparse

import numpy as np

import fit_head as fh

FRONT = 561  # musicnn MSD's front-end features; the mid-end's 3 x 64 follow (753 in all)


def pool_names(sample, part):
    """The `msd_pool:i` inputs of one subset: all, mid (the mid-end's), mean (means only)."""
    idx = sorted(int(k.split(':')[1]) for k in sample if k.startswith('msd_pool:'))
    if part == 'mid':
        idx = [i for i in idx if i // 2 >= FRONT]
    elif part == 'mean':
        idx = [i for i in idx if i % 2 == 1]
    elif part == 'midmean':
        idx = [i for i in idx if i // 2 >= FRONT and i % 2 == 1]
    return [f'msd_pool:{i}' for i in idx]


def make_fit(n_base, k, f):
    """fit_head.fit with the columns from n_base on (the pooled block) replaced by k principal
    components (k = 0: kept as they are), whitened, times f; the map is folded back into the
    first layer so that fit_head.predict evaluates the head unchanged."""
    def fit(x, y, w, outputs, c, seed, model=None):
        mean, scale = fh.standardise(x)
        z = (x - mean) / scale
        d = z.shape[1]
        if k:
            _, s, vt = np.linalg.svd(z[:, n_base:], full_matrices=False)
            proj = vt[:k].T / (s[:k] / np.sqrt(len(z)))  # [pool, k], whitened
        else:
            proj = np.eye(d - n_base)
        t = np.zeros((d, n_base + proj.shape[1]))
        t[:n_base, :n_base] = np.eye(n_base)
        t[n_base:, n_base:] = proj * f
        # The first layer (the hidden one, or the output of a linear head) reads z @ t.
        members = [(hw @ t.T, hb, ow, ob) if hw is not None else (None, None, ow @ t.T, ob)
                   for hw, hb, ow, ob in fh.fit_members(z @ t, y, w, outputs, c, seed, model)]
        return mean, scale, members
    return fit


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--set', action='append', required=True)
    ap.add_argument('--repeats', type=int, default=10)
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--candidates', nargs='+', default=[
        'all:0:1:mlp', 'all:0:0.3:mlp', 'all:0:0.1:mlp', 'mid:0:1:mlp', 'mid:0:0.5:mlp',
        'mean:0:0.5:mlp', 'all:8:1:mlp', 'all:16:1:mlp', 'all:16:0.5:mlp', 'all:32:0.5:mlp',
        'all:16:1:linear'],
        help='SUBSET:K:F:MODEL (subset all|mid|mean|midmean; K principal components, 0 = none; '
             'F the factor; MODEL mlp (16 units, alpha 30, 3 seeds) or linear (C = 0.03))')
    args = ap.parse_args()
    loaded = []
    for s in args.set:
        loaded += fh.load_set(s)
    rows = fh.with_patches(loaded, 4)
    base = fh.feature_names(rows[0]['inputs'], 'msd+msd_emb+sig')
    original = fh.fit
    for cand in args.candidates:
        part, k, f, kind = cand.split(':')
        names = base + pool_names(rows[0]['inputs'], part)
        fh.fit = make_fit(len(base), int(k), float(f))
        model = fh.parse_model('mlp:16:30:3') if kind == 'mlp' else None
        res = fh.evaluate(rows, names, 'quadrants', 0.03, 0.5, args.repeats, args.seed, model)
        fh.fit = original
        line = [cand.ljust(18)]
        for s, r in res.items():
            if isinstance(r, dict) and 'accuracy' in r:
                rec = '/'.join(f"{r['recall'][q]:.2f}" for q in fh.QUADRANTS)
                line.append(f"{s}: {r['accuracy']:.3f} (v {r['valence_sign']:.2f} "
                            f"a {r['arousal_sign']:.2f}; {rec})")
        line.append(f"ece {res['ece']:.3f}")
        print('  '.join(line), flush=True)


if __name__ == '__main__':
    main()
