#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages mien needs to build and test, and only those missing:
# ALSA headers (cpal), libopus (the Opus decoder is linked against it), libclang (nokhwa's v4l2
# bindings), a C toolchain and pkg-config, tmux (the end-to-end tests drive the real binary in a
# tmux pseudo-terminal), dbus (a private session bus for the MPRIS test), PulseAudio with its
# command-line tools (the sound-server tests start a private server with a null sink and record
# it with parec) and ALSA's PulseAudio plugin; and cmus, which only tools/cpu-vs-cmus.sh uses
# (no test needs it). `--bench` also installs ffmpeg, for tools/cpu-vs-cmus.sh's default MP3 and
# tools/make-library.sh. Uses sudo when not root.
set -euo pipefail
pkgs=(pkg-config gcc libc6-dev libasound2-dev libopus-dev libclang1 tmux dbus
      pulseaudio pulseaudio-utils libasound2-plugins cmus)
[[ ${1:-} == --bench ]] && pkgs+=(ffmpeg)
missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  echo "installing: ${missing[*]}" >&2
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
