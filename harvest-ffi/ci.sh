#!/usr/bin/env bash
# Kotlin/Swift binding (UniFFI): build the library (debug) into the shared target dir,
# generate the Kotlin and Swift sources and the C header from it, check that the header
# compiles with the C compiler (Swift itself cannot be compiled here), then compile and run
# the Kotlin test against a loopback site. Installs what is missing on a fresh Debian
# machine: a JRE, JNA (Debian's libjna-java) and kotlinc (the npm package
# kotlin-compiler, which also ships kotlinx-coroutines). Called by .ci/run.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$repo/target}"
export CARGO_BUILD_TARGET="${CARGO_BUILD_TARGET:-x86_64-unknown-linux-gnu}"

# Pinned tool (bump deliberately): kotlinc and the kotlinx-coroutines jar it ships.
KOTLIN_COMPILER_VERSION="2.4.20"

if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then
    $SUDO apt-get update -qq
    apt_updated=1
  fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "$@"
}

command -v java >/dev/null 2>&1 || apt_install default-jre-headless
JNA_JAR=/usr/share/java/jna.jar
[ -f "$JNA_JAR" ] || apt_install libjna-java
if ! command -v npm >/dev/null 2>&1; then apt_install nodejs npm; fi
command -v cc >/dev/null 2>&1 || apt_install gcc

tools="$CARGO_TARGET_DIR/ffi-tools/kotlin-compiler-$KOTLIN_COMPILER_VERSION"
kotlin="$tools/node_modules/kotlin-compiler"
if [ ! -x "$kotlin/bin/kotlinc" ]; then
  echo "installing kotlin-compiler@$KOTLIN_COMPILER_VERSION into $tools"
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --no-save \
    "kotlin-compiler@$KOTLIN_COMPILER_VERSION"
fi
COROUTINES_JAR="$kotlin/lib/kotlinx-coroutines-core-jvm.jar"
STDLIB_JAR="$kotlin/lib/kotlin-stdlib.jar"
for jar in "$COROUTINES_JAR" "$STDLIB_JAR"; do
  [ -f "$jar" ] || { echo "kotlin-compiler@$KOTLIN_COMPILER_VERSION lacks $jar" >&2; exit 1; }
done

echo "== build (debug, with the bindgen binary)"
cd "$repo"
# One build for the library and the bindgen: both need uniffi's `cli` feature set alike,
# or cargo would build the library twice.
cargo build --locked -p harvest-ffi --features cli
out="$CARGO_TARGET_DIR/$CARGO_BUILD_TARGET/debug"
lib="$out/libharvest_ffi.so"

echo "== generate Kotlin and Swift"
gen="$CARGO_TARGET_DIR/ffi-gen"
rm -rf "$gen/kotlin" "$gen/swift"
for language in kotlin swift; do
  "$out/uniffi-bindgen" generate --no-format --library "$lib" \
    --language "$language" --out-dir "$gen/$language"
done
kt="$gen/kotlin/harvest/harvest_ffi.kt"
for f in "$kt" "$gen/swift/Harvest.swift" "$gen/swift/harvestFFI.h" "$gen/swift/harvestFFI.modulemap"; do
  [ -s "$f" ] || { echo "not generated: $f" >&2; exit 1; }
done
# The async API is there in both languages.
grep -q 'suspend fun `harvest`(' "$kt"
grep -Eq 'func harvest\(url: String, options: HarvestCallOptions\? = nil\) *async throws' \
  "$gen/swift/Harvest.swift"

echo "== C header (harvestFFI.h) compiles"
# The header uses clang's nullability qualifiers (Swift's compiler is clang); plain C
# compilers get them defined away.
cat >"$gen/header_check.c" <<'C'
#include "harvestFFI.h"
int main(void) { return 0; }
C
cc -std=c11 -Wall -Wextra -Werror -D_Nullable= -D_Nonnull= -D_Null_unspecified= \
  -fsyntax-only -I "$gen/swift" "$gen/header_check.c"
echo "harvestFFI.h: ok"

echo "== Kotlin test"
test_kt="$here/tests/kotlin/HarvestTest.kt"
example_kt="$here/tests/kotlin/Example.kt"
jar="$gen/harvest-test.jar"
# kotlinc takes ~30 s: compile only when the generated or a test source changed. Example.kt
# (the docs' examples) is compiled, not run.
sum="$(cat "$kt" "$test_kt" "$example_kt" | sha256sum | cut -d' ' -f1)"
if [ ! -f "$jar" ] || [ "$(cat "$jar.sha256" 2>/dev/null)" != "$sum" ]; then
  rm -f "$jar" "$jar.sha256"
  "$kotlin/bin/kotlinc" -nowarn -cp "$JNA_JAR:$COROUTINES_JAR" "$kt" "$test_kt" "$example_kt" -d "$jar"
  echo "$sum" >"$jar.sha256"
fi
java -Djna.library.path="$out" -cp "$jar:$JNA_JAR:$COROUTINES_JAR:$STDLIB_JAR" HarvestTestKt
