#!/usr/bin/env python3
"""Cross-validate candidate mood heads that tools/mood/fit_head.py cannot write (block scaling,
principal components of the embedding, patch statistics, patch-level training, other instrumental
weights, small networks) on the same dumps, folds and scores as fit_head.py.

    python3 tools/mood/explore_heads.py --set MER4Q.jsonl:LABELS.tsv:artist \\
        --set INSTR.jsonl:LABELS.tsv:package [--only SUBSTRING]

Prints one line per candidate: 4Q accuracy (valence / arousal sign; recall happy / tense / sad /
calm), instrumental accuracy and recall, and the expected calibration error pooled over both sets
(docs/MOOD.md, *Choosing the head*). The first candidate is fit_head.py's linear head and must
print fit_head.py's own figures for it.
"""
import argparse
import warnings

import numpy as np
from sklearn.decomposition import PCA
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.neural_network import MLPClassifier

import fit_head as fh

SEED = 7


class Data:
    def __init__(self, sets, instr_weight=0.5):
        loaded = []
        for s in sets:
            loaded += fh.load_set(s)
        rows = fh.with_patches(loaded, 4, 0, SEED)
        self.names = fh.feature_names(rows[0]['inputs'], 'msd+msd_emb+sig')
        self.x, _ = fh.matrix(rows, self.names)
        # Every patch's transformed inputs (NaN where a clip has fewer patches).
        n = max(len(r['patches']) for r in rows)
        self.p = np.full((len(rows), n, len(self.names)), np.nan)
        for i, r in enumerate(rows):
            self.p[i, :len(r['patches'])] = fh.matrix(
                [{'inputs': q} for q in r['patches']], self.names)[0]
        self.npatch = np.array([len(r['patches']) for r in rows])
        self.spread = [fh.spread(k, 4) for k in self.npatch]
        self.y = np.array([fh.QUADRANTS.index(r['quadrant']) for r in rows])
        self.groups = np.array([r['group'] for r in rows])
        self.sets = np.array([r['set'] for r in rows])
        self.w = fh.weights_for(rows, instr_weight)

    def cols(self, spec):
        parts = spec.split('+')
        return np.array([i for i, n in enumerate(self.names) if n.split(':')[0] in parts])

    def folds(self, rep):
        """fit_head.py's folds: each set split 5 ways by group, fold k of every set together."""
        fold = np.zeros(len(self.y), dtype=int)
        for s in np.unique(self.sets):
            idx = np.where(self.sets == s)[0]
            skf = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=SEED + rep)
            of = {}
            for k, (_, te) in enumerate(skf.split(self.x[idx], self.y[idx], self.groups[idx])):
                of.update({g: k for g in self.groups[idx[te]]})
            fold[idx] = [of[g] for g in self.groups[idx]]
        return fold


def standardise(a, b):
    m, s = a.mean(0), a.std(0)
    s[s < 1e-6] = 1
    return (a - m) / s, (b - m) / s


def logistic(z, y, w, c=0.03):
    return LogisticRegression(C=c, max_iter=5000, random_state=SEED).fit(z, y, sample_weight=w)


def linear(d, spec='msd+sig', c=0.03, factors=None, extra=None, ww=None):
    """Logistic head; `factors` scales blocks ({'sig': 0.5}); `extra` (array, factor) appends."""
    cols = d.cols(spec)
    fac = np.array([(factors or {}).get(d.names[i].split(':')[0], 1.0) for i in cols])
    ww = d.w if ww is None else ww

    def f(tr, te):
        a, b = standardise(d.x[tr][:, cols], d.x[te][:, cols])
        a, b = a * fac, b * fac
        if extra is not None:
            ea, eb = standardise(extra[0][tr], extra[0][te])
            a, b = np.hstack([a, ea * extra[1]]), np.hstack([b, eb * extra[1]])
        return logistic(a, d.y[tr], ww[tr], c).predict_proba(b)
    return f


def linear_on(d, inputs, copies=0):
    """Logistic tags + signal head on other track inputs; `copies` extra training rows per clip
    from random 4-patch subsets (sharing the clip's weight; never scored)."""
    cols = d.cols('msd+sig')
    rng = np.random.default_rng(SEED)
    extra = [(i, d.p[i, sorted(rng.choice(d.npatch[i], min(4, d.npatch[i]), replace=False))]
              .mean(0)) for i in range(len(d.y)) for _ in range(copies)]
    owner = np.array([i for i, _ in extra], dtype=int)
    rows = np.array([x for _, x in extra]).reshape(len(extra), d.x.shape[1])

    def f(tr, te):
        keep = np.isin(owner, tr)
        x = np.vstack([inputs[tr], rows[keep]])[:, cols]
        y = np.concatenate([d.y[tr], d.y[owner[keep]]])
        w = np.concatenate([d.w[tr], d.w[owner[keep]]]) / (copies + 1)
        a, b = standardise(x, inputs[te][:, cols])
        return logistic(a, y, w).predict_proba(b)
    return f


def pca_embedding(d, k):
    cols, emb = d.cols('msd+sig'), d.cols('msd_emb')

    def f(tr, te):
        a, b = standardise(d.x[tr][:, cols], d.x[te][:, cols])
        ea, eb = standardise(d.x[tr][:, emb], d.x[te][:, emb])
        p = PCA(k, random_state=SEED).fit(ea)
        pa, pb = p.transform(ea), p.transform(eb)
        sd = pa.std(0)
        return logistic(np.hstack([a, pa / sd]), d.y[tr], d.w[tr]).predict_proba(
            np.hstack([b, pb / sd]))
    return f


def patch_level(d, c, average):
    """Every patch a training sample (its clip's weight shared); scored on the track's inputs
    or by averaging the 4 spread patches' probabilities."""
    cols = d.cols('msd+sig')

    def f(tr, te):
        xs = [d.p[i, j][cols] for i in tr for j in range(d.npatch[i])]
        ys = [d.y[i] for i in tr for _ in range(d.npatch[i])]
        ws = [d.w[i] / d.npatch[i] for i in tr for _ in range(d.npatch[i])]
        xs = np.array(xs)
        m, s = xs.mean(0), xs.std(0)
        s[s < 1e-6] = 1
        model = logistic((xs - m) / s, np.array(ys), np.array(ws), c)
        if not average:
            return model.predict_proba((d.x[te][:, cols] - m) / s)
        return np.array([model.predict_proba((d.p[i, d.spread[i]][:, cols] - m) / s).mean(0)
                         for i in te])
    return f


def mlp(d, spec, h, alpha, factors=None, ww=None, seeds=(0, 1, 2)):
    cols = d.cols(spec)
    fac = np.array([(factors or {}).get(d.names[i].split(':')[0], 1.0) for i in cols])
    ww = d.w if ww is None else ww

    def f(tr, te):
        a, b = standardise(d.x[tr][:, cols], d.x[te][:, cols])
        p = 0
        for s in seeds:
            m = MLPClassifier((h,), alpha=alpha, solver='lbfgs', max_iter=300, random_state=s)
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', ConvergenceWarning)
                m.fit(a * fac, d.y[tr], sample_weight=ww[tr] / ww[tr].mean())
            p = p + m.predict_proba(b * fac) / len(seeds)
        return p
    return f


def score(d, fitpred, repeats):
    per_set = {s: [] for s in np.unique(d.sets)}
    plabel, hit = [], []
    for rep in range(repeats):
        fold = d.folds(rep)
        prob = np.zeros((len(d.y), 4))
        for k in range(5):
            prob[fold == k] = fitpred(np.where(fold != k)[0], np.where(fold == k)[0])
        v = prob[:, 0] + prob[:, 3] - prob[:, 1] - prob[:, 2]
        a = prob[:, 0] + prob[:, 1] - prob[:, 2] - prob[:, 3]
        lab = np.where(v >= 0, np.where(a >= 0, 0, 3), np.where(a >= 0, 1, 2))
        plabel.append(np.maximum(prob[np.arange(len(lab)), lab], 0.25))
        hit.append(lab == d.y)
        for s, out in per_set.items():
            m = d.sets == s
            y, p = d.y[m], lab[m]
            out.append([np.mean(y == p), np.mean(fh.VALENCE_POS[y] == fh.VALENCE_POS[p]),
                        np.mean(fh.AROUSAL_HIGH[y] == fh.AROUSAL_HIGH[p])]
                       + [np.mean(p[y == q] == q) for q in range(4)])
    pl, ht = np.concatenate(plabel), np.concatenate(hit)
    ece = 0.0
    for lo in np.linspace(0.25, 1.0, 6)[:-1]:
        m = (pl >= lo) & (pl < lo + 0.15 + (1e-9 if lo + 0.15 >= 1 else 0))
        if m.any():
            ece += m.mean() * abs(pl[m].mean() - ht[m].mean())
    return {s: np.mean(v, 0) for s, v in per_set.items()}, ece


def candidates(d):
    instr = d.sets != d.sets[np.argmax([np.sum(d.sets == s) for s in d.sets])]
    msd = d.cols('msd')
    spread_logits = [d.p[i, d.spread[i]][:, msd] for i in range(len(d.y))]
    std = np.array([p.std(0) for p in spread_logits])
    top = np.array([p.max(0) for p in spread_logits])
    yield 'linear tags + signal (fit_head.py, mien-mood-1)', linear(d)
    yield 'linear, signal block x0.5', linear(d, factors={'sig': 0.5})
    yield 'linear, signal block x2', linear(d, factors={'sig': 2.0})
    for f in (0.3, 0.5):
        yield f'linear, + embedding x{f}', linear(d, 'msd+msd_emb+sig', factors={'msd_emb': f})
    for k in (8, 16):
        yield f'linear, + {k} principal components of the embedding', pca_embedding(d, k)
    yield 'linear, + std of the tag logits', linear(d, extra=(std, 1.0))
    yield 'linear, + std of the tag logits x0.5', linear(d, extra=(std, 0.5))
    yield 'linear, + max of the tag logits x0.5', linear(d, extra=(top, 0.5))
    # The mean of the spread patches' logits (instead of the logit of the patches' mean), alone
    # and with 8 training copies per clip, each the mean over 4 random patches.
    mean_logits = np.array([d.p[i, d.spread[i]].mean(0) for i in range(len(d.y))])
    yield 'linear, the mean of the patch logits', linear_on(d, mean_logits)
    yield 'linear, that mean + 8 random-patch copies', linear_on(d, mean_logits, copies=8)
    for c in (0.03, 0.1):
        for average in (False, True):
            how = 'patch probabilities averaged' if average else 'scored on the track mean'
            yield f'linear, every patch a sample, C={c}, {how}', patch_level(d, c, average)
    for iw in (0.35, 0.75):
        ww = d.w * np.where(instr, iw / 0.5, 1.0)
        yield f'linear, iw={iw}', linear(d, ww=ww)
    for h in (16, 64):
        for alpha in (1.0, 10.0, 30.0):
            yield f'MLP {h}, alpha={alpha}, tags + signal', mlp(d, 'msd+sig', h, alpha)
    yield 'MLP 16, alpha=10, tags + embedding + signal', mlp(d, 'msd+msd_emb+sig', 16, 10.0)
    yield ('MLP 16, alpha=10, tags + embedding x0.5 + signal',
           mlp(d, 'msd+msd_emb+sig', 16, 10.0, factors={'msd_emb': 0.5}))
    yield ('MLP 16, alpha=10, tags + embedding + signal, iw=1',
           mlp(d, 'msd+msd_emb+sig', 16, 10.0, ww=d.w * np.where(instr, 2.0, 1.0)))
    yield 'MLP 16, alpha=30, tags + embedding + signal', mlp(d, 'msd+msd_emb+sig', 16, 30.0)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--set', action='append', required=True)
    ap.add_argument('--repeats', type=int, default=10)
    ap.add_argument('--only', help='run the candidates whose name contains this')
    args = ap.parse_args()
    d = Data(args.set)
    main_set = max(np.unique(d.sets), key=lambda s: np.sum(d.sets == s))
    for name, fitpred in candidates(d):
        if args.only and args.only not in name:
            continue
        res, ece = score(d, fitpred, args.repeats)
        q = res[main_set]
        other = [s for s in res if s != main_set]
        line = (f'{name:55s} {main_set} {q[0]:.3f} (v {q[1]:.3f} a {q[2]:.3f}; '
                + '/'.join(f'{r:.2f}' for r in q[3:]) + ')')
        for s in other:
            line += f'  {s} {res[s][0]:.3f} (' + '/'.join(f'{r:.2f}' for r in res[s][3:]) + ')'
        print(line + f'  ece {ece:.3f}', flush=True)


if __name__ == '__main__':
    main()
