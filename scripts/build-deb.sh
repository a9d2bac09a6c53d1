#!/bin/sh
# build-deb.sh builds the gokeepalived Debian package with one command:
#   scripts/build-deb.sh [OUTDIR]        (default: dist/)
# Environment: VERSION (default: git describe --tags, else 0.1.0~dev+gHASH), GOARCH
# (default: the Go toolchain's). nfpm runs as a Go tool (go.mod `tool`).
set -eu
cd "$(dirname "$0")/.."
OUT=${1:-dist}
if [ -z "${VERSION:-}" ]; then
	VERSION=$(git describe --tags --dirty 2>/dev/null | sed 's/^v//' || true)
	[ -n "$VERSION" ] || VERSION="0.1.0~dev+g$(git rev-parse --short HEAD 2>/dev/null || echo unknown)"
fi
GOARCH=${GOARCH:-$(go env GOARCH)}
BUILD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/gkdeb.XXXXXX")
trap 'rm -rf "$BUILD_DIR"' EXIT
export VERSION GOARCH BUILD_DIR

# The commit and build date for `gokeepalived version` (-buildvcs may be off).
COMMIT=$(git rev-parse HEAD 2>/dev/null || true)
MODIFIED=false
if [ -n "$COMMIT" ] && ! git diff --quiet HEAD 2>/dev/null; then MODIFIED=true; fi
BUILT=$(date -u -d "@${SOURCE_DATE_EPOCH:-$(date +%s)}" +%Y-%m-%dT%H:%M:%SZ)
CGO_ENABLED=0 GOOS=linux go build -trimpath \
	-ldflags "-s -w -X main.version=$VERSION -X main.commit=$COMMIT -X main.buildDate=$BUILT -X main.modified=$MODIFIED" \
	-o "$BUILD_DIR/gokeepalived" ./cmd/gokeepalived
# The man page comes from the CLI's own flag help.
"$BUILD_DIR/gokeepalived" manpage | gzip -9n > "$BUILD_DIR/gokeepalived.8.gz"
# Our license and that of everything linked into the binary.
sh packaging/gen-copyright.sh "$BUILD_DIR/gokeepalived" > "$BUILD_DIR/copyright"
# A native package's changelog: one entry for this build, dated at the
# commit (reproducible), else now.
DATE=$(git log -1 --format=%cD 2>/dev/null || date -R)
printf 'gokeepalived (%s) unstable; urgency=medium\n\n  * Built from commit %s; the history is the git log.\n\n -- gokeepalived maintainers <maintainers@gokeepalived.invalid>  %s\n' \
	"$VERSION" "$(printf %.12s "${COMMIT:-unknown}")" "$DATE" | gzip -9n > "$BUILD_DIR/changelog.gz"

mkdir -p "$OUT"
# nfpm expands variables in fields but not in content paths: fill those in.
sed "s|\${BUILD_DIR}|$BUILD_DIR|g" packaging/nfpm.yaml > "$BUILD_DIR/nfpm.yaml"
go tool nfpm package --config "$BUILD_DIR/nfpm.yaml" --packager deb --target "$OUT"
ls "$OUT"/gokeepalived_*"$GOARCH".deb
