#!/usr/bin/env bash
# The long CPU runs of issue 17 (models/FER.md, "Stage 5" to "Stage 7"): FerNet 40/80/160 on
# random 44×44 crops, distilled from precomputed teacher logits (tools/fer/teach.py), ending in
# epochs at lr 0.005 that are averaged (SWA; the schedules are below). Stage 5's teacher was the
# stage-4 model, stage 6's the ensemble of stages 4 and 5, stages 7 and 8 that of stages 4 to 6,
# stage 9's the stage-8 model alone (the best teacher on val of every ensemble of them). In
# the background at nice 19 with 2 torch threads; rerunning this script resumes after the last
# finished epoch (OUT/last.pt), so it is also the resume command. Progress: OUT/log.jsonl.
#   bash tools/fer/run-wide.sh            # stage 9 (the default): a 240-epoch schedule, over
#                                         # several sessions
#   STAGE=8 bash tools/fer/run-wide.sh    # stages 5-8 have finished: AGAIN=1 reruns one
#   bash tools/fer/run-wide.sh --save     # copy last.pt and the log into tools/fer/ (to commit,
#                                         # so that a fresh machine resumes from there)
#   PY=/path/to/python DATA=/path/to/fer2013 bash tools/fer/run-wide.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-/tmp/ferenv/bin/python}
DATA=${DATA:-../shared/datasets/fer2013}
[ -f "$DATA/train.npz" ] || DATA=/work/shared/datasets/fer2013
STAGE=${STAGE:-9}
CK=tools/fer/checkpoints
case "$STAGE" in
    5) OUT=${OUT:-target/fer-w40c44}; TEACHER=target/fer-teacher/stage4-swa.npz
       TEACH=(--ckpt "$CK/stage4-swa.pt") ;;
    6) OUT=${OUT:-target/fer-stage6}; TEACHER=target/fer-teacher/stage4+5.npz
       TEACH=(--ckpt "$CK/stage4-swa.pt" --ckpt "$CK/stage5-swa.pt") ;;
    7) OUT=${OUT:-target/fer-stage7}; TEACHER=target/fer-teacher/stage4+5+6.npz
       TEACH=(--ckpt "$CK/stage4-swa.pt" --ckpt "$CK/stage5-swa.pt" --ckpt "$CK/stage6-swa.pt") ;;
    8) OUT=${OUT:-target/fer-stage8}; TEACHER=target/fer-teacher/stage4+5+6.npz
       TEACH=(--ckpt "$CK/stage4-swa.pt" --ckpt "$CK/stage5-swa.pt" --ckpt "$CK/stage6-swa.pt") ;;
    9) OUT=${OUT:-target/fer-stage9}; TEACHER=target/fer-teacher/stage8.npz
       TEACH=(--ckpt "$CK/stage8-swa.pt") ;;
    *) echo "STAGE must be 5, 6, 7, 8 or 9" >&2; exit 2 ;;
esac
# Stages 5 and 6: from scratch, one 100-epoch cosine whose last 20 epochs are averaged. Stage 7: a
# second SWA phase from stage 5's average (a warm start), 20 epochs held at lr 0.005 and averaged,
# distilled from the ensemble of stages 4, 5 and 6. Stage 8: the length of the schedule, the one
# dimension stages 5-7 left alone: from scratch, a 200-epoch cosine then 40 averaged epochs
# (2.4 times stage 5's), the same teacher as stage 7. Stage 9: stage 8's schedule and seed 9, its
# teacher stage 8 itself (a born-again student of the best model so far).
if [ "$STAGE" = 7 ]; then
    SCHEDULE=(--epochs 20 --swa-epochs 20 --lr 0.005 --init "$CK/stage5-swa.pt")
elif [ "$STAGE" -ge 8 ]; then
    SCHEDULE=(--epochs 240 --swa-epochs 40 --lr 0.1)
else
    SCHEDULE=(--epochs 100 --swa-epochs 20 --lr 0.1)
fi
SAVED=$CK/stage$STAGE-last.pt
SAVED_LOG=tools/fer/logs/stage$STAGE.jsonl
mkdir -p "$OUT" "$(dirname "$TEACHER")"
if [ "${1:-}" = "--save" ]; then
    cp "$OUT/last.pt" "$SAVED" && cp "$OUT/log.jsonl" "$SAVED_LOG"
    echo "saved $SAVED and $SAVED_LOG"; exit 0
fi
FINISHED=$CK/stage$STAGE-swa.pt
if [ -z "${AGAIN:-}" ] && [ ! -f "$SAVED" ] && { [ -f "$FINISHED" ] || grep -qs swa_averaged "$SAVED_LOG"; }; then
    # Its epochs are done (models/FER.md): nothing to resume; a new run would start again from
    # epoch 0. (Stage 7's average was not kept, only its log: it scored within noise of stage 5.)
    echo "stage $STAGE is finished: see $SAVED_LOG and models/FER.md"; exit 0
fi
if [ ! -f "$OUT/last.pt" ] && [ -f "$SAVED" ]; then
    cp "$SAVED" "$OUT/last.pt" && cp "$SAVED_LOG" "$OUT/log.jsonl"
    echo "resuming from $SAVED"
fi
if [ -f "$OUT/train.pid" ] && kill -0 "$(cat "$OUT/train.pid")" 2>/dev/null; then
    echo "already running: pid $(cat "$OUT/train.pid")"; exit 0
fi
if [ ! -f "$TEACHER" ]; then
    nice -n 19 "$PY" tools/fer/teach.py "${TEACH[@]}" --data "$DATA" --out "$TEACHER"
fi
nohup nice -n 19 "$PY" tools/fer/train.py --data "$DATA" --out "$OUT" \
    "${SCHEDULE[@]}" --swa-lr 0.005 --seed "$STAGE" --threads 2 \
    --width 40,80,160 --crop 44 --shift 0.08 --channels-last \
    --teacher "$TEACHER" --kd-alpha 0.5 --kd-t 2 --select single \
    >> "$OUT/train.out" 2>&1 &
echo $! > "$OUT/train.pid"
echo "started: pid $! (log $OUT/log.jsonl, output $OUT/train.out)"
