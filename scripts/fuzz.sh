#!/usr/bin/env bash
# Fuzzes healdeck's hostile inputs with cargo-fuzz (libFuzzer): log bytes, rules files,
# redaction, garment specs, OBJ and glTF imports, and the JSON settings files.
#
#   scripts/fuzz.sh                 # every target for 600 s (10 CPU-minutes) each
#   scripts/fuzz.sh 60 redaction    # one target for a minute
#
# Needs the nightly toolchain (installed here through rustup if missing; the project itself
# builds on stable) and cargo-fuzz. Corpora live in fuzz/corpus/<target>/ and are minimized
# after each run to the inputs that reach new code (commit them); anything found goes to
# fuzz/artifacts/<target>/ — copy it to fuzz/regressions/<target>/ with a name saying what it
# found, fix it, and `cargo test -p healdeck-fuzz` replays it from then on. Logs and a summary
# (executions, coverage, findings per target) go to fuzz/logs/.
#
# Environment: FUZZ_SANITIZER (default none: the code is safe Rust, and without
# AddressSanitizer the runs are about twice as fast; `address` for the unsafe dependencies),
# FUZZ_RSS_MB (default 2048), FUZZ_TIMEOUT_S per input (default 10).
set -euo pipefail
cd "$(dirname "$0")/../fuzz"

seconds="${1:-600}"
shift || true
sanitizer="${FUZZ_SANITIZER:-none}"
rss_mb="${FUZZ_RSS_MB:-2048}"
timeout_s="${FUZZ_TIMEOUT_S:-10}"

rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked

if [ $# -gt 0 ]; then targets=("$@"); else mapfile -t targets < <(cargo +nightly fuzz list); fi
# Scratch files of the path-based harnesses go to a RAM disk when there is one.
if [ -w /dev/shm ]; then export TMPDIR=/dev/shm; fi

cargo +nightly fuzz build -s "$sanitizer"
triple=$(rustc +nightly -vV | sed -n 's/^host: //p')
mkdir -p logs
summary="logs/summary.txt"
status=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t" "artifacts/$t"
  dict=()
  if [ -f "dicts/$t.dict" ]; then dict=("-dict=dicts/$t.dict"); fi
  echo "== $t for ${seconds}s"
  set +e
  cargo +nightly fuzz run -s "$sanitizer" "$t" "corpus/$t" -- \
    -max_total_time="$seconds" -rss_limit_mb="$rss_mb" -timeout="$timeout_s" \
    -max_len=16384 -print_final_stats=1 "${dict[@]}" >"logs/$t.log" 2>&1
  rc=$?
  set -e
  # libFuzzer's last status line ("#N DONE cov: C ft: F corp: …") and its final stats.
  done_line=$(grep -aE '^#[0-9]+[[:space:]]+(DONE|RELOAD|pulse|NEW|REDUCE)' "logs/$t.log" | tail -1 || true)
  caught=$(grep -a 'caught panic at' "logs/$t.log" | sed 's/: panicked at.*//; s/.*caught panic at //' | sort -u | tr '\n' ' ' || true)
  execs=$(grep -E '^stat::number_of_executed_units' "logs/$t.log" | awk '{print $2}' || true)
  found=$(find "artifacts/$t" -type f | wc -l)
  printf '%-16s rc=%s execs=%s findings=%s  %s\n' "$t" "$rc" "${execs:-?}" "$found" "$done_line" | tee -a "$summary"
  if [ -n "$caught" ]; then echo "  panics caught by the import guard (third-party parsers): $caught" | tee -a "$summary"; fi
  if [ "$rc" != 0 ] || [ "$found" != 0 ]; then status=1; fi
  # Keep the corpus small: only inputs that reach new code (edges, not hit counts).
  kept=$(mktemp -d)
  if "target/$triple/release/$t" -merge=1 -use_counters=0 -use_value_profile=0 \
      -rss_limit_mb="$rss_mb" -timeout="$timeout_s" -max_len=16384 \
      "$kept" "corpus/$t" >"logs/$t.merge.log" 2>&1; then
    rm -rf "corpus/$t" && mv "$kept" "corpus/$t"
  else
    rm -rf "$kept"
  fi
done
exit "$status"
