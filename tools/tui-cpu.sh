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
tmux -L "$sock" new-session -d -x 100 -y 30 \
  "XDG_CONFIG_HOME=$tmp/config exec $bin --data-dir $tmp/data"
sleep 3
pid=$(pgrep -f "^$bin --data-dir $tmp/data" | head -n 1)
hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
measure() {
  local a b
  a=$(ticks); sleep "$secs"; b=$(ticks)
  awk -v a="$a" -v b="$b" -v hz="$hz" -v s="$secs" 'BEGIN { printf "%.2f", (b - a) * 100 / hz / s }'
}
keys() { for k in "$@"; do tmux -L "$sock" send-keys "$k"; sleep 0.3; done; }
echo "idle (stopped): $(measure)% of a core"
# Artist -> first album (Advanced Research) -> first track (a 20 s mp3), played for $secs s.
keys Enter Enter Enter
sleep 2
echo "playing mp3:    $(measure)% of a core"
keys Space
sleep 2
echo "paused:         $(measure)% of a core"
keys q
