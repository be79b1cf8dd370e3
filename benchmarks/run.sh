#!/usr/bin/env bash
# Wirefly benchmarks: builds the benchmarks module, then runs the JMH suite and the loopback load test against
# Wirefly, Netty 4.1 and 4.2, Java-WebSocket, Jetty 12, Undertow, Node's ws and Go's gorilla/websocket, then the cluster benchmark (3 nodes on NATS and on Redis),
# and writes results, charts and summary.md.
#
#   bash benchmarks/run.sh            full run (the published numbers; about an hour on 2 cores)
#   bash benchmarks/run.sh --quick    every benchmark once, briefly (a few minutes); exits non-zero if any failed
#
# Other options go to io.wirefly.bench.Bench: --skip-jmh, --skip-load, --skip-cluster, --out DIR, --include REGEX, --forks N,
# --servers wirefly,netty,netty-4.2,java-websocket,jetty,undertow,node-ws,gorilla,
# --scenarios latency,echo,bulk,idle,broadcast,handshake,deflate,wss-echo,wss-bulk, --reps N, --idle-connections N,
# --server-jvm-args "...", --no-pin. Everything runs on 127.0.0.1; the load generator is pinned to CPU 0 and each
# server to the other CPUs (taskset).
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

# The peers outside the main class path, each prepared only when its tool is there (the load test skips, and says
# so, a peer this machine cannot run): Netty 4.2's jars, Node's ws from npm (pinned by its lock file), and the Go
# gorilla/websocket server from Debian's golang-go and golang-github-gorilla-websocket-dev.
echo "== preparing the peers outside the JVM class path"
./mvnw -q -B -ntp -f benchmarks/peers/netty42/pom.xml \
  org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath \
  -Dmdep.outputFile="$PWD/benchmarks/target/netty42-classpath.txt" || echo "NOTE: Netty 4.2 not resolved: skipped"
if command -v npm >/dev/null 2>&1 && [[ ! -d benchmarks/peers/node/node_modules/ws ]]; then
  npm ci --prefix benchmarks/peers/node --no-audit --no-fund --silent || echo "NOTE: npm ci failed: node-ws skipped"
fi
if command -v go >/dev/null 2>&1 && [[ -d /usr/share/gocode/src/github.com/gorilla/websocket ]]; then
  GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="$PWD/benchmarks/target/go-cache" \
    go build -o benchmarks/target/gorilla-echo benchmarks/peers/go/echo.go || echo "NOTE: go build failed: gorilla skipped"
fi

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
