#!/usr/bin/env python3
"""Time the peer: the `fer` package's whole pipeline on 640x480 frames, in ms per frame.

`FER().detect_emotions(frame)` as a user calls it: grayscale, OpenCV Haar-cascade face detection
(scaleFactor 1.1, minNeighbors 5), square crop with offsets, resize to 64x64, the quantised
mini-Xception (TFLite, `use_tflite=True`, the default) per face. Frames: the same ones mien's
detector benchmark uses (tests/fixtures/blazeface/frame_{a,b,c}.jpg), decoded once up front and
cycled. One warm-up pass, then RUNS timed calls; prints median, p90 and mean, plus the time of
the Haar detection alone and faces found per frame.

Setup (what was measured, see models/BLAZEFACE.md):
  /tmp/mnenv/bin/pip install --no-deps fer==25.10.3 'opencv-python-headless<5' pillow
  (TensorFlow 2.15 is already in that venv; fer's other dependencies are not needed for this.)
Run, with the machine otherwise idle, 2 threads as mien gets:
  TF_NUM_INTEROP_THREADS=1 TF_NUM_INTRAOP_THREADS=2 /tmp/mnenv/bin/python \\
      tools/fer-peer/bench_fer.py [RUNS] [FRAME.jpg ...]
"""

import os
import statistics
import sys
import time

import cv2
from fer.fer import FER

HERE = os.path.dirname(os.path.abspath(__file__))
FRAMES = [os.path.join(HERE, "..", "..", "tests", "fixtures", "blazeface", f"frame_{c}.jpg")
          for c in "abc"]


def timed(fn, frames, runs):
    for frame in frames:
        fn(frame)
    times = []
    for i in range(runs):
        frame = frames[i % len(frames)]
        start = time.perf_counter()
        fn(frame)
        times.append((time.perf_counter() - start) * 1e3)
    times.sort()
    return statistics.median(times), times[int(0.9 * (len(times) - 1))], statistics.fmean(times)


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 300
    paths = sys.argv[2:] or FRAMES
    frames = []
    for path in paths:
        frame = cv2.imread(path)
        if frame is None:
            sys.exit(f"cannot read {path}")
        frames.append(frame)
    cv2.setNumThreads(2)
    detector = FER()  # Haar cascade + quantised mini-Xception (TFLite)
    faces = [len(detector.detect_emotions(f)) for f in frames]
    whole = timed(detector.detect_emotions, frames, runs)
    haar = timed(lambda f: detector.find_faces(f, bgr=True), frames, runs)
    print(f"frames: {[os.path.basename(p) for p in paths]} {[f.shape[1::-1] for f in frames]}")
    print(f"faces found per frame: {faces}")
    print(f"fer detect_emotions: median {whole[0]:.2f} ms, p90 {whole[1]:.2f}, mean {whole[2]:.2f}"
          f" ({runs} runs)")
    print(f"  of which Haar detection: median {haar[0]:.2f} ms, p90 {haar[1]:.2f}, mean {haar[2]:.2f}")


if __name__ == "__main__":
    main()
