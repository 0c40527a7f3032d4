#!/usr/bin/env python3
"""Make tests/fixtures/blazeface/: test images and the reference outputs of BlazeFace short-range.

Images come from scikit-image's bundled data (astronaut.png: NASA, public domain; coffee.png:
CC0, Rachel Michetti), cut and scaled here so the committed files stay small:
  face_close.png   128x128  the astronaut's head and shoulders (face ~50 px)
  face_far.png     128x128  the whole astronaut picture (face ~24 px)
  face_tilted.png  128x128  face_close's source crop rotated 25 degrees counter-clockwise
  no_face.png      128x128  the coffee cup
  frame_a.jpg      640x480  the astronaut, 4:3 crop of the top of the picture (face ~120 px)
  frame_b.jpg      640x480  the astronaut at 440x440 on a grey wall, off centre (face ~80 px)
  frame_c.jpg      640x480  frame_a mirrored and tilted 12 degrees clockwise
The 128x128 PNGs are exactly the model's input size, so the input tensor is pixel/127.5 - 1 with
no resampling and the port sees bit-identical input.

reference.json holds, per 128x128 image, the raw outputs of the .tflite run by TensorFlow Lite's
reference kernels (tf 2.15 `tf.lite.Interpreter`, no delegate): all 896 score logits and the 16
regressor values of every anchor whose logit is above -1 plus every 32nd anchor (all
values rounded to 5 decimals, far inside the test's 1e-4); and, for every
image and frame, the detections of mediapipe 0.10.21's own FaceDetection solution
(model_selection=0, min_detection_confidence=0.5) in pixels: bbox [x0,y0,x1,y1], score and the
six keypoints.

Usage (scikit-image's wheel unzipped to /tmp/ski, mediapipe's wheel installed with
`pip install --no-deps --target /tmp/mp`):
  PYTHONPATH=/tmp/mp /tmp/mnenv/bin/python tools/blazeface/make_fixture.py \
      /tmp/ski/skimage/data FACE_DETECTION_SHORT_RANGE.tflite tests/fixtures/blazeface
"""

import json
import os
import sys
import types

import cv2
import numpy as np
import tensorflow as tf


def mediapipe_face_detection():
    # mediapipe's solutions package imports matplotlib and attrs for drawing and objectron only;
    # stub them so the face detector runs without installing either.
    mpl = types.ModuleType("matplotlib")
    mpl.pyplot = types.ModuleType("matplotlib.pyplot")
    attr = types.ModuleType("attr")
    attr.s = lambda *a, **k: (lambda c: c)
    attr.ib = lambda *a, **k: None
    sys.modules.update({"matplotlib": mpl, "matplotlib.pyplot": mpl.pyplot, "attr": attr})
    from mediapipe.python.solutions import face_detection
    return face_detection.FaceDetection(model_selection=0, min_detection_confidence=0.5)


def rotate(img, degrees, border=cv2.BORDER_REFLECT):
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2, h / 2), degrees, 1.0)
    return cv2.warpAffine(img, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=border)


def make_images(data):
    astro = cv2.imread(os.path.join(data, "astronaut.png"))  # BGR, 512x512
    coffee = cv2.imread(os.path.join(data, "coffee.png"))  # 600x400
    area = cv2.INTER_AREA
    crop = astro[0:256, 96:352]
    pngs = {
        "face_close.png": cv2.resize(crop, (128, 128), interpolation=area),
        "face_far.png": cv2.resize(astro, (128, 128), interpolation=area),
        "face_tilted.png": cv2.resize(rotate(astro, 25)[0:256, 96:352], (128, 128), interpolation=area),
        "no_face.png": cv2.resize(coffee, (192, 128), interpolation=area)[:, 32:160],
    }
    frame_a = cv2.resize(astro[0:384, :], (640, 480), interpolation=area)
    frame_b = np.full((480, 640, 3), 128, np.uint8)
    frame_b[40:480, 170:610] = cv2.resize(astro, (440, 440), interpolation=area)[:, :]
    frame_c = rotate(frame_a[:, ::-1].copy(), -12)
    jpgs = {"frame_a.jpg": frame_a, "frame_b.jpg": frame_b, "frame_c.jpg": frame_c}
    return pngs, jpgs


def f32(values):
    return [round(float(v), 5) for v in values]


def detections(detector, bgr):
    h, w = bgr.shape[:2]
    result = detector.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
    faces = []
    for d in result.detections or []:
        b = d.location_data.relative_bounding_box
        faces.append({
            "score": f32([d.score[0]])[0],
            "bbox": f32([b.xmin * w, b.ymin * h, (b.xmin + b.width) * w, (b.ymin + b.height) * h]),
            "keypoints": [f32([k.x * w, k.y * h]) for k in d.location_data.relative_keypoints],
        })
    return faces


def main(data, model, out):
    os.makedirs(out, exist_ok=True)
    pngs, jpgs = make_images(data)
    for name, img in pngs.items():
        cv2.imwrite(os.path.join(out, name), img, [cv2.IMWRITE_PNG_COMPRESSION, 9])
    for name, img in jpgs.items():
        cv2.imwrite(os.path.join(out, name), img, [cv2.IMWRITE_JPEG_QUALITY, 80])

    it = tf.lite.Interpreter(
        model_path=model,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    inp = it.get_input_details()[0]["index"]
    outs = {d["name"]: d["index"] for d in it.get_output_details()}
    detector = mediapipe_face_detection()

    images = []
    for name in pngs:
        # Read back what was written, as the Rust test does.
        bgr = cv2.imread(os.path.join(out, name))
        rgb = cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB).astype(np.float32)
        it.set_tensor(inp, (rgb / 127.5 - 1.0)[None])
        it.invoke()
        logits = it.get_tensor(outs["classificators"])[0, :, 0]
        reg = it.get_tensor(outs["regressors"])[0]
        rows = sorted(set(np.flatnonzero(logits > -1.0).tolist()) | set(range(0, 896, 32)))
        images.append({
            "file": name,
            "logits": f32(logits),
            "regressor_anchors": rows,
            "regressors": [f32(reg[r]) for r in rows],
            "mediapipe": detections(detector, bgr),
        })
        print(name, "max logit", logits.max(), "faces", len(images[-1]["mediapipe"]))
    frames = []
    for name in jpgs:
        bgr = cv2.imread(os.path.join(out, name))
        frames.append({"file": name, "mediapipe": detections(detector, bgr)})
        print(name, "faces", len(frames[-1]["mediapipe"]))
    with open(os.path.join(out, "reference.json"), "w") as f:
        json.dump({"model": "face_detection_short_range.tflite (mediapipe 0.10.21)",
                   "images": images, "frames": frames}, f, separators=(",", ":"))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: make_fixture.py SKIMAGE_DATA_DIR MODEL.tflite OUT_DIR")
    main(*sys.argv[1:])
