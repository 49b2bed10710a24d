#!/usr/bin/env bash
# Coverage-guided fuzzing with AFL++ (cargo-afl, stable Rust): each harness of fuzz/ (one per
# parser of untrusted input) runs on its own, one AFL instance at a time (2 cores here: the
# other is left to AFL's own work), from the seed corpora in fuzz/corpus/TARGET. Prints
# executions, executions per second, paths found and crashes per target; exits 1 if a harness
# crashed, with the crashing inputs copied to fuzz/crashes/TARGET/ (commit them: cargo test
# replays them as regression tests once fixed).
#   scripts/fuzz.sh [--seconds N] [--resume] [--instances K] [TARGET...]
#                    (default 60 s each; every target; one instance)
#   targets: banner tcp receive binary config specs udp payload_files
# --resume continues each target's last campaign (its queue and counts, in FUZZ_OUT/TARGET)
# instead of starting again from the seeds: the executions printed are then the campaign's
# total. FUZZ_OUT (default target/fuzz-out) is where campaigns live; test.sh's smoke uses
# another directory, so it never wipes a campaign. --instances K runs K AFL instances of the
# same campaign at once (a main one and K-1 secondaries sharing its queue, one core each): the
# executions printed are their sum, the paths the main instance's queue.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
secs=60
resume=""
instances=1
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) secs="$2"; shift ;;
    --resume) resume=1 ;;
    --instances) instances="$2"; shift ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) targets+=("$1") ;;
  esac
  shift
done
[ ${#targets[@]} -gt 0 ] || targets=(banner tcp receive binary config specs udp payload_files)
if ! cargo afl --version >/dev/null 2>&1; then
  echo "fuzz: installing cargo-afl (builds AFL++; a few minutes, once)"
  cargo install cargo-afl --locked
fi
export CARGO_TARGET_DIR=target/afl
cargo afl build --release -q -p masscan-fuzz --features afl --bins
out=${FUZZ_OUT:-target/fuzz-out}
mkdir -p "$out"
export AFL_NO_UI=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_QUIET=1
crashed=0
printf '%-13s %8s %14s %10s %7s %8s %9s\n' target seconds executions execs/s paths crashes stability
for t in "${targets[@]}"; do
  [ -d "fuzz/corpus/$t" ] || { echo "fuzz: no target '$t'" >&2; exit 2; }
  seeds="fuzz/corpus/$t"
  if [ -n "$resume" ] && [ -f "$out/$t/default/fuzzer_stats" ]; then
    seeds=-   # AFL++ resumes the campaign in $out/$t, counts included
  else
    rm -rf "${out:?}/$t"
  fi
  cargo afl fuzz -i "$seeds" -o "$out/$t" -V "$secs" "$CARGO_TARGET_DIR/release/fuzz-$t" \
    >"$out/$t.log" 2>&1 &
  pids=("$!")
  for k in $(seq 2 "$instances"); do
    name=second; [ "$k" = 2 ] || name="s$k"
    sseeds="fuzz/corpus/$t"
    [ -n "$resume" ] && [ -f "$out/$t/$name/fuzzer_stats" ] && sseeds=-
    sleep 2   # the main instance makes the output directory first
    cargo afl fuzz -S "$name" -i "$sseeds" -o "$out/$t" -V "$secs" \
      "$CARGO_TARGET_DIR/release/fuzz-$t" >"$out/$t.$name.log" 2>&1 &
    pids+=("$!")
  done
  for p in "${pids[@]}"; do wait "$p" || true; done
  stats="$out/$t/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "fuzz: $t did not start; see $out/$t.log" >&2
    tail -5 "$out/$t.log" >&2
    exit 2
  fi
  get() { sed -n "s/^$1 *: *//p" "$stats"; }
  # Executions and crashes of every instance of the campaign (one unless --instances).
  sum() { cat "$out/$t"/*/fuzzer_stats | sed -n "s/^$1 *: *//p" | awk '{n += $1} END {print n}'; }
  execs=$(sum execs_done)
  crashes=$(sum saved_crashes)
  printf '%-13s %8s %14s %10s %7s %8s %9s\n' "$t" "$(get run_time)" "$execs" \
    "$(awk -v e="$execs" -v s="$(get run_time)" 'BEGIN {printf "%.2f", e / (s > 0 ? s : 1)}')" \
    "$(get corpus_count)" "$crashes" "$(get stability)"
  if [ "${crashes:-0}" != 0 ]; then
    crashed=1
    mkdir -p "fuzz/crashes/$t"
    for f in "$out/$t"/*/crashes/id:*; do
      [ -f "$f" ] && cp "$f" "fuzz/crashes/$t/$(basename "$(dirname "$(dirname "$f")")")_$(basename "$f" | tr ':,' '__')"
    done
  fi
done
[ "$crashed" = 0 ] || { echo "fuzz: crashes found; inputs in fuzz/crashes/" >&2; exit 1; }
