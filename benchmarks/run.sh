#!/usr/bin/env bash
# Wirefly benchmarks: builds the benchmarks module, then runs the JMH suite and the loopback load test against
# Wirefly, Netty, Java-WebSocket, Jetty 12 and Undertow, then the cluster benchmark (3 nodes on NATS and on Redis),
# and writes results, charts and summary.md.
#
#   bash benchmarks/run.sh            full run (the published numbers; about an hour on 2 cores)
#   bash benchmarks/run.sh --quick    every benchmark once, briefly (a few minutes); exits non-zero if any failed
#
# Other options go to io.wirefly.bench.Bench: --skip-jmh, --skip-load, --skip-cluster, --out DIR, --include REGEX, --forks N,
# --servers wirefly,netty,..., --scenarios latency,echo,bulk,idle,broadcast,wss-echo,wss-bulk, --reps N, --idle-connections N,
# --server-jvm-args "...". Everything runs on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

quick=false
for arg in "$@"; do
  [[ "$arg" == "--quick" ]] && quick=true
done

echo "== building the benchmarks module"
./mvnw -q -B -ntp -pl benchmarks -am -DskipTests package \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.includeScope=runtime -Dmdep.outputFile="$PWD/benchmarks/target/classpath.txt"
classpath="benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)"

# The idle scenario holds 10,000 connections: the load generator and each server need that many descriptors.
want=12000
if $quick; then want=2048; fi
soft=$(ulimit -Sn)
hard=$(ulimit -Hn)
if [[ "$soft" != "unlimited" && "$soft" -lt "$want" ]]; then
  if [[ "$hard" == "unlimited" || "$hard" -ge "$want" ]]; then
    ulimit -Sn "$want"
  else
    ulimit -Sn "$hard"
    echo "NOTE: the hard open-file limit is $hard, below the $want the idle scenario wants: it will run with"
    echo "      fewer connections and say so in the results (raise the hard limit to measure 10,000)."
  fi
fi
echo "== open-file limit: $(ulimit -Sn)"

echo "== running (java $(java -version 2>&1 | head -1))"
exec java -cp "$classpath" io.wirefly.bench.Bench "$@"
