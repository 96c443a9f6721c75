#!/usr/bin/env bash
# Prepares what `make ARCH=arm64` needs on an x86_64 Debian host: the cross
# compiler, and Debian's arm64 -dev packages unpacked into a private sysroot.
# Unpacked rather than installed: libfdt-dev:arm64 cannot be installed next
# to libfdt-dev:amd64 (they share files), and the host's package set stays
# as it was. Usage: arm64-sysroot.sh SYSROOT_DIR
set -eu
sysroot=${1:?usage: arm64-sysroot.sh SYSROOT_DIR}
pkgs=(libfdt-dev libfdt1 libcap-ng-dev libcap-ng0 libseccomp-dev libseccomp2)
stamp="$sysroot/.stamp"

if ! command -v aarch64-linux-gnu-gcc >/dev/null ||
   [ ! -d /usr/aarch64-linux-gnu/include/linux ]; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "shapevm: as root run: apt-get install gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross" >&2
		exit 1
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		gcc-aarch64-linux-gnu libc6-dev-arm64-cross linux-libc-dev-arm64-cross >/dev/null
fi
[ -f "$stamp" ] && exit 0

if ! dpkg --print-foreign-architectures | grep -qx arm64; then
	if [ "$(id -u)" -ne 0 ]; then
		echo "shapevm: as root run: dpkg --add-architecture arm64 && apt-get update" >&2
		exit 1
	fi
	dpkg --add-architecture arm64
	apt-get update -q >/dev/null
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && apt-get download -q "${pkgs[@]/%/:arm64}" >/dev/null) || {
	echo "shapevm: apt-get download of arm64 packages failed (try apt-get update)" >&2
	exit 1
}
mkdir -p "$sysroot"
for deb in "$tmp"/*.deb; do
	dpkg-deb -x "$deb" "$sysroot"
done
touch "$stamp"
