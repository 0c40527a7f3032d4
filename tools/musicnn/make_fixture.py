#!/usr/bin/env python3
"""Write the musicnn parity fixtures in tests/fixtures/musicnn/ by running the ORIGINAL musicnn
(TensorFlow graph from musicnn/models.py, MSD_musicnn checkpoint, librosa front end from
musicnn/extractor.py) on short clips of the bundled library.

Usage (see tests/fixtures/musicnn/README.md for the versions):
    python tools/musicnn/make_fixture.py /path/to/wheel/root tests/fixtures/musicnn
where /path/to/wheel/root contains the unpacked `musicnn/` package (models.py, extractor.py,
configuration.py, MSD_musicnn/).

Fixtures written:
- `<clip>.json` for each library clip: one 187x96 input patch (the middle patch of musicnn's own
  non-overlapping batching), rounded to 5 significant digits, and the 50 sigmoid outputs TF gives
  FOR THAT ROUNDED PATCH (so both implementations see identical input); plus `mean_probs`, the
  mean over all of musicnn's patches of the whole clip as extractor.batch_data computes them
  (librosa.load with soxr resampling), for the looser end-to-end test.
- `clip16k.wav` (3 s, 16 kHz mono, 16-bit PCM, from a library track resampled by librosa) and
  `clip16k.json`: librosa's mel power spectrogram of that WAV (before musicnn's float16 cast and
  log), rounded to 5 significant digits, and TF's outputs for the first patch of the exact
  musicnn pipeline on that WAV (no resampling happens at 16 kHz).
"""
import json
import os
import sys

import numpy as np

LIBRARY = 'library/Maxstack'
CLIPS = [
    ('awakening', 'Endgame Singularity Original Soundtrack/02 - Awakening.flac'),
    ('coherence', 'Endgame Singularity Original Soundtrack/04 - Coherence.wav'),
    ('enemy_unknown', 'Endgame Singularity (Advanced Research)/02 - Enemy Unknown.ogg'),
]
CLIP16K_SOURCE = 'Endgame Singularity Original Soundtrack/05 - Deprecation.aiff'
CLIP16K_OFFSET_S = 2.0
CLIP16K_SECONDS = 3.0
N_FRAMES = 187


def round_sig(a, digits=5):
    """float32 values rounded to `digits` significant digits (as written to JSON)."""
    return np.array([float(f'{v:.{digits}g}') for v in np.ravel(a)], dtype=np.float32).reshape(a.shape)


def as_list(a, digits=5):
    return [float(f'{v:.{digits}g}') for v in np.ravel(a)]


def main():
    wheel_root, out_dir = sys.argv[1], sys.argv[2]
    sys.path.insert(0, wheel_root)
    import librosa
    import soundfile as sf
    import tensorflow as tf
    from musicnn import configuration as config
    from musicnn import extractor, models  # extractor disables eager execution on import

    tf.compat.v1.reset_default_graph()
    with tf.name_scope('model'):
        x = tf.compat.v1.placeholder(tf.float32, [None, N_FRAMES, config.N_MELS])
        is_training = tf.compat.v1.placeholder(tf.bool)
        y = models.define_model(x, is_training, 'MSD_musicnn', len(config.MSD_LABELS))[0]
        probs = tf.nn.sigmoid(y)
    sess = tf.compat.v1.Session()
    sess.run(tf.compat.v1.global_variables_initializer())
    tf.compat.v1.train.Saver().restore(sess, os.path.join(wheel_root, 'musicnn', 'MSD_musicnn', ''))
    run = lambda batch: sess.run(probs, feed_dict={x: batch, is_training: False})

    os.makedirs(out_dir, exist_ok=True)
    for name, rel in CLIPS:
        path = os.path.join(LIBRARY, rel)
        batch, _ = extractor.batch_data(path, N_FRAMES, N_FRAMES)
        mid = len(batch) // 2
        patch = round_sig(batch[mid])
        fixture = {
            'clip': name,
            'source': path,
            'patch_index': mid,
            'start_frame': mid * N_FRAMES,
            'patch': as_list(patch),
            'probs': [float(v) for v in run(patch[None])[0]],
            'n_patches': len(batch),
            'mean_probs': [float(v) for v in run(batch).mean(axis=0)],
            'tags': config.MSD_LABELS,
        }
        with open(os.path.join(out_dir, name + '.json'), 'w') as f:
            json.dump(fixture, f, separators=(',', ':'))
        print(name, 'patches', len(batch), 'top', sorted(zip(fixture['probs'], config.MSD_LABELS))[-3:])

    # The 16 kHz clip: musicnn's exact path (no resampling).
    src = os.path.join(LIBRARY, CLIP16K_SOURCE)
    audio, _ = librosa.load(src, sr=config.SR, offset=CLIP16K_OFFSET_S, duration=CLIP16K_SECONDS)
    wav = os.path.join(out_dir, 'clip16k.wav')
    sf.write(wav, audio, config.SR, subtype='PCM_16')
    audio, sr = librosa.load(wav, sr=config.SR)  # what the reference reads back
    mel = librosa.feature.melspectrogram(y=audio, sr=sr, hop_length=config.FFT_HOP,
                                         n_fft=config.FFT_SIZE, n_mels=config.N_MELS).T
    batch, _ = extractor.batch_data(wav, N_FRAMES, N_FRAMES)
    fixture = {
        'clip': 'clip16k',
        'source': f'{src} from {CLIP16K_OFFSET_S} s for {CLIP16K_SECONDS} s, librosa soxr_hq to 16 kHz',
        'frames': mel.shape[0],
        'mels': mel.shape[1],
        'mel_power': as_list(mel),
        'probs': [float(v) for v in run(batch[:1])[0]],
        'tags': config.MSD_LABELS,
    }
    with open(os.path.join(out_dir, 'clip16k.json'), 'w') as f:
        json.dump(fixture, f, separators=(',', ':'))
    print('clip16k frames', mel.shape[0], 'patches', len(batch))


if __name__ == '__main__':
    main()
