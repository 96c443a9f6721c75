#!/usr/bin/env bash
# Installs the Debian packages that building and testing shapevm need.
# Idempotent: installs only what is missing. As root it runs apt-get; as
# anyone else it prints the apt-get line and fails, so nothing half-works.
set -u
cd "$(dirname "$0")/.." || exit 1

pkgs=(gcc make pkg-config libc6-dev linux-libc-dev
      libfdt-dev libcap-ng-dev check libseccomp-dev binutils
      # make fuzz: clang with libFuzzer's runtime (only a Recommends of clang)
      clang libclang-rt-14-dev
      # the L1 virtio-ext4-ro case's image (mkfs.ext4 -d)
      e2fsprogs)
# Test guests and the emulated L1 host list their own needs.
list=guest-images/packages.txt
if [ -f "$list" ]; then
	while read -r p _; do
		case "$p" in ''|\#*) continue ;; esac
		pkgs+=("$p")
	done <"$list"
fi

missing=()
for p in "${pkgs[@]}"; do
	# One line per installed architecture (amd64 and arm64 may both be).
	dpkg-query -W -f='${db:Status-Status}\n' "$p" 2>/dev/null |
		grep -qx installed || missing+=("$p")
done
# The arm64 test images fetch arm64 packages (kernel, busybox, QEMU) with
# apt-get download, never installing them: apt must know the architecture.
add_arch=
if [ "$(dpkg --print-architecture)" != arm64 ] &&
	! dpkg --print-foreign-architectures | grep -qx arm64; then
	add_arch=arm64
fi
[ ${#missing[@]} -eq 0 ] && [ -z "$add_arch" ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" -ne 0 ]; then
	[ -z "$add_arch" ] ||
		echo "shapevm: apt does not know arm64; as root run: dpkg --add-architecture arm64" >&2
	[ ${#missing[@]} -eq 0 ] ||
		echo "shapevm: missing packages; as root run: apt-get update && $line" >&2
	exit 1
fi
if [ -n "$add_arch" ]; then
	echo "install-deps: adding the $add_arch architecture to apt"
	dpkg --add-architecture "$add_arch" ||
		{ echo "install-deps: dpkg --add-architecture $add_arch failed" >&2; exit 1; }
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null || { echo "install-deps: apt-get update failed" >&2; exit 1; }
[ ${#missing[@]} -eq 0 ] && exit 0
echo "install-deps: installing ${missing[*]}"
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null ||
	{ echo "install-deps: $line failed" >&2; exit 1; }
