#!/usr/bin/env bash
# Fuzzes ws-core's wire-facing code with Jazzer for a given time per target, then prints how many inputs ran.
#
#   bash ws-core/fuzz/run.sh [DURATION] [TARGET...]
#     DURATION  a Jazzer duration such as 60s, 10m, 1h (default 60s)
#     TARGET    serverEngine, handshakeHead (default: both)
#
# A finding fails the run and leaves a crash file in
# ws-core/src/test/resources/io/wirefly/core/internal/protocol/WireFuzzTestInputs/<target>/: commit it with the fix,
# and `./mvnw test` replays it from then on. Inputs that found new coverage go to ws-core/.cifuzz-corpus/ (not
# committed). Needs the project installed once: ./mvnw install -DskipTests
set -euo pipefail
cd "$(dirname "$0")/../.."

duration="${1:-60s}"
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(serverEngine handshakeHead)

log_dir="ws-core/target/fuzz"
mkdir -p "$log_dir"
status=0
for target in "${targets[@]}"; do
    log="$log_dir/$target.log"
    echo "== fuzzing $target for $duration (log: $log)"
    if JAZZER_FUZZ=1 JAZZER_MAX_DURATION="$duration" ./mvnw -B -ntp -q test -pl ws-core \
            -Dtest="WireFuzzTest#$target" -Dsurefire.failIfNoSpecifiedTests=false >"$log" 2>&1; then
        result="no finding"
    else
        result="FINDING (or build failure): see $log"
        status=1
    fi
    runs=$(grep -aoE 'Done [0-9]+ runs in [0-9]+ second' "$log" | tail -1 || true)
    cov=$(grep -aoE '#[0-9]+[[:space:]]+DONE[[:space:]]+cov: [0-9]+ ft: [0-9]+' "$log" | tail -1 || true)
    echo "   $target: ${runs:-runs not reported} ${cov:+($cov)} -> $result"
done
exit $status
