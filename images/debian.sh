#!/bin/sh
# images/debian.sh DEST — a real distribution image: Debian 12 (bookworm) minbase with
# python3, built by mmdebstrap from Debian's packages, written as an OCI image layout in
# DEST (one gzip'd layer, a config running bash, an index naming it debian:bookworm) for
# `nook image import DEST`. `make image IMAGE=debian` runs it; it downloads Debian's
# packages from its mirror (DEBIAN_MIRROR, default deb.debian.org; DEBIAN_SUITE another
# suite) and takes minutes (12 on a busy 2-core machine): the check does not build it.
# The layer is about 200 MB, 63 MB gzip'd. Built in DEST.tmp and renamed, so DEST is
# complete or absent. The busybox image (images/busybox.sh) stays the offline default.
set -eu
dest=$1
suite=${DEBIAN_SUITE:-bookworm}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
command -v mmdebstrap >/dev/null ||
	{ echo "image: mmdebstrap not found: 'make image IMAGE=debian' installs it" >&2; exit 1; }
tmp=$dest.tmp
rm -rf "$tmp"
mkdir -p "$tmp/blobs/sha256"
# minbase: Essential packages and apt, no init, no docs' recommends; the tar keeps owners,
# modes and /dev's nodes as a container image's layer does.
mmdebstrap --quiet --variant=minbase --include=python3 --format=tar \
	--dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
	"$suite" "$tmp/layer.tar" "$mirror"
# blob FILE: move FILE to its digest's name; prints "sha256:HEX SIZE".
blob() {
	d=$(sha256sum <"$1" | cut -d' ' -f1)
	s=$(stat -c %s "$1")
	mv "$1" "$tmp/blobs/sha256/$d"
	echo "sha256:$d $s"
}
diff=$(sha256sum <"$tmp/layer.tar" | cut -d' ' -f1)
gzip -n "$tmp/layer.tar"
set -- $(blob "$tmp/layer.tar.gz")
layer="{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"$1\",\"size\":$2}"
printf '%s' "{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{\"Env\":[\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"],\"Cmd\":[\"bash\"],\"WorkingDir\":\"/\"},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:$diff\"]}}" >"$tmp/config"
set -- $(blob "$tmp/config")
printf '%s' "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"$1\",\"size\":$2},\"layers\":[$layer]}" >"$tmp/manifest"
set -- $(blob "$tmp/manifest")
printf '%s' "{\"imageLayoutVersion\":\"1.0.0\"}" >"$tmp/oci-layout"
printf '%s' "{\"schemaVersion\":2,\"manifests\":[{\"mediaType\":\"application/vnd.oci.image.manifest.v1+json\",\"digest\":\"$1\",\"size\":$2,\"annotations\":{\"org.opencontainers.image.ref.name\":\"debian:$suite\"}}]}" >"$tmp/index.json"
rm -rf "$dest"
mv "$tmp" "$dest"
echo "image: $dest (debian:$suite, $(du -sh "$dest" | cut -f1))"
