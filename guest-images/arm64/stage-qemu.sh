#!/usr/bin/env bash
# Stages Debian's arm64 qemu-system-aarch64 (package qemu-system-arm:arm64)
# for the emulated arm64 L1 host, which has no libc of its own: the
# reference VMM the L1 tests and benchmarks compare shapevm with.
#
#   stage-qemu.sh DIR
#
# DIR gets usr/bin/qemu-system-aarch64 and every shared library it needs
# (DT_NEEDED, transitively) with the dynamic loader, at the paths Debian
# installs them, so L1's loader finds them in its default directories
# without an ld.so.cache; build-l1-initramfs.sh adds DIR to the image.
# "-M virt -kernel" needs no firmware. (A virtio-net-pci device wants its
# option ROM, which is not staged: give it romfile=.)
#
# This host cannot run the arm64 ldd, so the packages are not installed but
# fetched: qemu-system-arm:arm64 and its dependencies, as apt-cache depends
# lists them, with apt-get download (about 60 MB, once per QEMU version),
# unpacked with dpkg-deb -x into the cache,
# ${SHAPEVM_CACHE:-$HOME/.cache/shapevm}/arm64/qemu/root; readelf
# (binutils) reads what the binaries need from there. Offline, the QEMU
# fetched before serves. apt must know the arm64 architecture
# (scripts/install-deps.sh).
# Exit status: 0 staged, 1 failed, 2 usage, 3 cannot stage on this host.
set -u

say() { echo "stage-qemu: $*" >&2; }
cannot() { say "$*"; exit 3; }

[ $# -eq 1 ] || { echo "usage: stage-qemu.sh DIR" >&2; exit 2; }
dir=$1
for tool in apt-get:apt apt-cache:apt dpkg-deb:dpkg readelf:binutils flock:util-linux; do
	command -v "${tool%%:*}" >/dev/null || cannot "${tool%%:*} is missing (package ${tool#*:})"
done

cache=${SHAPEVM_CACHE:-$HOME/.cache/shapevm}/arm64/qemu
package=qemu-system-arm:arm64
program=usr/bin/qemu-system-aarch64
mkdir -p "$cache" || exit 1
exec 9>"$cache/.lock"
flock 9 || { say "cannot lock $cache/.lock"; exit 1; }

# fetch: $cache/root holds the unpacked packages of QEMU version $version.
fetch() {
	local tmp names log deb
	say "fetching $package $version and its dependencies"
	# Every package QEMU depends on, directly or not, that is built for
	# arm64: "libc6:arm64" and the like. Virtual names (<...>) and the
	# architecture-independent packages (data, no code) are left out.
	names=$(apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts \
		--no-breaks --no-replaces --no-enhances --no-pre-depends "$package" 2>/dev/null |
		grep -v '^[ <]' | grep ':arm64$' | sort -u)
	[ -n "$names" ] || cannot "apt-cache lists no dependencies for $package"
	tmp=$(mktemp -d "$cache/fetch.XXXXXX") || exit 1
	# The names are split into arguments on purpose.
	# shellcheck disable=SC2086
	if ! log=$(cd "$tmp" && apt-get download $names 2>&1); then
		rm -rf "$tmp"
		cannot "cannot fetch $package: $(echo "$log" | grep '^E:' | head -1)"
	fi
	mkdir -p "$tmp/root" || exit 1
	for deb in "$tmp"/*.deb; do
		dpkg-deb -x "$deb" "$tmp/root" || { rm -rf "$tmp"; say "dpkg-deb -x $deb failed"; exit 1; }
	done
	[ -x "$tmp/root/$program" ] || { rm -rf "$tmp"; say "$package has no /$program"; exit 1; }
	echo "$version" >"$tmp/root/.unpacked-from"
	rm -rf "$cache/root"
	mv "$tmp/root" "$cache/root" && rm -rf "$tmp"
}

version=$(apt-cache policy "$package" 2>/dev/null | sed -n 's/^ *Candidate: //p')
case $version in "" | "(none)") version= ;; esac
if [ -z "$version" ]; then
	[ -x "$cache/root/$program" ] ||
		cannot "apt-cache knows no candidate for $package (dpkg --add-architecture arm64 and apt-get update; scripts/install-deps.sh)"
	say "apt-cache knows no $package; using the one fetched before ($(cat "$cache/root/.unpacked-from"))"
elif [ "$(cat "$cache/root/.unpacked-from" 2>/dev/null)" != "$version" ]; then
	fetch
fi
root=$cache/root

# in_root PATH: PATH (absolute inside the unpacked tree) with its symlinks
# followed inside the tree, so an absolute link cannot lead to this host's
# own files. Prints the path relative to the tree.
in_root() {
	local path=${1#/} target hops=0
	while [ -L "$root/$path" ] && [ $hops -lt 20 ]; do
		target=$(readlink "$root/$path")
		case $target in
		/*) path=${target#/} ;;
		*) path=$(dirname "$path")/$target ;;
		esac
		hops=$((hops + 1))
	done
	echo "$path"
}

# copy PATH: the file at PATH (inside the tree) to the same PATH under DIR.
copy() {
	local from
	from=$(in_root "$1")
	[ -f "$root/$from" ] || { say "/$1 is not in $package's packages"; return 1; }
	mkdir -p "$dir/$(dirname "${1#/}")" && cp "$root/$from" "$dir/${1#/}"
}

# find_library NAME: where the loader finds NAME: Debian's multiarch
# directories first, as its ld.so searches them.
find_library() {
	local d
	for d in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib; do
		[ -e "$root/$d/$1" ] && { echo "$d/$1"; return 0; }
	done
	say "library $1 is in none of the fetched packages"
	return 1
}

# stage PATH: PATH and, once each, the libraries it needs, theirs too.
declare -A staged=()
stage() {
	local path=$1 name lib
	copy "$path" || return 1
	for name in $(readelf -d "$root/$(in_root "$path")" 2>/dev/null |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
		[ -z "${staged[$name]:-}" ] || continue
		staged[$name]=1
		lib=$(find_library "$name") && stage "$lib" || return 1
	done
}

mkdir -p "$dir" || exit 1
stage "$program" || { say "cannot stage /$program"; exit 1; }
# The loader the program asks for: /lib/ld-linux-aarch64.so.1.
interpreter=$(readelf -l "$root/$program" | sed -n 's/.*program interpreter: \(.*\)\]/\1/p')
[ -n "$interpreter" ] || { say "/$program names no program interpreter"; exit 1; }
copy "$interpreter" || exit 1
say "staged $package $(cat "$root/.unpacked-from") in $dir: ${#staged[@]} libraries, $(du -sh "$dir" | cut -f1)"
