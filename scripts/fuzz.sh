#!/usr/bin/env bash
# Fuzzes the email domain parser (src/domain_parse.c) with libFuzzer under the
# address, undefined-behaviour and leak sanitizers, for a bounded time
# (FUZZ_SECONDS, default 60) starting from the committed seed corpus
# test/fuzz/corpus. New inputs and crash artifacts go to a scratch directory
# (FUZZ_WORKDIR, default a fresh temporary one), never into the repository.
# Exits non-zero on any crash, leak, sanitizer report or failed property.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds="${FUZZ_SECONDS:-60}"
work="${FUZZ_WORKDIR:-$(mktemp -d /tmp/roboto_orgs_fuzz.XXXXXX)}"
mkdir -p "$work/corpus" "$work/artifacts"
bin="$work/fuzz_domain_parse"

clang -g -O1 -std=c11 -Wall -Wextra -Werror \
  -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
  -Isrc test/fuzz/fuzz_domain_parse.c src/domain_parse.c -lidn2 -o "$bin"

export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:symbolize=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

echo "fuzzing the domain parser for ${seconds}s (work directory $work)"
if ! "$bin" -max_total_time="$seconds" -max_len=4096 -timeout=10 -rss_limit_mb=1024 \
     -print_final_stats=1 -artifact_prefix="$work/artifacts/" \
     "$work/corpus" test/fuzz/corpus >"$work/fuzz.log" 2>&1; then
  tail -n 60 "$work/fuzz.log"
  echo "fuzzing failed; reproduce with: $bin $work/artifacts/<file>" >&2
  exit 1
fi
grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss_mb)' "$work/fuzz.log" || true
[ -z "${FUZZ_WORKDIR:-}" ] && rm -rf "$work"
exit 0
