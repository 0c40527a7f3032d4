#!/usr/bin/env bash
# Fetches the free game-music packages of the instrumental development set (docs/MOOD.md) from
# Debian by name, unpacks them under DIR/<package>/ and writes DIR/labels.tsv with
# tools/mood/label_instrumental.py (labels from the tracks' titles). Nothing here is committed:
# the audio stays in DIR. Debian's wesnoth-*-music packages are held back for independent
# scoring and are never used.
#
# Usage: tools/mood/fetch-instrumental.sh DIR [PYTHON]
#   then: mien eval-mood DIR     (or --dump FILE for tools/mood/fit_head.py)
set -euo pipefail
dir=${1:?usage: fetch-instrumental.sh DIR [PYTHON]}
python=${2:-python3}
here=$(cd "$(dirname "$0")" && pwd)
packages=(singularity-music asc-music hyperrogue-music flare-game freedroidrpg-data
  hedgewars-data lincity-ng-data marsshooter-data openclonk-data supertux-data widelands-data
  xmoto-data extremetuxracer-data supertuxkart-data 0ad-data)
mkdir -p "$dir/debs"
cd "$dir/debs"
for p in "${packages[@]}"; do
  ls "${p}"_*.deb >/dev/null 2>&1 || apt-get download -q "$p"
done
cd "$dir"
for p in "${packages[@]}"; do
  [ -d "$p" ] && continue
  mkdir -p "$p.tmp"
  if [ "$p" = 0ad-data ]; then
    # 0 A.D. keeps its data in one zip; only its music is unpacked.
    zip=./usr/share/games/0ad/mods/public/public.zip
    dpkg-deb --fsys-tarfile debs/${p}_*.deb | tar -x -C "$p.tmp" "$zip"
    (cd "$p.tmp" && unzip -q -o "$zip" 'audio/music/*.ogg' && rm -f "$zip")
  else
    dpkg-deb -x debs/${p}_*.deb "$p.tmp"
  fi
  mv "$p.tmp" "$p"
done
"$python" "$here/label_instrumental.py" "$dir" > "$dir/labels.tsv"
echo "wrote $dir/labels.tsv: $(grep -vc '^#\|^file' "$dir/labels.tsv") labelled tracks" >&2
