"""Accuracy, macro-F1, per-class recall and the confusion matrix (rows = true label)."""

import numpy as np

LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def scores(y_true, y_pred, k=7):
    conf = np.zeros((k, k), dtype=np.int64)
    np.add.at(conf, (y_true, y_pred), 1)
    tp = np.diag(conf).astype(np.float64)
    recall = tp / np.maximum(conf.sum(1), 1)
    precision = tp / np.maximum(conf.sum(0), 1)
    f1 = np.where(precision + recall > 0, 2 * precision * recall / np.maximum(precision + recall, 1e-12), 0)
    return {"accuracy": float(tp.sum() / conf.sum()), "macro_f1": float(f1.mean()),
            "per_class_recall": {l: float(r) for l, r in zip(LABELS, recall)},
            "confusion": conf.tolist()}
