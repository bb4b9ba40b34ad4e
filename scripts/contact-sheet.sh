#!/usr/bin/env bash
# The README's contact sheet of drapes: the eight garment types (rows: t-shirt, shirt, hoodie,
# jacket, dress, skirt, trousers, shorts) in the six fabrics (columns: cotton, denim, silk,
# leather, knit, linen), one colour, sewn and draped on the female avatar (EU 38) with the CPU
# solver and rendered Realistic, then tiled with ImageMagick's `montage`. Each drape's report
# (steps, strain, depth) goes to a JSON-lines file beside the sheet.
#
#     scripts/contact-sheet.sh [OUT.png]      # default docs/drape-contact-sheet.png
#
# Needs a release build (`cargo build --release`) and ImageMagick; takes about 10 minutes on
# two cores with lavapipe.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-docs/drape-contact-sheet.png}
bin=target/release/healdeck
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
report="${out%.png}.jsonl"
: >"$report"
types=(tshirt shirt hoodie jacket dress skirt pants shorts)
fabrics=(cotton denim silk leather knit linen)
cells=()
for type in "${types[@]}"; do
  case $type in
    tshirt) extra=', "neckline": "v"' ;;
    dress) extra=', "length": 0.8' ;;
    skirt) extra=', "length": 0.6' ;;
    pants) extra=', "length": 0.9' ;;
    *) extra='' ;;
  esac
  for fabric in "${fabrics[@]}"; do
    spec="$work/$type-$fabric.json"
    cell="$work/$type-$fabric.png"
    printf '{"type": "%s", "fabric": "%s", "color": "#3d6fa8"%s}\n' "$type" "$fabric" "$extra" >"$spec"
    "$bin" drape --garment "$spec" --avatar female --size "EU 38" --solver cpu \
      --mode realistic --out "$cell" --json | grep '^{' >>"$report"
    # The figure stands in the middle of the square render: a portrait crop of it.
    convert "$cell" -gravity center -crop 62%x96%+0+0 +repage -resize 208x321 "$cell"
    cells+=("$cell")
    echo "$type $fabric" >&2
  done
done
montage "${cells[@]}" -tile 6x8 -geometry 208x321+1+1 -background '#3a3a3a' "$out"
echo "wrote $out and $report" >&2
