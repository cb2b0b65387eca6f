#!/usr/bin/env bash
# Shows that the module boundaries are checked by the compiler, not by review.
#
# Forensics, Exhibits and Tracing may import the registry's, the forensics module's and the
# exhibits module's API targets (RegistryAPI, ForensicsAPI, ExhibitsAPI), never their
# implementations (Registry, Forensics, Exhibits). This script copies the package to a temporary
# folder, plants a forbidden import in each consuming module in turn, and builds that module alone
# in a build folder where only its declared dependencies exist: each build must fail with "no such
# module". Then it removes the plants and builds the three modules alone: each must succeed.
#
# One build of the shared dependencies (Hummingbird, PostgresNIO, ...): about 5 minutes here.
# (In the package's usual build folder every module is built side by side, and on Linux the
# compiler then finds an undeclared module too; the suite's ModuleBoundaryTests catch that case
# from the sources. This script is the compiler's own answer.)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/ifcd-boundaries.XXXXXX)
trap 'rm -rf "$work"' EXIT
mkdir "$work/pkg"
(cd "$root" && tar --exclude=./.build --exclude='./.build-*' -cf - .) | tar -C "$work/pkg" -xf -
[ -e "$root/../shared" ] && ln -s "$root/../shared" "$work/shared"
build() { (cd "$work/pkg" && swift build --build-path "$work/build" --target "$1" 2>&1); }
failed=0

# target, a file of it, the implementation it must not be able to import
plants=(
    "Forensics Sources/Forensics/Forensics.swift Registry"
    "Exhibits Sources/Exhibits/Exhibits.swift Forensics"
    "IFCTracing Sources/Tracing/Tracing.swift Exhibits"
)
for plant in "${plants[@]}"; do
    read -r target file forbidden <<<"$plant"
    cp "$work/pkg/$file" "$work/saved.swift"
    echo "import $forbidden" >>"$work/pkg/$file"
    if out=$(build "$target"); then
        echo "FAIL: $target built with 'import $forbidden'"; failed=1
    elif grep -q "no such module '$forbidden'" <<<"$out"; then
        echo "ok: $target cannot import $forbidden (no such module)"
    else
        echo "FAIL: $target did not build, but not for the planted import:"; tail -20 <<<"$out"; failed=1
    fi
    cp "$work/saved.swift" "$work/pkg/$file"
done

for target in Forensics Exhibits IFCTracing; do
    if out=$(build "$target"); then
        echo "ok: $target builds from its declared dependencies alone"
    else
        echo "FAIL: $target does not build alone:"; tail -20 <<<"$out"; failed=1
    fi
done
exit $failed
