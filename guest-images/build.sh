#!/usr/bin/env bash
# guest-images/build.sh ARCH: build shapevm's test guest from Debian packages.
#
#   guest-images/build.sh x86_64
#
# Into the cache ${SHAPEVM_CACHE:-$HOME/.cache/shapevm}/ARCH it puts:
#   bzImage               Debian 12's current linux-image-*-amd64 kernel (its
#                         .deb is fetched with apt-get download and unpacked
#                         with dpkg-deb -x, never installed on this host)
#   guest-initrd.cpio.gz  busybox-static + x86_64/guest-init.sh as /init
#   linux/                the unpacked kernel package, with modules.dep, from
#                         which the L1 host image takes its modules
# and prints, one a line as shell assignments (also kept in images.env there):
#   SHAPEVM_GUEST_KERNEL SHAPEVM_GUEST_INITRD SHAPEVM_L1_KERNEL
#   SHAPEVM_MODULES_DIR SHAPEVM_KERNEL_VERSION SHAPEVM_KERNEL_PACKAGE
# so a caller can: vars=$(guest-images/build.sh x86_64) && eval "$vars".
# Progress and errors go to stderr.
#
# Nothing is rebuilt while the inputs are unchanged: the stamp file holds a
# hash of the package names and versions and of the scripts that shape the
# image. With no package lists or no network, the last fetched kernel is used.
# Only the current kernel's .deb is kept (debs/), unpacked in linux/.
#
# Environment: SHAPEVM_CACHE (cache root), SHAPEVM_KERNEL_PACKAGE (a
# linux-image package to use instead of the one linux-image-amd64 points to).
#
# Exit status: 0 done; 1 failed; 2 usage; 3 cannot build on this host (a tool
# is missing or no kernel can be fetched), which tests report as a skip.
# shellcheck source-path=SCRIPTDIR
set -u

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=lib/initramfs.sh
. "$here/lib/initramfs.sh"

say() { echo "build.sh: $*" >&2; }
fail() { say "$*"; exit 1; }
cannot() { say "$*"; exit 3; }

if [ $# -ne 1 ] || [ "${1#-}" != "$1" ]; then
	echo "usage: guest-images/build.sh x86_64" >&2
	exit 2
fi
arch=$1
case $arch in
x86_64) ;;
*) echo "build.sh: $arch: no guest image for this architecture yet (try x86_64)" >&2; exit 2 ;;
esac

cache=${SHAPEVM_CACHE:-$HOME/.cache/shapevm}
out=$cache/$arch
# depmod is in /sbin, which an ordinary user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

missing=()
need() { command -v "$1" >/dev/null || missing+=("$1 (package $2)"); }
need apt-get apt
need apt-cache apt
need dpkg-deb dpkg
need dpkg-query dpkg
need cpio cpio
need gzip gzip
need depmod kmod
need sha256sum coreutils
need flock util-linux
need awk mawk
[ ${#missing[@]} -eq 0 ] ||
	cannot "missing tools: ${missing[*]}; scripts/install-deps.sh installs them"
why=$(initramfs_check_busybox) || cannot "$why"

mkdir -p "$out/debs" || fail "cannot create the cache $out"
# One build per cache at a time: tests may run side by side.
exec 9>"$out/.lock"
flock 9 || fail "cannot lock $out/.lock"

# resolve_kernel: set kernel_package and kernel_deb_version to the kernel that
# linux-image-amd64 (Debian 12's current amd64 kernel) depends on. Without
# usable package lists, fall back to the last kernel this cache fetched.
resolve_kernel() {
	local depends
	if [ -n "${SHAPEVM_KERNEL_PACKAGE:-}" ]; then
		kernel_package=$SHAPEVM_KERNEL_PACKAGE
		kernel_deb_version=$(apt-cache policy "$kernel_package" 2>/dev/null |
			sed -n 's/^ *Candidate: //p')
	else
		# "Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)": one apt-cache
		# call (each takes seconds here) gives both name and version.
		depends=$(apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
			sed -n 's/^Depends: //p' | head -1)
		kernel_package=${depends%% *}
		kernel_deb_version=$(echo "$depends" | sed -n 's/^[^ ]* (= \([^)]*\)).*/\1/p')
	fi
	case $kernel_package:$kernel_deb_version in
	linux-image-*:?*) [ "$kernel_deb_version" != "(none)" ] && return 0 ;;
	esac
	if [ -f "$out/kernel-package" ] && read -r kernel_package kernel_deb_version <"$out/kernel-package" &&
		[ -f "$out/debs/$kernel_package.deb" ]; then
		say "apt-cache does not know the kernel package (run apt-get update?); using the cached $kernel_package $kernel_deb_version"
		return 0
	fi
	cannot "cannot tell which linux-image package to fetch: apt-cache knows no candidate for ${kernel_package:-linux-image-amd64} (run apt-get update)"
}

# fetch_kernel: the .deb in $out/debs/<package>.deb, downloaded once per version.
fetch_kernel() {
	local deb=$out/debs/$kernel_package.deb tmp log
	if [ -f "$deb" ] && [ "$(cat "$out/kernel-package" 2>/dev/null)" = "$kernel_package $kernel_deb_version" ]; then
		return 0
	fi
	say "fetching $kernel_package $kernel_deb_version"
	tmp=$(mktemp -d "$out/debs/fetch.XXXXXX") || fail "mktemp failed"
	# apt-get download writes into the current directory.
	if ! log=$(cd "$tmp" && apt-get download "$kernel_package=$kernel_deb_version" 2>&1); then
		rm -rf "$tmp"
		why="cannot fetch $kernel_package $kernel_deb_version: $(echo "$log" | grep '^E:' | head -1)"
		# Offline: an older kernel fetched earlier still makes a good guest.
		if read -r kernel_package kernel_deb_version 2>/dev/null <"$out/kernel-package" &&
			[ -f "$out/debs/$kernel_package.deb" ]; then
			say "$why; using the cached $kernel_package $kernel_deb_version"
			return 0
		fi
		cannot "$why"
	fi
	# Keep only the current kernel's .deb: old ones are 70 MB each.
	rm -f "$out"/debs/*.deb
	mv "$tmp"/*.deb "$deb" || fail "apt-get download left no .deb"
	rm -rf "$tmp"
	echo "$kernel_package $kernel_deb_version" >"$out/kernel-package"
}

# unpack_kernel: $out/linux is the unpacked .deb with a fresh modules.dep.
# The .deb ships no modules.dep (its postinst runs depmod), so we run it.
unpack_kernel() {
	local deb=$out/debs/$kernel_package.deb versions
	if [ "$(cat "$out/linux/.unpacked-from" 2>/dev/null)" = "$kernel_package $kernel_deb_version" ]; then
		return 0
	fi
	say "unpacking $kernel_package"
	rm -rf "$out/linux.tmp" "$out/linux"
	dpkg-deb -x "$deb" "$out/linux.tmp" || fail "dpkg-deb -x $deb failed"
	versions=$(ls "$out/linux.tmp/lib/modules")
	[ "$(echo "$versions" | wc -l)" -eq 1 ] || fail "$deb: expected one kernel in lib/modules, found: $versions"
	depmod -b "$out/linux.tmp" "$versions" || fail "depmod for $versions failed"
	echo "$kernel_package $kernel_deb_version" >"$out/linux.tmp/.unpacked-from"
	mv "$out/linux.tmp" "$out/linux"
}

# inputs_hash: what the built image depends on. A change to any of these
# scripts, the kernel or busybox rebuilds it.
inputs_hash() {
	{
		echo "kernel $kernel_package $kernel_deb_version"
		echo "busybox-static $(dpkg-query -W -f='${Version}' busybox-static)"
		cd "$here" && sha256sum build.sh lib/initramfs.sh lib/modules.sh \
			"$arch/guest-init.sh" "$arch/guest-modules.txt"
	} | sha256sum | cut -d' ' -f1
}

# build_guest: bzImage and the guest initramfs, written beside and renamed.
build_guest() {
	local stage
	if ! cp "$out/linux/boot/vmlinuz-$kernel_version" "$out/bzImage.tmp" ||
		! mv "$out/bzImage.tmp" "$out/bzImage"; then
		fail "cannot copy the kernel"
	fi
	stage=$(mktemp -d "$out/stage.XXXXXX") || fail "mktemp failed"
	initramfs_stage_base "$stage" "$here/$arch/guest-init.sh" &&
		initramfs_stage_modules "$stage" "$modules_dir" "$here/$arch/guest-modules.txt" &&
		initramfs_pack "$stage" "$out/guest-initrd.cpio.gz" "gzip -9"
	local status=$?
	rm -rf "$stage"
	[ $status -eq 0 ] || fail "cannot build the guest initramfs"
}

print_env() {
	printf 'SHAPEVM_GUEST_KERNEL=%q\n' "$out/bzImage"
	printf 'SHAPEVM_GUEST_INITRD=%q\n' "$out/guest-initrd.cpio.gz"
	printf 'SHAPEVM_L1_KERNEL=%q\n' "$out/bzImage"
	printf 'SHAPEVM_MODULES_DIR=%q\n' "$modules_dir"
	printf 'SHAPEVM_KERNEL_VERSION=%q\n' "$kernel_version"
	printf 'SHAPEVM_KERNEL_PACKAGE=%q\n' "$kernel_package $kernel_deb_version"
}

resolve_kernel
fetch_kernel
hash=$(inputs_hash)
if [ "$(cat "$out/stamp" 2>/dev/null)" = "$hash" ] && [ -f "$out/bzImage" ] &&
	[ -f "$out/guest-initrd.cpio.gz" ] && [ -f "$out/images.env" ]; then
	cat "$out/images.env"
	exit 0
fi
unpack_kernel
kernel_version=$(ls "$out/linux/lib/modules")
modules_dir=$out/linux/lib/modules/$kernel_version
build_guest
print_env >"$out/images.env"
echo "$hash" >"$out/stamp"
say "built the $arch guest ($kernel_package $kernel_deb_version) in $out"
cat "$out/images.env"
