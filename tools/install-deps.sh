#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages mien needs to build and test, and only those missing:
# ALSA headers (cpal), libclang (nokhwa's v4l2 bindings), a C toolchain and pkg-config, and tmux
# (the end-to-end tests drive the real binary in a tmux pseudo-terminal) and dbus (a private
# session bus for the MPRIS test). Uses sudo when not root.
set -euo pipefail
pkgs=(pkg-config gcc libc6-dev libasound2-dev libclang1 tmux dbus)
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
