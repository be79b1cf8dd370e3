#!/usr/bin/env bash
# Installs the independent peers that the integration tests talk to, when they are missing:
# Debian's python3-websockets (a Python client and server), Node.js, chromium + chromium-driver, openssl,
# tinyproxy, nats-server and redis-server, and Go with gorilla/websocket for the benchmarks' Go peer.
# Node's `ws` comes from npm inside the build (see ws-server-nio/src/test/node/package.json).
set -euo pipefail

need=()
/usr/bin/python3 -c 'import websockets' 2>/dev/null || need+=(python3-websockets)
command -v node >/dev/null 2>&1 || need+=(nodejs npm)
# The LED page's end-to-end test drives real headless Chromium.
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
# The TLS tests handshake with openssl s_client too.
command -v openssl >/dev/null 2>&1 || need+=(openssl)
# The client's HTTP proxy support is tested through a real proxy (ProxyIT starts it on a free port).
[ -x /usr/bin/tinyproxy ] || need+=(tinyproxy)
# Topics across nodes are tested through a real NATS broker (ClusterIT starts it on a free port).
[ -x /usr/sbin/nats-server ] || need+=(nats-server)
# ... and through a real Redis (ClusterIT and ChatClusterIT start it on a free port, without persistence).
[ -x /usr/bin/redis-server ] || need+=(redis-server)
# The load test's non-JVM reference server is built from Go's gorilla/websocket (benchmarks/peers/go).
command -v go >/dev/null 2>&1 || need+=(golang-go)
[ -d /usr/share/gocode/src/github.com/gorilla/websocket ] || need+=(golang-github-gorilla-websocket-dev)
# The Autobahn suite itself cannot be fetched here (see ws-examples/conformance/README.md); when someone has put it
# in place, its Debian dependencies come from apt like everything else.
if [ -d "${AUTOBAHN_TESTSUITE:-/tmp/autobahn-testsuite-py3}/autobahntestsuite" ]; then
    /usr/bin/python3 -c 'import autobahn' 2>/dev/null || need+=(python3-autobahn)
    /usr/bin/python3 -c 'import jinja2' 2>/dev/null || need+=(python3-jinja2)
fi

if [ ${#need[@]} -gt 0 ]; then
    echo "installing test peers: ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "test peers: python3 websockets $(/usr/bin/python3 -c 'import websockets; print(websockets.__version__)'), node $(node --version)"
