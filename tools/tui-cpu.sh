#!/usr/bin/env bash
# Measures the interactive player's CPU use, as a person would leave it: idle (stopped), playing
# (to the null output on machines without a sound card) and paused. Runs the real binary in a
# tmux pseudo-terminal on the bundled library and reads utime+stime from /proc/PID/stat.
# Usage: tools/tui-cpu.sh [BINARY] [SECONDS]
set -euo pipefail
bin=$(realpath "${1:-target/release/mien}")
secs=${2:-10}
tmp=$(mktemp -d)
sock="mien-cpu-$$"
trap 'tmux -L "$sock" kill-server 2>/dev/null || true; rm -rf "$tmp"' EXIT
mkdir -p "$tmp/config"
# Steady state: the library scanned and its moods tagged beforehand, so the player's background
# scan and mood tagger find nothing to do (a first start tags every track once, at nice 19).
"$bin" --data-dir "$tmp/data" scan >/dev/null
find library -type f \( -name '*.mp3' -o -name '*.flac' -o -name '*.ogg' -o -name '*.wav' \
  -o -name '*.aiff' -o -name '*.m4a' -o -name '*.opus' \) -exec "$bin" --data-dir "$tmp/data" tag {} + >/dev/null
tmux -L "$sock" new-session -d -x 100 -y 30 \
  "XDG_CONFIG_HOME=$tmp/config exec $bin --data-dir $tmp/data"
sleep 5
pid=$(pgrep -f "^$bin --data-dir $tmp/data" | head -n 1)
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
measure() {
  local a b
  a=$(ticks); sleep "$1"; b=$(ticks)
  awk -v a="$a" -v b="$b" -v hz="$hz" -v s="$1" 'BEGIN { printf "%.2f", (b - a) * 100 / hz / s }'
}
keys() { for k in "$@"; do tmux -L "$sock" send-keys "$k"; sleep 0.3; done; }
echo "idle (stopped): $(measure "$secs")% of a core"
# Artist -> first album (Advanced Research) -> first track, a 20 s mp3: pause it at once and
# measure, then resume and measure playing for at most 15 s so the track does not end meanwhile.
keys Enter Enter Enter
sleep 1
keys Space
sleep 2
echo "paused:         $(measure "$secs")% of a core"
keys Space
sleep 1
play=$(( secs < 15 ? secs : 15 ))
echo "playing mp3:    $(measure "$play")% of a core (over ${play} s)"
keys q
