#!/usr/bin/env bash
# Coverage-guided fuzzing with AFL++ (cargo-afl, stable Rust): each harness of fuzz/ (one per
# parser of untrusted input) runs on its own, one AFL instance at a time (2 cores here: the
# other is left to AFL's own work), from the seed corpora in fuzz/corpus/TARGET. Prints
# executions, executions per second, paths found and crashes per target; exits 1 if a harness
# crashed, with the crashing inputs copied to fuzz/crashes/TARGET/ (commit them: cargo test
# replays them as regression tests once fixed).
#   scripts/fuzz.sh [--seconds N] [--resume] [TARGET...]   (default 60 s each; every target)
#   targets: banner tcp receive binary config specs udp payload_files
# --resume continues each target's last campaign (its queue and counts, in FUZZ_OUT/TARGET)
# instead of starting again from the seeds: the executions printed are then the campaign's
# total. FUZZ_OUT (default target/fuzz-out) is where campaigns live; test.sh's smoke uses
# another directory, so it never wipes a campaign.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d "$HOME/.cargo/bin" ] && export PATH="$HOME/.cargo/bin:$PATH"
secs=60
resume=""
targets=()
while [ $# -gt 0 ]; do
  case "$1" in
    --seconds) secs="$2"; shift ;;
    --resume) resume=1 ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
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
    >"$out/$t.log" 2>&1 || true
  stats="$out/$t/default/fuzzer_stats"
  if [ ! -f "$stats" ]; then
    echo "fuzz: $t did not start; see $out/$t.log" >&2
    tail -5 "$out/$t.log" >&2
    exit 2
  fi
  get() { sed -n "s/^$1 *: *//p" "$stats"; }
  crashes=$(get saved_crashes)
  printf '%-13s %8s %14s %10s %7s %8s %9s\n' "$t" "$(get run_time)" "$(get execs_done)" \
    "$(get execs_per_sec)" "$(get corpus_count)" "$crashes" "$(get stability)"
  if [ "${crashes:-0}" != 0 ]; then
    crashed=1
    mkdir -p "fuzz/crashes/$t"
    for f in "$out/$t"/default/crashes/id:*; do
      [ -f "$f" ] && cp "$f" "fuzz/crashes/$t/$(basename "$f" | tr ':,' '__')"
    done
  fi
done
[ "$crashed" = 0 ] || { echo "fuzz: crashes found; inputs in fuzz/crashes/" >&2; exit 1; }
