#!/usr/bin/env bash
# The long CPU run of issue 17 (models/FER.md, "Stage 5"): FerNet 40/80/160 on random 44×44
# crops, distilled from the shipped model's flip-averaged logits, 100 epochs of one cosine
# schedule whose last 20 hold lr 0.005 and are averaged (SWA). In the background at nice 19 with
# 2 torch threads; rerunning this script resumes after the last finished epoch (target/fer-w40c44/
# last.pt), so it is also the resume command. Progress: target/fer-w40c44/log.jsonl.
#   bash tools/fer/run-wide.sh            # start or resume
#   bash tools/fer/run-wide.sh --save     # copy last.pt and the log into tools/fer/ (to commit,
#                                         # so that a fresh machine resumes from there)
#   PY=/path/to/python DATA=/path/to/fer2013 bash tools/fer/run-wide.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-/tmp/ferenv/bin/python}
DATA=${DATA:-../shared/datasets/fer2013}
[ -f "$DATA/train.npz" ] || DATA=/work/shared/datasets/fer2013
OUT=${OUT:-target/fer-w40c44}
TEACHER=target/fer-teacher/stage4-swa.npz
SAVED=tools/fer/checkpoints/stage5-last.pt
SAVED_LOG=tools/fer/logs/stage5.jsonl
mkdir -p "$OUT" "$(dirname "$TEACHER")"
if [ "${1:-}" = "--save" ]; then
    cp "$OUT/last.pt" "$SAVED" && cp "$OUT/log.jsonl" "$SAVED_LOG"
    echo "saved $SAVED and $SAVED_LOG"; exit 0
fi
FINISHED=tools/fer/checkpoints/stage5-swa.pt
if [ ! -f "$OUT/last.pt" ] && [ ! -f "$SAVED" ] && [ -f "$FINISHED" ]; then
    # Its 100 epochs are done (models/FER.md, "Stage 5"): nothing to resume; a new run would
    # start again from epoch 0.
    echo "stage 5 is finished: its SWA average is $FINISHED"; exit 0
fi
if [ ! -f "$OUT/last.pt" ] && [ -f "$SAVED" ]; then
    cp "$SAVED" "$OUT/last.pt" && cp "$SAVED_LOG" "$OUT/log.jsonl"
    echo "resuming from $SAVED"
fi
if [ -f "$OUT/train.pid" ] && kill -0 "$(cat "$OUT/train.pid")" 2>/dev/null; then
    echo "already running: pid $(cat "$OUT/train.pid")"; exit 0
fi
if [ ! -f "$TEACHER" ]; then
    nice -n 19 "$PY" tools/fer/teach.py --ckpt tools/fer/checkpoints/stage4-swa.pt \
        --data "$DATA" --out "$TEACHER"
fi
nohup nice -n 19 "$PY" tools/fer/train.py --data "$DATA" --out "$OUT" \
    --epochs 100 --swa-epochs 20 --lr 0.1 --swa-lr 0.005 --seed 5 --threads 2 \
    --width 40,80,160 --crop 44 --shift 0.08 --channels-last \
    --teacher "$TEACHER" --kd-alpha 0.5 --kd-t 2 --select single \
    >> "$OUT/train.out" 2>&1 &
echo $! > "$OUT/train.pid"
echo "started: pid $! (log $OUT/log.jsonl, output $OUT/train.out)"
