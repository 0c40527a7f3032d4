#!/usr/bin/env python3
"""Convert MediaPipe's BlazeFace short-range detector (TFLite) to safetensors for mien.

Source: `mediapipe/modules/face_detection/face_detection_short_range.tflite` in the mediapipe
0.10.21 wheel (Apache-2.0). The TFLite graph is walked op by op and every weight lands under the
name `src/vision/blazeface.rs` expects; the walk also checks the architecture is the one that file
implements (channel plan, strides, heads), so a different model fails loudly here.

Tensors written (float32, PyTorch/candle layouts):
  stem.weight [24,3,5,5] (OIHW, from TFLite OHWI), stem.bias [24]
  blocks.{i}.dw.weight [C,1,3,3] (from TFLite depthwise [1,3,3,C]), blocks.{i}.dw.bias [C]
  blocks.{i}.pw.weight [Cout,Cin,1,1] (from OHWI), blocks.{i}.pw.bias [Cout]     i = 0..15
  classifier_16.{weight,bias} [2,88,1,1]   regressor_16.{weight,bias} [32,88,1,1]
  classifier_8.{weight,bias}  [6,96,1,1]   regressor_8.{weight,bias}  [96,96,1,1]
The weights are stored as float16 in the .tflite (DEQUANTIZE ops); they are widened exactly.

Usage:
  pip download --no-deps mediapipe==0.10.21 --platform manylinux_2_28_x86_64 \
      --python-version 311 --only-binary=:all: -d /tmp/bf
  unzip -o /tmp/bf/mediapipe-0.10.21-*.whl \
      'mediapipe/modules/face_detection/face_detection_short_range.tflite' -d /tmp/bf
  /tmp/mnenv/bin/python tools/blazeface/convert.py \
      /tmp/bf/mediapipe/modules/face_detection/face_detection_short_range.tflite \
      models/blazeface-short.safetensors
"""

import sys

import numpy as np
import tensorflow as tf
from safetensors.numpy import save_file

# (in, out, stride) of the 16 BlazeBlocks, as src/vision/blazeface.rs `Config::short_range`.
BLOCKS = [(24, 24, 1), (24, 28, 1), (28, 32, 2), (32, 36, 1), (36, 42, 1), (42, 48, 2),
          (48, 56, 1), (56, 64, 1), (64, 72, 1), (72, 80, 1), (80, 88, 1), (88, 96, 2),
          (96, 96, 1), (96, 96, 1), (96, 96, 1), (96, 96, 1)]


def main(src, dst):
    it = tf.lite.Interpreter(
        model_path=src,
        experimental_op_resolver_type=tf.lite.experimental.OpResolverType.BUILTIN_WITHOUT_DEFAULT_DELEGATES)
    it.allocate_tensors()
    details = {t["index"]: t for t in it.get_tensor_details()}
    ops = [o for o in it._get_ops_details() if o["op_name"] != "DELEGATE"]
    # DEQUANTIZE: float16 constant -> float32 tensor. Map the float32 name back to its constant.
    deq = {o["outputs"][0]: o["inputs"][0] for o in ops if o["op_name"] == "DEQUANTIZE"}

    def const(idx):
        return np.asarray(it.get_tensor(deq.get(idx, idx)), dtype=np.float32)

    def shape(idx):
        return tuple(details[idx]["shape"].tolist())

    convs = [o for o in ops if o["op_name"] in ("CONV_2D", "DEPTHWISE_CONV_2D")]
    out = {}

    def put(name, op, depthwise=False):
        w, b = const(op["inputs"][1]), const(op["inputs"][2])
        w = w.transpose(3, 0, 1, 2) if depthwise else w.transpose(0, 3, 1, 2)
        out[f"{name}.weight"] = np.ascontiguousarray(w)
        out[f"{name}.bias"] = b

    stem = convs[0]
    assert stem["op_name"] == "CONV_2D" and shape(stem["inputs"][1]) == (24, 5, 5, 3), stem
    assert shape(stem["outputs"][0]) == (1, 64, 64, 24)
    put("stem", stem)

    body = convs[1:1 + 2 * len(BLOCKS)]
    for i, (cin, cout, stride) in enumerate(BLOCKS):
        dw, pw = body[2 * i], body[2 * i + 1]
        assert dw["op_name"] == "DEPTHWISE_CONV_2D" and pw["op_name"] == "CONV_2D", (i, dw, pw)
        assert shape(dw["inputs"][1]) == (1, 3, 3, cin), (i, shape(dw["inputs"][1]))
        assert shape(pw["inputs"][1]) == (cout, 1, 1, cin), (i, shape(pw["inputs"][1]))
        hin, hout = shape(dw["inputs"][0])[1], shape(dw["outputs"][0])[1]
        assert hin == hout * stride, (i, hin, hout, stride)
        put(f"blocks.{i}.dw", dw, depthwise=True)
        put(f"blocks.{i}.pw", pw)

    heads = convs[1 + 2 * len(BLOCKS):]
    expected = {(2, 88): "classifier_16", (6, 96): "classifier_8",
                (32, 88): "regressor_16", (96, 96): "regressor_8"}
    assert len(heads) == 4, len(heads)
    for op in heads:
        o, _, _, i = shape(op["inputs"][1])
        put(expected.pop((o, i)), op)
    assert not expected, expected

    # The output order the port reproduces: 16x16 anchors (2 per cell) then 8x8 (6 per cell).
    outs = it.get_output_details()
    assert sorted((d["name"], tuple(d["shape"])) for d in outs) == [
        ("classificators", (1, 896, 1)), ("regressors", (1, 896, 16))], outs

    n = sum(v.size for v in out.values())
    save_file(out, dst, metadata={
        "source": "mediapipe 0.10.21 face_detection_short_range.tflite",
        "licence": "Apache-2.0",
        "input": "[N,3,128,128] RGB in [-1,1]",
    })
    print(f"wrote {dst}: {len(out)} tensors, {n} parameters")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: convert.py FACE_DETECTION_SHORT_RANGE.tflite OUT.safetensors")
    main(sys.argv[1], sys.argv[2])
