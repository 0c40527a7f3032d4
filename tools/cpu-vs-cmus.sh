#!/usr/bin/env bash
# cpu-vs-cmus.sh - CPU of mien and of cmus playing the same MP3 to the same sound server.
#
# Starts a private PulseAudio (own XDG_RUNTIME_DIR, a null sink at 44.1 kHz s16le, no other
# modules), then, in each round, runs mien's TUI and cmus's TUI (output_plugin=pulse) one after
# the other in tmux, each alone on the server, and reads utime+stime from /proc/PID/stat of the
# player and of the server over SECONDS per state: playing, paused, stopped. Prints one table of
# % of a core (ticks over wall time), the player, the server, and the two together.
#
# Each state is measured after SETTLE seconds (default 3), so that what a key press sets off
# (mien saves the queue durably on pause; either player closes or corks its stream) is done.
#
# Usage: tools/cpu-vs-cmus.sh [-b BINARY] [-s SECONDS] [-r ROUNDS] [-o mien|cmus] [MP3]
#   -o runs only one of the two players (to try settings; the comparison needs both).
#   MP3 defaults to a 60 s, 192 kbit/s excerpt of "Aberrations" made with ffmpeg from the Debian
#   package singularity-music (apt-get download; CC BY-SA 3.0, see library/LICENSE.md).
# Extra mien config lines can be given in MIEN_PLAYBACK (e.g. MIEN_PLAYBACK='buffer_ms = 40').
# Needs: pulseaudio, pactl, cmus, cmus-remote, tmux (tools/install-deps.sh installs them; cmus only
# for this script), and ffmpeg + apt-get only when no MP3 is given.
set -euo pipefail

bin=target/release/mien
secs=20
rounds=2
only=""
settle=${SETTLE:-3}
while getopts "b:s:r:o:" opt; do
  case $opt in
    b) bin=$OPTARG ;;
    s) secs=$OPTARG ;;
    r) rounds=$OPTARG ;;
    o) only=$OPTARG ;;
    *) echo "usage: $0 [-b BINARY] [-s SECONDS] [-r ROUNDS] [-o mien|cmus] [MP3]" >&2; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
bin=$(realpath "$bin")
for tool in pulseaudio pactl cmus cmus-remote tmux; do
  command -v "$tool" >/dev/null || { echo "cpu-vs-cmus: $tool is missing (apt-get install pulseaudio pulseaudio-utils cmus tmux)" >&2; exit 1; }
done

tmp=$(mktemp -d)
sock="cpu-vs-cmus-$$"
export XDG_RUNTIME_DIR=$tmp/run
mkdir -m 700 "$XDG_RUNTIME_DIR" "$tmp/home"
server_pid=""
cleanup() {
  tmux -L "$sock" kill-server 2>/dev/null || true
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# --- the MP3 ------------------------------------------------------------------------------------
mkdir -p "$tmp/music"
if [[ $# -ge 1 ]]; then
  cp "$1" "$tmp/music/track.mp3"
else
  command -v ffmpeg >/dev/null || { echo "cpu-vs-cmus: give an MP3 or install ffmpeg" >&2; exit 1; }
  (cd "$tmp" && apt-get download singularity-music=007-2 >/dev/null 2>&1)
  dpkg-deb -x "$tmp"/singularity-music_*.deb "$tmp/pkg"
  ffmpeg -hide_banner -nostdin -loglevel error -ss 30 \
    -i "$tmp/pkg/usr/share/games/singularity/music/Aberrations.ogg" -t 60 \
    -c:a libmp3lame -b:a 192k -ar 44100 -ac 2 -map_metadata -1 \
    -metadata title=Aberrations -metadata artist=Maxstack -metadata album=Bench \
    "$tmp/music/track.mp3"
fi
track=$tmp/music/track.mp3
echo "$track" >"$tmp/music/list.m3u"

# --- the server ---------------------------------------------------------------------------------
HOME=$tmp/home pulseaudio -n --daemonize --exit-idle-time=-1 --log-target=file:"$tmp/pulse.log" \
  --load="module-null-sink sink_name=nullsink rate=44100 format=s16le channels=2" \
  --load="module-native-protocol-unix auth-anonymous=1" 2>/dev/null
server_pid=$(cat "$XDG_RUNTIME_DIR/pulse/pid")
pactl set-default-sink nullsink

hz=$(getconf CLK_TCK)
ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
# measure PLAYER_PID -> "player server" in % of a core over $secs
measure() {
  [[ -e /proc/$server_pid/stat && -e /proc/$1/stat ]] || { echo "cpu-vs-cmus: the server or the player is gone" >&2; exit 1; }
  local p0 s0 p1 s1
  p0=$(ticks "$1"); s0=$(ticks "$server_pid")
  sleep "$secs"
  p1=$(ticks "$1"); s1=$(ticks "$server_pid")
  awk -v a="$p0" -v b="$p1" -v c="$s0" -v d="$s1" -v hz="$hz" -v s="$secs" \
    'BEGIN { printf "%.2f %.2f", (b - a) * 100 / hz / s, (d - c) * 100 / hz / s }'
}
wait_pid() { # pgrep pattern -> pid of the newest match
  local pid=""
  for _ in $(seq 50); do
    pid=$(pgrep -n -f "$1" || true)
    [[ -n $pid ]] && break
    sleep 0.2
  done
  [[ -n $pid ]] || { echo "cpu-vs-cmus: $1 did not start" >&2; exit 1; }
  echo "$pid"
}
results=$tmp/results
: >"$results"
record() { echo "$1 $2 $3" >>"$results"; } # player state "player% server%"

idle=$(measure "$server_pid" | cut -d' ' -f2)

run_mien() {
  local data=$tmp/mien-data cfg=$tmp/mien-config
  mkdir -p "$cfg/mien"
  printf '[ui]\nart = false\nmpris = false\n[playback]\nresume = false\n%s\n' \
    "${MIEN_PLAYBACK:-}" >"$cfg/mien/config.toml"
  local pid
  if [[ ! -d $data ]]; then
    # Steady state: scanned and mood-tagged beforehand, and started once for WARMUP seconds so
    # that the background loudness meter (nice 19) has measured the MP3: the measured runs'
    # background jobs find nothing to do.
    "$bin" --data-dir "$data" --library "$tmp/music" scan >/dev/null
    "$bin" --data-dir "$data" --library "$tmp/music" tag "$track" >/dev/null
    tmux -L "$sock" new-session -d -s mien -x 100 -y 30 \
      "XDG_CONFIG_HOME=$cfg exec $bin --data-dir $data --library $tmp/music"
    pid=$(wait_pid "^$bin --data-dir $data")
    sleep "${WARMUP:-15}"
    tmux -L "$sock" send-keys -t mien q
    while kill -0 "$pid" 2>/dev/null; do sleep 0.2; done
    tmux -L "$sock" kill-session -t mien 2>/dev/null || true
  fi
  tmux -L "$sock" new-session -d -s mien -x 100 -y 30 \
    "XDG_CONFIG_HOME=$cfg exec $bin --data-dir $data --library $tmp/music $tmp/music/list.m3u"
  pid=$(wait_pid "^$bin --data-dir $data")
  sleep "$settle"
  record mien playing "$(measure "$pid")"
  tmux -L "$sock" send-keys -t mien Space; sleep "$settle"
  record mien paused "$(measure "$pid")"
  tmux -L "$sock" send-keys -t mien S; sleep "$settle"
  record mien stopped "$(measure "$pid")"
  tmux -L "$sock" send-keys -t mien q
  sleep 1
  tmux -L "$sock" kill-session -t mien 2>/dev/null || true
}

run_cmus() {
  local home=$tmp/cmus
  mkdir -p "$home"
  printf 'set output_plugin=pulse\nset softvol=false\n' >"$home/rc"
  tmux -L "$sock" new-session -d -s cmus -x 100 -y 30 \
    "CMUS_HOME=$home HOME=$tmp/home exec cmus"
  local pid
  pid=$(wait_pid "^cmus$")
  # Without a session bus cmus reports that MPRIS is off and waits for a key.
  sleep 1
  tmux -L "$sock" send-keys -t cmus Enter
  for _ in $(seq 50); do [[ -S $XDG_RUNTIME_DIR/cmus-socket ]] && break; sleep 0.2; done
  cmus-remote -f "$track"
  sleep "$settle"
  record cmus playing "$(measure "$pid")"
  cmus-remote -u; sleep "$settle"
  record cmus paused "$(measure "$pid")"
  cmus-remote -s; sleep "$settle"
  record cmus stopped "$(measure "$pid")"
  cmus-remote -C quit || true
  sleep 1
  tmux -L "$sock" kill-session -t cmus 2>/dev/null || true
}

for _ in $(seq "$rounds"); do
  [[ $only == cmus ]] || run_mien
  [[ $only == mien ]] || run_cmus
done

echo "machine: $(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
  "load $(cut -d' ' -f1-3 /proc/loadavg); $rounds rounds of $secs s per state after $settle s;" \
  "server alone (no client): $idle% of a core"
echo "% of a core (mean over rounds; min-max in brackets)"
printf '%-8s %-8s %-20s %-20s %-20s\n' player state process server together
for p in mien cmus; do
  [[ -n $only && $only != "$p" ]] && continue
  for s in playing paused stopped; do
    awk -v p="$p" -v s="$s" '
      $1 == p && $2 == s { n++; a = $3; b = $4; c = a + b
        sa += a; sb += b; sc += c
        if (n == 1 || a < mina) mina = a; if (n == 1 || a > maxa) maxa = a
        if (n == 1 || b < minb) minb = b; if (n == 1 || b > maxb) maxb = b
        if (n == 1 || c < minc) minc = c; if (n == 1 || c > maxc) maxc = c }
      END { printf "%-8s %-8s %-20s %-20s %-20s\n", p, s,
              sprintf("%.2f [%.2f-%.2f]", sa / n, mina, maxa),
              sprintf("%.2f [%.2f-%.2f]", sb / n, minb, maxb),
              sprintf("%.2f [%.2f-%.2f]", sc / n, minc, maxc) }' "$results"
  done
done
