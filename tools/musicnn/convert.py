#!/usr/bin/env python3
"""Convert a musicnn TensorFlow 1 checkpoint (MSD_musicnn or MTT_musicnn) to safetensors.

Source: the ISC-licensed PyPI wheel `musicnn` 0.1.0 (Pons & Serra, 2019), files
`musicnn/MSD_musicnn/.index` and `.data-00000-of-00001` (checkpoint prefix `MSD_musicnn/`), or
the same under `musicnn/MTT_musicnn/`. Both checkpoints have the same architecture (musicnn's
model 17: the same variables and shapes); they differ in training data and output tags (MSD:
50 Last.fm tags of the Million Song Dataset; MTT: the 50 MagnaTagATune tags).
Only the variables inference needs are written (the Adam slots and beta powers are dropped),
as float32, re-laid out for candle (NCHW convolutions):

| TF variable (shape)                        | safetensors name (shape)                    |
| ------------------------------------------ | ------------------------------------------- |
| batch_normalization/*           [1]        | frontend.input_bn.*              [1]        |
| conv2d/kernel         [7,38,1,204]         | frontend.timbral74.conv.weight   [204,1,7,38] |
| conv2d_1/kernel       [7,67,1,204]         | frontend.timbral77.conv.weight   [204,1,7,67] |
| conv2d_2/kernel      [128,1,1,51]          | frontend.temporal128.conv.weight [51,1,128,1] |
| conv2d_3/kernel       [64,1,1,51]          | frontend.temporal64.conv.weight  [51,1,64,1]  |
| conv2d_4/kernel       [32,1,1,51]          | frontend.temporal32.conv.weight  [51,1,32,1]  |
| conv2d_5/kernel      [7,561,1,64]          | midend.conv1.conv.weight         [64,561,7] (conv1d) |
| conv2d_6/kernel       [7,64,1,64]          | midend.conv2.conv.weight         [64,64,7]  |
| conv2d_7/kernel       [7,64,1,64]          | midend.conv3.conv.weight         [64,64,7]  |
| dense/kernel          [1506,200]           | backend.dense.weight             [200,1506] |
| dense_1/kernel        [200,50]             | backend.output.weight            [50,200]   |

Each conv2d_N/bias, dense*/bias maps to the same prefix's `.bias`. The batch norms that follow
each layer (batch_normalization_1 .. _10, in graph-creation order) map to `<layer>.bn.*`
(`backend.pool_bn.*` for _9, `backend.dense_bn.*` for _10) with gamma -> weight,
beta -> bias, moving_mean -> running_mean, moving_variance -> running_var.

The tag list (musicnn/configuration.py MSD_LABELS or MTT_LABELS) and the source are stored in
the file's `__metadata__` (`tags` as a JSON list).

Usage: python tools/musicnn/convert.py /path/to/musicnn/MSD_musicnn/ models/musicnn-msd.safetensors
       python tools/musicnn/convert.py /path/to/musicnn/MTT_musicnn/ models/musicnn-mtt.safetensors
"""
import json
import os
import sys

import numpy as np
import tensorflow as tf
from safetensors.numpy import save_file

# musicnn/configuration.py MSD_LABELS, in output order.
MSD_LABELS = ['rock', 'pop', 'alternative', 'indie', 'electronic', 'female vocalists', 'dance',
              '00s', 'alternative rock', 'jazz', 'beautiful', 'metal', 'chillout',
              'male vocalists', 'classic rock', 'soul', 'indie rock', 'Mellow', 'electronica',
              '80s', 'folk', '90s', 'chill', 'instrumental', 'punk', 'oldies', 'blues',
              'hard rock', 'ambient', 'acoustic', 'experimental', 'female vocalist', 'guitar',
              'Hip-Hop', '70s', 'party', 'country', 'easy listening', 'sexy', 'catchy', 'funk',
              'electro', 'heavy metal', 'Progressive rock', '60s', 'rnb', 'indie pop', 'sad',
              'House', 'happy']

# musicnn/configuration.py MTT_LABELS, in output order.
MTT_LABELS = ['guitar', 'classical', 'slow', 'techno', 'strings', 'drums', 'electronic', 'rock',
              'fast', 'piano', 'ambient', 'beat', 'violin', 'vocal', 'synth', 'female', 'indian',
              'opera', 'male', 'singing', 'vocals', 'no vocals', 'harpsichord', 'loud', 'quiet',
              'flute', 'woman', 'male vocal', 'no vocal', 'pop', 'soft', 'sitar', 'solo', 'man',
              'classic', 'choir', 'voice', 'new age', 'dance', 'male voice', 'female vocal',
              'beats', 'harp', 'cello', 'no voice', 'weird', 'country', 'metal', 'female voice',
              'choral']

# (TF conv/dense scope, TF batch-norm scope, our prefix, kind)
LAYERS = [
    (None, 'batch_normalization', 'frontend.input', 'bn_only'),
    ('conv2d', 'batch_normalization_1', 'frontend.timbral74', 'conv2d'),
    ('conv2d_1', 'batch_normalization_2', 'frontend.timbral77', 'conv2d'),
    ('conv2d_2', 'batch_normalization_3', 'frontend.temporal128', 'conv2d'),
    ('conv2d_3', 'batch_normalization_4', 'frontend.temporal64', 'conv2d'),
    ('conv2d_4', 'batch_normalization_5', 'frontend.temporal32', 'conv2d'),
    ('conv2d_5', 'batch_normalization_6', 'midend.conv1', 'conv1d'),
    ('conv2d_6', 'batch_normalization_7', 'midend.conv2', 'conv1d'),
    ('conv2d_7', 'batch_normalization_8', 'midend.conv3', 'conv1d'),
    (None, 'batch_normalization_9', 'backend.pool', 'bn_only'),
    ('dense', 'batch_normalization_10', 'backend.dense', 'dense'),
    ('dense_1', None, 'backend.output', 'dense_plain'),
]


def convert(reader):
    out = {}
    get = lambda name: np.asarray(reader.get_tensor(name), dtype=np.float32)
    for layer, bn, prefix, kind in LAYERS:
        if layer is not None:
            k = get(layer + '/kernel')
            b = get(layer + '/bias')
            if kind == 'conv2d':  # HWIO -> OIHW
                w = k.transpose(3, 2, 0, 1)
            elif kind == 'conv1d':  # [K, C_in, 1, O] -> [O, C_in, K]
                w = k[:, :, 0, :].transpose(2, 1, 0)
            else:  # dense [in, out] -> [out, in]
                w = k.T
            wp = prefix if kind.startswith('dense') else prefix + '.conv'
            out[wp + '.weight'] = np.ascontiguousarray(w)
            out[wp + '.bias'] = b
        if bn is not None:
            bp = prefix + '_bn' if kind in ('bn_only', 'dense') else prefix + '.bn'
            out[bp + '.weight'] = get(bn + '/gamma')
            out[bp + '.bias'] = get(bn + '/beta')
            out[bp + '.running_mean'] = get(bn + '/moving_mean')
            out[bp + '.running_var'] = get(bn + '/moving_variance')
    return out


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    ckpt_dir, dest = sys.argv[1], sys.argv[2]
    # The wheel's checkpoint has an empty basename: its prefix is the directory plus '/'.
    reader = tf.compat.v1.train.NewCheckpointReader(os.path.join(ckpt_dir, ''))
    tensors = convert(reader)
    name = os.path.basename(os.path.normpath(ckpt_dir))
    if name not in ('MSD_musicnn', 'MTT_musicnn'):
        sys.exit(f'{ckpt_dir}: expected a MSD_musicnn/ or MTT_musicnn/ checkpoint folder')
    labels = MSD_LABELS if name == 'MSD_musicnn' else MTT_LABELS
    metadata = {
        'model': name,
        'source': f'musicnn 0.1.0 (PyPI wheel, ISC licence), musicnn/{name} checkpoint',
        'paper': 'Pons & Serra, musicnn: pre-trained convolutional neural networks for music '
                 'audio tagging, ISMIR 2019 LBD',
        'tags': json.dumps(labels),
        'batch_norm_epsilon': '0.001',
    }
    save_file(tensors, dest, metadata=metadata)
    n = sum(t.size for t in tensors.values())
    print(f'wrote {dest}: {len(tensors)} tensors, {n} parameters')


if __name__ == '__main__':
    main()
