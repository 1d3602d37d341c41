#!/usr/bin/env bash
# make image: Accordeer's OCI image, built without Docker or a registry, the same bytes every time from the same
# tree. The Debian base (mmdebstrap, minbase with Python 3.11) is cached in the machine's tools cache by its package
# list (every checkout shares it); the image goes to the checkout's .cache/image. The
# project and its pinned dependencies go in as wheels; buildah builds as root in a vfs store of its own, with every
# timestamp at SOURCE_DATE_EPOCH, and writes an OCI archive. Prints the image's digest and size.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
CACHE=$ROOT/.cache/image
BASES=${ACCORDEER_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/accordeer}/image-base
VERSION=$(.venv/bin/python -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
ARCHIVE=$CACHE/accordeer-$VERSION.oci.tar
EPOCH=1767225600  # 2026-01-01: files, layers and the image's creation date
SUITE=bookworm
PACKAGES=python3,python3-venv,ca-certificates

need() {
    command -v "$1" >/dev/null 2>&1 && return
    if [ "$(id -u)" = 0 ]; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >/dev/null
    else
        echo "make image needs $2: run 'apt-get install $2' as root" >&2
        exit 1
    fi
}
need mmdebstrap mmdebstrap
need buildah buildah
need skopeo skopeo
[ "$(id -u)" = 0 ] || { echo "make image builds as root (buildah's chroot isolation with the vfs driver)" >&2; exit 1; }

mkdir -p "$CACHE" "$BASES"
rm -rf "$CACHE"/context.* "$CACHE"/store.*  # what a build that failed half-way left
# The base: rebuilt when the package list changes (or `rm "$BASES"/base-*`). Documentation, manuals and
# translations are left out; the packages' copyright files stay.
BASE=$BASES/base-$SUITE-$(printf '%s' "$PACKAGES" | sha256sum | cut -c1-12).tar
if [ ! -s "$BASE" ]; then
    SOURCE_DATE_EPOCH=$EPOCH mmdebstrap --quiet --format=tar --variant=minbase --include="$PACKAGES" \
        --aptopt='Acquire::Retries "3"' --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
        --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
        --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/info/*' \
        --dpkgopt='path-exclude=/usr/share/locale/*' \
        --customize-hook='rm -rf "$1"/var/cache/apt/* "$1"/var/lib/apt/lists/* "$1"/var/log/*' \
        "$SUITE" "$BASE.part" \
        "deb http://deb.debian.org/debian $SUITE main" \
        "deb http://deb.debian.org/debian $SUITE-updates main" \
        "deb http://deb.debian.org/debian-security $SUITE-security main"
    mv "$BASE.part" "$BASE"
fi

# The build context: the base, the project's wheel (built from a copy: setuptools writes into the tree it builds)
# and a wheel of every dependency at its pinned version.
build() {
    local archive=$1 context store
    context=$(mktemp -d "$CACHE/context.XXXXXX")
    store=$(mktemp -d "$CACHE/store.XXXXXX")
    local buildah=(buildah --root "$store/root" --runroot "$store/run" --storage-driver vfs)
    mkdir -p "$context/source" "$context/wheels"
    cp -r pyproject.toml README.md accordeer shared services deploy "$context/source/"
    find "$context/source" -name __pycache__ -prune -exec rm -rf {} +
    SOURCE_DATE_EPOCH=$EPOCH .venv/bin/pip wheel --quiet --wheel-dir "$context/wheels" "$context/source"
    rm -rf "$context/source"
    ln "$BASE" "$context/base.tar" 2>/dev/null || cp "$BASE" "$context/base.tar"
    "${buildah[@]}" build --quiet --isolation chroot --timestamp "$EPOCH" --layers=false \
        --build-arg SOURCE_DATE_EPOCH="$EPOCH" \
        -f deploy/image/Containerfile -t "localhost/accordeer:$VERSION" "$context" >/dev/null
    rm -f "$archive"
    "${buildah[@]}" push --quiet "localhost/accordeer:$VERSION" "oci-archive:$archive:accordeer:$VERSION"
    "${buildah[@]}" rm --all >/dev/null 2>&1 || true
    rm -rf "$context" "$store"
    skopeo inspect --format '{{.Digest}}' "oci-archive:$archive"
}

DIGEST=$(build "$ARCHIVE")
echo "$DIGEST" > "$ARCHIVE.digest"
if [ "${1:-}" = --verify ]; then
    AGAIN=$(build "$CACHE/again.oci.tar")
    rm -f "$CACHE/again.oci.tar"
    if [ "$AGAIN" != "$DIGEST" ]; then
        echo "make image: two builds of one tree differ: $DIGEST, then $AGAIN" >&2
        exit 1
    fi
    echo "reproducible: a second build has the same digest"
fi
# What a node pulls (the compressed layers) and what it unpacks.
SIZE=$(.venv/bin/python - "$ARCHIVE" <<'PY'
import json, sys, tarfile, zlib
with tarfile.open(sys.argv[1]) as archive:
    blob = lambda digest: archive.extractfile("blobs/sha256/" + digest.split(":")[1]).read()
    [entry] = json.loads(archive.extractfile("index.json").read())["manifests"]
    layers = json.loads(blob(entry["digest"]))["layers"]
    pulled = sum(layer["size"] for layer in layers)
    unpacked = sum(len(zlib.decompress(blob(layer["digest"]), 31)) for layer in layers)
print(f"{pulled / 1e6:.0f} MB compressed, {unpacked / 1e6:.0f} MB unpacked")
PY
)
echo "image: $ARCHIVE"
echo "digest: $DIGEST"
echo "size: $SIZE"
