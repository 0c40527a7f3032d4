#!/usr/bin/env python3
"""Fit mien's mood head (models/mood-head.json) on features that mien itself computed.

Inputs are `mien eval-mood DIR --dump FILE` dumps (one JSON line per clip: file, quadrant and
every input the head could read) with the labels TSV they came from (for the groups of the
cross-validation: the 4Q set's `artist` column, the instrumental set's `package`). Everything is
seeded; the same dumps give the same head.

    python3 tools/mood/fit_head.py \\
        --set mer4q.jsonl:MER4Q/labels.tsv:artist --set instr.jsonl:INSTR/labels.tsv:package \\
        --out models/mood-head.json --report target/mood-fit.json \\
        --fixture tests/fixtures/mood-head/check.json

Without --out it only compares the candidate heads (feature sets x output kinds x C x the weight
of the instrumental set) by 5-fold cross-validation grouped by artist / package, repeated over
--repeats shuffles. `--choose NAME` fits and writes that candidate on all the data. The report
holds the cross-validated figures docs/MOOD.md quotes (from the out-of-fold predictions of the
chosen candidate).
"""
import argparse
import csv
import json
import math
import sys
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.neural_network import MLPClassifier

QUADRANTS = ['happy', 'tense', 'sad', 'calm']
VALENCE_POS = np.array([1, 0, 0, 1])
AROUSAL_HIGH = np.array([1, 1, 0, 0])
SIGNAL = ['loudness_db', 'loudness_range_db', 'onset_rate', 'tempo_bpm', 'pulse_clarity',
          'centroid_hz', 'low_energy', 'flux', 'key_clarity', 'mode']
SIGNAL_TRANSFORM = {'tempo_bpm': 'log', 'centroid_hz': 'log', 'onset_rate': 'log', 'flux': 'log'}


def transform_of(name):
    source, _, key = name.partition(':')
    if source in ('msd', 'mtt'):
        return 'logit'
    if source == 'sig':
        return SIGNAL_TRANSFORM.get(key, 'id')
    return 'id'


def apply(transform, x):
    if transform == 'logit':
        p = np.clip(x, 1e-4, 1 - 1e-4)
        return np.log(p / (1 - p))
    if transform == 'log':
        return np.log(np.maximum(x, 1e-3))
    return x


# Weight 4Q clips by their `pquad` (set by --pquad-weight).
PQUAD_WEIGHT = False
# A training-only set's total weight as a share of the main set's (set by --train-weight).
TRAIN_WEIGHT = 0.25

# The gate of the gated inputs: how instrumental the track sounds (musicnn MSD's tag).
GATE = 'msd:instrumental'


def feature_names(sample, spec):
    """Input names for a feature-set spec such as 'msd+sig' or 'msd_emb+mtt+sig'; 'gate' adds
    the gate itself and 'ix' every signal feature once more multiplied by the gate (written
    'sig:mode*msd:instrumental'), so that one linear head can weigh the signal differently in
    music without vocals."""
    parts = spec.split('+')
    names = sorted(k for k in sample.keys() if '*' not in k)
    out = []
    for part in parts:
        if part == 'sig':
            out += ['sig:' + s for s in SIGNAL if 'sig:' + s in sample]
        elif part == 'gate':
            out += ['gate:' + GATE]
        elif part == 'ix':
            out += ['sig:' + s + '*' + GATE for s in SIGNAL if 'sig:' + s in sample]
        else:
            chosen = [n for n in names if n.split(':')[0] == part]
            if part.endswith(('_emb', '_pool')):
                chosen.sort(key=lambda n: int(n.split(':')[1]))
            out += chosen
    return out


def load_set(spec):
    """Rows of DUMP:TSV:GROUP_COLUMN[:train]; a set marked `train` is training data only: in
    every fold's training data, never held out, never scored."""
    dump, tsv, group_col, *flag = spec.split(':')
    if flag not in ([], ['train']):
        sys.exit(f'--set {spec}: the fourth field can only be "train"')
    groups = {}
    extra = {}
    with open(tsv, newline='') as f:
        for row in csv.DictReader(f, delimiter='\t'):
            name = row['file'].split('/')[-1]
            g = (row.get(group_col) or '').strip() or ('solo:' + name)
            groups[name] = g
            extra[name] = row
    rows = [json.loads(line) for line in open(dump)]
    tag = dump.split('/')[-1].split('.')[0]
    return [dict(r, group=tag + ':' + groups[r['file']], set=tag, meta=extra[r['file']],
                 train_only=bool(flag))
            for r in rows]


def spread(n, k):
    """Indices of k of n patches spread from the first to the last (as the tagger spreads its
    patches over a track: with n = 10 dumped patches, k = 4 gives the tagger's own 4)."""
    if k >= n:
        return list(range(n))
    if k == 1:
        return [(n - 1) // 2]
    return [round(i * (n - 1) / (k - 1)) for i in range(k)]


def combine(patches):
    """The track's inputs from some patches' inputs, as src/mood/tagger.rs combines them: the
    mean of each input, the median for the tempo."""
    out = {}
    for key in patches[0]:
        values = [p[key] for p in patches]
        out[key] = float(np.median(values)) if key == 'sig:tempo_bpm' else float(np.mean(values))
    return out


def with_patches(rows, k, augment=0, seed=0):
    """Rows whose inputs come from k spread patches; plus `augment` extra training copies of
    each row from k random patches (marked 'aug': they are never scored)."""
    rng = np.random.default_rng(seed)
    out = []
    for r in rows:
        ps = r.get('patches')
        if not ps:
            out.append(r)
            continue
        out.append(dict(r, inputs=combine([ps[i] for i in spread(len(ps), k)])))
        for _ in range(augment):
            pick = sorted(rng.choice(len(ps), size=min(k, len(ps)), replace=False))
            out.append(dict(r, inputs=combine([ps[i] for i in pick]), aug=True))
    return out


def split(name):
    """(input, gate or None) of a head input name ('gate:X' is X itself, untransformed)."""
    if name.startswith('gate:'):
        return name[5:], None
    base, _, gate = name.partition('*')
    return base, (gate or None)


def matrix(rows, names):
    """The transformed inputs (columns in `names` order) and each input's transform, as
    src/mood/head.rs computes them: transform(x), times the gate's raw value if gated."""
    cols, transforms = [], []
    for n in names:
        base, gate = split(n)
        t = 'id' if n.startswith('gate:') else transform_of(base)
        col = apply(t, np.array([r['inputs'][base] for r in rows], dtype=np.float64))
        if gate:
            col = col * np.array([r['inputs'][gate] for r in rows], dtype=np.float64)
        cols.append(col)
        transforms.append(t)
    return np.column_stack(cols), transforms


def parse_model(spec):
    """'linear', or 'mlp:H:ALPHA:SEEDS' (one hidden ReLU layer of H units, L2 penalty ALPHA,
    SEEDS networks from different initialisations whose probabilities are averaged)."""
    if spec == 'linear':
        return None
    kind, h, alpha, seeds = spec.split(':')
    if kind != 'mlp':
        raise ValueError(f'unknown model {spec!r}')
    return int(h), float(alpha), int(seeds)


def standardise(x):
    """Each column's mean and spread (1 where it is constant): the head's `mean` and `scale`."""
    mean = x.mean(0)
    scale = x.std(0)
    scale[scale < 1e-6] = 1.0
    return mean, scale


def fit(x, y, w, outputs, c, seed, model=None):
    """(mean, scale, members): each member (hidden weights or None, hidden bias, output
    weights, output bias), as src/mood/head_net.rs evaluates them."""
    mean, scale = standardise(x)
    return mean, scale, fit_members((x - mean) / scale, y, w, outputs, c, seed, model)


def fit_members(z, y, w, outputs, c, seed, model=None):
    """The members of a head fitted on standardised inputs z (see fit)."""
    if model is not None:
        if outputs != 'quadrants':
            raise ValueError('an mlp head needs quadrant outputs')
        h, alpha, seeds = model
        members = []
        for s in range(seeds):
            # Full-batch L-BFGS, a fixed number of iterations (no inner split); weights
            # normalised to mean 1 so that alpha means the same whatever the sets' sizes.
            m = MLPClassifier((h,), alpha=alpha, solver='lbfgs', max_iter=300,
                              random_state=seed + s)
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', ConvergenceWarning)
                m.fit(z, y, sample_weight=w / w.mean())
            if list(m.classes_) != [0, 1, 2, 3]:
                raise ValueError('every quadrant must be in the training data')
            members.append((m.coefs_[0].T, m.intercepts_[0], m.coefs_[1].T, m.intercepts_[1]))
        return members
    if outputs == 'axes':
        rows, bias = [], []
        for target in (VALENCE_POS[y], AROUSAL_HIGH[y]):
            m = LogisticRegression(C=c, max_iter=5000, random_state=seed)
            m.fit(z, target, sample_weight=w)
            rows.append(m.coef_[0])
            bias.append(m.intercept_[0])
        return [(None, None, np.array(rows), np.array(bias))]
    m = LogisticRegression(C=c, max_iter=5000, random_state=seed)
    m.fit(z, y, sample_weight=w)
    return [(None, None, m.coef_, m.intercept_)]


def logits(member, z):
    hw, hb, ow, ob = member
    if hw is not None:
        z = np.maximum(z @ hw.T + hb, 0.0)
    return z @ ow.T + ob


def predict(head, x):
    """(valence, arousal, label index, confidence) arrays, exactly as src/mood/head.rs does."""
    mean, scale, members, outputs = head
    z = (x - mean) / scale
    if outputs == 'axes':
        zz = logits(members[0], z)
        pv, pa = 1 / (1 + np.exp(-zz[:, 0])), 1 / (1 + np.exp(-zz[:, 1]))
        v, a = 2 * pv - 1, 2 * pa - 1
        plabel = np.maximum(pv, 1 - pv) * np.maximum(pa, 1 - pa)
    else:
        p = 0
        for member in members:
            zz = logits(member, z)
            e = np.exp(zz - zz.max(1, keepdims=True))
            p = p + e / e.sum(1, keepdims=True) / len(members)
        v = p[:, 0] + p[:, 3] - p[:, 1] - p[:, 2]
        a = p[:, 0] + p[:, 1] - p[:, 2] - p[:, 3]
    label = np.where(v >= 0, np.where(a >= 0, 0, 3), np.where(a >= 0, 1, 2))
    if outputs != 'axes':
        plabel = p[np.arange(len(label)), label]
    conf = np.clip((plabel - 0.25) / 0.75, 0, 1)
    return v, a, label, conf


def weights_for(rows, instr_weight):
    """Sample weights: the main (largest scored) set's clips 1 each, every other set's total
    instr_weight times the main set's (a training-only set's: TRAIN_WEIGHT times)."""
    n = {s: sum(1 for r in rows if r['set'] == s) for s in {r['set'] for r in rows}}
    # Augmented copies share their clip's weight.
    copies = {}
    for r in rows:
        copies[(r['set'], r['file'])] = copies.get((r['set'], r['file']), 0) + 1
    clips = {s: sum(1 for r in rows if r['set'] == s and not r.get('aug')) for s in n}
    scored = {r['set'] for r in rows if not r.get('train_only')}
    main = max(scored, key=clips.get)
    w = []
    for r in rows:
        share = 1.0 / copies[(r['set'], r['file'])]
        if PQUAD_WEIGHT and r['meta'].get('pquad'):
            # The share of the clip's mood tags in its quadrant: an ambiguous clip counts less.
            share *= float(r['meta']['pquad'])
        if r['set'] == main:
            w.append(share)
        elif r.get('train_only'):
            w.append(share * TRAIN_WEIGHT * clips[main] / clips[r['set']])
        else:
            # The smaller set's total weight is instr_weight times the main set's.
            w.append(share * instr_weight * clips[main] / clips[r['set']])
    return np.array(w)


def cross_validate(rows, names, outputs, c, instr_weight, repeats, seed, model=None):
    """Out-of-fold predictions, one per repeat: list of (v, a, label, conf) arrays."""
    x, _ = matrix(rows, names)
    y = np.array([QUADRANTS.index(r['quadrant']) for r in rows])
    groups = np.array([r['group'] for r in rows])
    sets = np.array([r['set'] for r in rows])
    w = weights_for(rows, instr_weight)
    out = []
    aug = np.array([bool(r.get('aug')) for r in rows])
    train_only = np.array([bool(r.get('train_only')) for r in rows])
    # Held out and scored: the clips themselves (not their augmented copies) of the scored sets.
    real = ~aug & ~train_only
    for rep in range(repeats):
        v = np.zeros(len(rows))
        a = np.zeros(len(rows))
        lab = np.zeros(len(rows), dtype=int)
        conf = np.zeros(len(rows))
        # Folds per set (each set's groups split 5 ways; augmented copies go with their clip's
        # group), then fold k of every set held out together.
        fold = np.full(len(rows), -1)  # -1: training data of every fold
        for s in np.unique(sets[~train_only]):
            idx = np.where((sets == s) & real)[0]
            skf = StratifiedGroupKFold(n_splits=5, shuffle=True, random_state=seed + rep)
            group_fold = {}
            for k, (_, test) in enumerate(skf.split(x[idx], y[idx], groups[idx])):
                for g in groups[idx[test]]:
                    group_fold[g] = k
            for i in np.where((sets == s) & ~train_only)[0]:
                fold[i] = group_fold[groups[i]]
        for k in range(5):
            tr, te = fold != k, (fold == k) & real
            keep = tr & (w > 0)
            head = fit(x[keep], y[keep], w[keep], outputs, c, seed, model) + (outputs,)
            v[te], a[te], lab[te], conf[te] = predict(head, x[te])
        out.append((v[real], a[real], lab[real], conf[real]))
    return out, y[real]


def scores(y, lab, mask):
    y, lab = y[mask], lab[mask]
    if len(y) == 0:
        return {}
    conf = np.zeros((4, 4), dtype=int)
    for t, p in zip(y, lab):
        conf[t, p] += 1
    return {
        'n': int(len(y)),
        'accuracy': float((y == lab).mean()),
        'valence_sign': float((VALENCE_POS[y] == VALENCE_POS[lab]).mean()),
        'arousal_sign': float((AROUSAL_HIGH[y] == AROUSAL_HIGH[lab]).mean()),
        'recall': {q: float(conf[i, i] / max(1, conf[i].sum())) for i, q in enumerate(QUADRANTS)},
        'confusion': conf.tolist(),
    }


def mean_scores(list_of):
    keys = ['accuracy', 'valence_sign', 'arousal_sign']
    out = {k: float(np.mean([s[k] for s in list_of])) for k in keys}
    out['recall'] = {q: float(np.mean([s['recall'][q] for s in list_of])) for q in QUADRANTS}
    out['n'] = list_of[0]['n']
    out['confusion'] = np.sum([s['confusion'] for s in list_of], axis=0).tolist()
    return out


def evaluate(rows, names, outputs, c, iw, repeats, seed, model=None):
    preds, y = cross_validate(rows, names, outputs, c, iw, repeats, seed, model)
    real = [r for r in rows if not r.get('aug') and not r.get('train_only')]
    sets = np.array([r['set'] for r in real])
    pop = np.array(['Pop/Rock' in r['meta'].get('genres', '') for r in real])
    res = {}
    for s in np.unique(sets):
        res[s] = mean_scores([scores(y, p[2], sets == s) for p in preds])
    main = max(res, key=lambda s: res[s]['n'])
    res[main + ' Pop/Rock'] = mean_scores([scores(y, p[2], (sets == main) & pop) for p in preds])
    # Confidence: accuracy and coverage above thresholds (all sets pooled).
    conf_table = []
    for t in (0.0, 0.1, 0.2, 1 / 3, 0.4, 0.5):
        acc, cov = [], []
        for v, a, lab, cf in preds:
            m = cf >= t
            cov.append(m.mean())
            acc.append((lab[m] == y[m]).mean() if m.any() else float('nan'))
        conf_table.append({'below': t, 'coverage': float(np.mean(cov)),
                           'accuracy': float(np.nanmean(acc))})
    res['confidence'] = conf_table
    # Reliability: the label's probability against the hit rate, 5 bins (pooled).
    plabel = np.concatenate([p[3] * 0.75 + 0.25 for p in preds])
    hit = np.concatenate([(p[2] == y) for p in preds])
    bins = []
    ece = 0.0
    for lo in np.linspace(0.25, 1.0, 6)[:-1]:
        hi = lo + 0.15
        m = (plabel >= lo) & (plabel < hi + (1e-9 if hi >= 1 else 0))
        if m.any():
            bins.append({'p': [round(lo, 2), round(hi, 2)], 'n': int(m.sum()),
                         'mean_p': float(plabel[m].mean()), 'hit_rate': float(hit[m].mean())})
            ece += m.mean() * abs(plabel[m].mean() - hit[m].mean())
    res['reliability'] = bins
    res['ece'] = float(ece)
    return res


def candidates(args):
    for k in args.patches:
        for aug in args.augment:
            for spec in args.features:
                for outputs in args.outputs:
                    for c in args.c:
                        for iw in args.instr_weight:
                            for model in args.model:
                                if model != 'linear' and outputs != 'quadrants':
                                    continue
                                name = f'{spec}|{outputs}|C={c}|iw={iw}|p={k}|aug={aug}'
                                if model != 'linear':
                                    # C is unused by an mlp (alpha is its penalty).
                                    name += f'|{model}'
                                yield name, spec, outputs, c, iw, k, aug, model


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--set', action='append', required=True,
                    help='DUMP.jsonl:LABELS.tsv:GROUP_COLUMN (the first is the main set)')
    ap.add_argument('--features', nargs='+',
                    default=['msd', 'msd+sig', 'msd_emb+sig', 'msd+msd_emb+sig', 'msd+mtt+sig',
                             'msd+mtt+msd_emb+mtt_emb+sig', 'sig'])
    ap.add_argument('--outputs', nargs='+', default=['axes', 'quadrants'])
    ap.add_argument('--c', nargs='+', type=float, default=[0.003, 0.01, 0.03, 0.1, 0.3])
    ap.add_argument('--instr-weight', nargs='+', type=float, default=[0.0, 0.25, 0.5, 1.0])
    ap.add_argument('--repeats', type=int, default=5)
    ap.add_argument('--patches', nargs='+', type=int, default=[4],
                    help='patches per track the head sees (from per-patch dumps)')
    ap.add_argument('--augment', nargs='+', type=int, default=[0],
                    help='extra training copies per clip from random patches')
    ap.add_argument('--model', nargs='+', default=['linear'],
                    help="'linear' (logistic) or 'mlp:H:ALPHA:SEEDS' (one hidden layer)")
    ap.add_argument('--seed', type=int, default=7)
    ap.add_argument('--choose', help='the candidate to fit on all data (a name from the table)')
    ap.add_argument('--name', default='mien-mood-2', help="the head's name (cache key)")
    ap.add_argument('--out')
    ap.add_argument('--report')
    ap.add_argument('--fixture')
    ap.add_argument('--train-weight', type=float, default=0.25,
                    help="a training-only set's total weight, as a share of the main set's")
    ap.add_argument('--pquad-weight', action='store_true',
                    help="weight each 4Q clip by its pquad (the share of its tags in its quadrant)")
    args = ap.parse_args()
    global PQUAD_WEIGHT, TRAIN_WEIGHT
    PQUAD_WEIGHT = args.pquad_weight
    TRAIN_WEIGHT = args.train_weight

    loaded = []
    for s in args.set:
        loaded += load_set(s)
    table = []
    chosen = None
    cache = {}
    for name, spec, outputs, c, iw, k, aug, model in candidates(args):
        if args.choose and name != args.choose:
            continue
        if (k, aug) not in cache:
            cache[(k, aug)] = with_patches(loaded, k, aug, args.seed)
        rows = cache[(k, aug)]
        names = feature_names(rows[0]['inputs'], spec)
        res = evaluate(rows, names, outputs, c, iw, args.repeats, args.seed, parse_model(model))
        table.append((name, res))
        line = [name.ljust(44)]
        for s, r in res.items():
            if isinstance(r, dict) and 'accuracy' in r:
                rec = '/'.join(f"{r['recall'][q]:.2f}" for q in QUADRANTS)
                line.append(f"{s}: {r['accuracy']:.3f} (v {r['valence_sign']:.2f} "
                            f"a {r['arousal_sign']:.2f}; {rec})")
        print('  '.join(line), flush=True)
        if args.choose:
            chosen = (name, spec, outputs, c, iw, rows, res, model)
    if not args.out:
        return
    if chosen is None:
        sys.exit('--out needs --choose NAME')
    name, spec, outputs, c, iw, rows, res, model = chosen
    names = feature_names(rows[0]['inputs'], spec)
    x, transforms = matrix(rows, names)
    y = np.array([QUADRANTS.index(r['quadrant']) for r in rows])
    w = weights_for(rows, iw)
    keep = w > 0
    mean, scale, members = fit(x[keep], y[keep], w[keep], outputs, c, args.seed,
                               parse_model(model))
    head = {
        'name': args.name,
        'about': f'mien mood head ({name}), fitted by tools/mood/fit_head.py on '
                 + ', '.join(sorted({r["set"] for r in rows})),
        'inputs': [dict({'name': split(n)[0], 'transform': t},
                        **({'gate': split(n)[1]} if split(n)[1] else {}))
                   for n, t in zip(names, transforms)],
        'mean': [round(float(m), 6) for m in mean],
        'scale': [round(float(s), 6) for s in scale],
        'outputs': outputs,
    }

    def dense(weights, bias):
        return {'weights': [[round(float(v), 6) for v in row] for row in weights],
                'bias': [round(float(b), 6) for b in bias]}

    if model == 'linear':
        head.update(dense(members[0][2], members[0][3]))
    else:
        head['members'] = [{'hidden': dense(hw, hb), 'output': dense(ow, ob)}
                           for hw, hb, ow, ob in members]
    with open(args.out, 'w') as f:
        json.dump(head, f, indent=1)
        f.write('\n')
    print(f'wrote {args.out}: {len(names)} inputs, {outputs}', file=sys.stderr)
    if args.report:
        with open(args.report, 'w') as f:
            json.dump({'candidate': name, 'cv': res, 'table': table}, f, indent=1)
    if args.fixture:
        # Fixed synthetic inputs (not from any clip: each drawn on its own from a normal with its
        # training mean and spread, clipped to its training range; uniform draws over the range
        # put a nonlinear head far from its data, where every case gets the same label) and what
        # this head says of them, with the rounded numbers of the written file, for the Rust test.
        rng = np.random.default_rng(args.seed)
        def arrays(layer):
            return np.array(layer['weights']), np.array(layer['bias'])

        if model == 'linear':
            rounded = [(None, None) + arrays(head)]
        else:
            rounded = [arrays(m['hidden']) + arrays(m['output']) for m in head['members']]
        hv = (np.array(head['mean']), np.array(head['scale']), rounded, outputs)
        bases = sorted({split(n)[0] for n in names} | {split(n)[1] for n in names if split(n)[1]})
        ref = {b: np.array([r['inputs'][b] for r in rows]) for b in bases}
        cases = []
        for _ in range(8):
            raw = {b: float(np.clip(rng.normal(ref[b].mean(), ref[b].std()), ref[b].min(),
                                    ref[b].max())) for b in bases}
            xr, _ = matrix([{'inputs': raw}], names)
            v, a, lab, cf = predict(hv, xr)
            cases.append({'inputs': raw, 'valence': float(v[0]), 'arousal': float(a[0]),
                          'label': QUADRANTS[int(lab[0])], 'confidence': float(cf[0])})
        with open(args.fixture, 'w') as f:
            json.dump({'head': args.out, 'cases': cases}, f)
            f.write('\n')


if __name__ == '__main__':
    main()
