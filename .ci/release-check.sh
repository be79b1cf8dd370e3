#!/usr/bin/env bash
# Proves, offline, that the Maven Central bundle is complete and signed: a throwaway key in a temporary
# GNUPGHOME signs a `-P release deploy -DskipUpload=true` build, then every published module must have its
# .jar, -sources.jar, -javadoc.jar and .pom, each with a .asc signature that gpg verifies.
set -euo pipefail
cd "$(dirname "$0")/.."

published=(ws-core)
[ -d ws-server-nio ] && published+=(ws-server-nio)
[ -d ws-hal ] && published+=(ws-hal)
unpublished=(ws-examples benchmarks)
# The release version is the development revision without -SNAPSHOT (Central takes no snapshots in a bundle).
version=$(sed -n 's:.*<revision>\(.*\)</revision>.*:\1:p' pom.xml | head -1)
version=${version%-SNAPSHOT}

GNUPGHOME=$(mktemp -d)
export GNUPGHOME
work=$(mktemp -d)
trap 'gpgconf --kill all >/dev/null 2>&1 || true; rm -rf "$GNUPGHOME" "$work"' EXIT
chmod 700 "$GNUPGHOME"
gpg --batch --quiet --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'Wirefly CI throwaway <ci@wirefly.invalid>' ed25519 sign 1d

./mvnw -B -ntp -q -P release deploy -DskipUpload=true -DskipTests -Drevision="$version"

bundle=target/central-publishing/central-bundle.zip
[ -f "$bundle" ] || { echo "release check: no bundle at $bundle"; exit 1; }
unzip -q "$bundle" -d "$work"

failures=0
check() {
    local file=$1
    if [ ! -f "$file" ]; then
        echo "release check: missing $(basename "$file")"; failures=$((failures + 1)); return
    fi
    if ! gpg --batch --quiet --verify "$file.asc" "$file" 2>/dev/null; then
        echo "release check: bad or missing signature for $(basename "$file")"; failures=$((failures + 1))
    fi
}
for module in "${published[@]}"; do
    dir="$work/io/wirefly/$module/$version"
    for suffix in .jar -sources.jar -javadoc.jar .pom; do
        check "$dir/$module-$version$suffix"
    done
done
check "$work/io/wirefly/wirefly-parent/$version/wirefly-parent-$version.pom"
for module in "${unpublished[@]}"; do
    if [ -d "$work/io/wirefly/$module" ]; then
        echo "release check: $module must not be in the bundle"; failures=$((failures + 1))
    fi
done
if [ "$failures" -ne 0 ]; then
    echo "release check: $failures problem(s)"; exit 1
fi
echo "release check: bundle OK for ${published[*]} (jar, sources, javadoc, pom, each signed)"
