#!/usr/bin/env bash
# guest-images/build.sh ARCH: build shapevm's test guest from Debian packages.
#
#   guest-images/build.sh x86_64
#   guest-images/build.sh arm64
#
# Into the cache ${SHAPEVM_CACHE:-$HOME/.cache/shapevm}/ARCH it puts:
#   bzImage               (x86_64) Debian 12's current linux-image-*-amd64
#                         kernel (its .deb is fetched with apt-get download and
#                         unpacked with dpkg-deb -x, never installed on this host)
#   Image                 (arm64) the same for linux-image-*-arm64, as the raw
#                         arm64 Image that shapevm loads (unpacked if the
#                         package's vmlinuz is compressed; see arm64_image)
#   guest-initrd.cpio.gz  busybox-static + lib/guest-init.sh as /init
#   linux/                the unpacked kernel package, with modules.dep, from
#                         which the L1 host image takes its modules
#   busybox/              (arm64) busybox-static:arm64, fetched and unpacked
#                         like the kernel: the host's busybox is an x86 one
# and prints, one a line as shell assignments (also kept in images.env there):
#   SHAPEVM_GUEST_KERNEL SHAPEVM_GUEST_INITRD SHAPEVM_L1_KERNEL
#   SHAPEVM_MODULES_DIR SHAPEVM_KERNEL_VERSION SHAPEVM_KERNEL_PACKAGE
#   and for arm64 SHAPEVM_BUSYBOX (the arm64 busybox, for the L1 image)
# so a caller can: vars=$(guest-images/build.sh x86_64) && eval "$vars".
# Progress and errors go to stderr.
#
# Nothing is rebuilt while the inputs are unchanged: the stamp file holds a
# hash of the package names and versions and of the scripts that shape the
# image. With no package lists or no network, the last fetched kernel is used.
# Only the current kernel's .deb is kept (debs/), unpacked in linux/.
# arm64 packages need apt to know the arm64 architecture (dpkg
# --add-architecture arm64 and apt-get update: scripts/install-deps.sh).
#
# Environment: SHAPEVM_CACHE (cache root), SHAPEVM_KERNEL_PACKAGE (a
# linux-image package to use instead of the one linux-image-amd64, or
# linux-image-arm64, points to).
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
	echo "usage: guest-images/build.sh x86_64|arm64" >&2
	exit 2
fi
arch=$1
# meta_package: Debian's package that depends on the current kernel;
# apt_arch: what apt-get download needs after a package name (a foreign
# architecture's packages are named NAME:ARCH); kernel_file: the guest kernel.
case $arch in
x86_64) meta_package=linux-image-amd64 apt_arch='' kernel_file=bzImage ;;
arm64) meta_package=linux-image-arm64:arm64 apt_arch=:arm64 kernel_file=Image ;;
*) echo "build.sh: $arch: no guest image for this architecture yet (try x86_64 or arm64)" >&2; exit 2 ;;
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
[ "$arch" != arm64 ] || need od coreutils
[ ${#missing[@]} -eq 0 ] ||
	cannot "missing tools: ${missing[*]}; scripts/install-deps.sh installs them"
# The x86_64 guest takes this host's busybox-static; arm64's is fetched below.
if [ "$arch" = x86_64 ]; then
	why=$(initramfs_check_busybox) || cannot "$why"
fi

mkdir -p "$out/debs" || fail "cannot create the cache $out"
# One build per cache at a time: tests may run side by side.
exec 9>"$out/.lock"
flock 9 || fail "cannot lock $out/.lock"

# apt_hint: what to do when apt knows no candidate for a package.
apt_hint() {
	if [ -n "$apt_arch" ] && ! dpkg --print-foreign-architectures | grep -qx "${apt_arch#:}"; then
		echo "apt does not know the ${apt_arch#:} architecture: as root run dpkg --add-architecture ${apt_arch#:} && apt-get update (scripts/install-deps.sh does)"
	else
		echo "run apt-get update"
	fi
}

# resolve_kernel: set kernel_package and kernel_deb_version to the kernel that
# linux-image-amd64 (Debian 12's current amd64 kernel; linux-image-arm64 for
# arm64) depends on. Without usable package lists, fall back to the last
# kernel this cache fetched.
resolve_kernel() {
	local depends
	if [ -n "${SHAPEVM_KERNEL_PACKAGE:-}" ]; then
		kernel_package=$SHAPEVM_KERNEL_PACKAGE
		kernel_deb_version=$(apt-cache policy "$kernel_package$apt_arch" 2>/dev/null |
			sed -n 's/^ *Candidate: //p')
	else
		# "Depends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)": one apt-cache
		# call (each takes seconds here) gives both name and version.
		depends=$(apt-cache show --no-all-versions "$meta_package" 2>/dev/null |
			sed -n 's/^Depends: //p' | head -1)
		kernel_package=${depends%% *}
		kernel_deb_version=$(echo "$depends" | sed -n 's/^[^ ]* (= \([^)]*\)).*/\1/p')
	fi
	case $kernel_package:$kernel_deb_version in
	linux-image-*:?*) [ "$kernel_deb_version" != "(none)" ] && return 0 ;;
	esac
	if [ -f "$out/kernel-package" ] && read -r kernel_package kernel_deb_version <"$out/kernel-package" &&
		[ -f "$out/debs/$kernel_package.deb" ]; then
		say "apt-cache does not know the kernel package ($(apt_hint)?); using the cached $kernel_package $kernel_deb_version"
		return 0
	fi
	cannot "cannot tell which linux-image package to fetch: apt-cache knows no candidate for ${kernel_package:-$meta_package} ($(apt_hint))"
}

# fetch_kernel: the .deb in $out/debs/<package>.deb, downloaded once per version.
fetch_kernel() {
	local deb=$out/debs/$kernel_package.deb tmp log
	if [ -f "$deb" ] && [ "$(cat "$out/kernel-package" 2>/dev/null)" = "$kernel_package $kernel_deb_version" ]; then
		return 0
	fi
	say "fetching $kernel_package$apt_arch $kernel_deb_version"
	tmp=$(mktemp -d "$out/debs/fetch.XXXXXX") || fail "mktemp failed"
	# apt-get download writes into the current directory.
	if ! log=$(cd "$tmp" && apt-get download "$kernel_package$apt_arch=$kernel_deb_version" 2>&1); then
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

# elf_machine FILE: the ELF e_machine of FILE (62 x86-64, 183 AArch64), or
# nothing if it is no ELF file.
elf_machine() {
	[ "$(od -An -c -N4 "$1" 2>/dev/null | tr -d ' ')" = '177ELF' ] || return 0
	od -An -tu2 -j18 -N2 "$1" | tr -d ' '
}

# fetch_busybox (arm64): busybox-static:arm64, the guests' userland, fetched
# with apt-get download into $out/busybox.deb once per version and unpacked
# in $out/busybox; sets busybox_version and points the initramfs helpers
# (initramfs_busybox) at it. Offline, the one fetched before serves.
fetch_busybox() {
	local deb=$out/busybox.deb tmp log
	busybox_version=$(apt-cache policy "busybox-static$apt_arch" 2>/dev/null |
		sed -n 's/^ *Candidate: //p')
	case $busybox_version in "" | "(none)") busybox_version= ;; esac
	if [ -f "$deb" ] && [ -x "$out/busybox/bin/busybox" ] &&
		{ [ -z "$busybox_version" ] || [ "$(cat "$out/busybox-package" 2>/dev/null)" = "$busybox_version" ]; }; then
		busybox_version=$(cat "$out/busybox-package")
	elif [ -z "$busybox_version" ]; then
		cannot "apt-cache knows no candidate for busybox-static$apt_arch ($(apt_hint))"
	else
		say "fetching busybox-static$apt_arch $busybox_version"
		tmp=$(mktemp -d "$out/fetch.XXXXXX") || fail "mktemp failed"
		if ! log=$(cd "$tmp" && apt-get download "busybox-static$apt_arch=$busybox_version" 2>&1) ||
			! mv "$tmp"/*.deb "$deb.tmp"; then
			rm -rf "$tmp"
			cannot "cannot fetch busybox-static$apt_arch $busybox_version: $(echo "$log" | grep '^E:' | head -1)"
		fi
		rm -rf "$tmp" "$out/busybox.tmp" "$out/busybox"
		dpkg-deb -x "$deb.tmp" "$out/busybox.tmp" || fail "dpkg-deb -x busybox-static$apt_arch failed"
		if ! mv "$deb.tmp" "$deb" || ! mv "$out/busybox.tmp" "$out/busybox"; then
			fail "cannot keep busybox in $out"
		fi
		echo "$busybox_version" >"$out/busybox-package"
	fi
	[ "$(elf_machine "$out/busybox/bin/busybox")" = 183 ] ||
		fail "$out/busybox/bin/busybox is not an arm64 program"
	initramfs_busybox=$out/busybox/bin/busybox
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
		if [ "$arch" = x86_64 ]; then
			echo "busybox-static $(dpkg-query -W -f='${Version}' busybox-static)"
		else
			echo "busybox-static$apt_arch $busybox_version"
		fi
		cd "$here" && sha256sum build.sh lib/initramfs.sh lib/modules.sh \
			lib/guest-init.sh "$arch/guest-modules.txt"
	} | sha256sum | cut -d' ' -f1
}

# hex_at FILE OFFSET COUNT: COUNT bytes of FILE from OFFSET, as hex digits.
hex_at() {
	od -An -v -tx1 -j"$2" -N"$3" "$1" | tr -d ' \n'
}

# le32_at FILE OFFSET: the little-endian 32-bit number at OFFSET.
le32_at() {
	od -An -tu4 -j"$2" -N4 "$1" | tr -d ' '
}

# decompressor NAME: the command that unpacks stdin in format NAME.
decompressor() {
	case $1 in
	gzip) echo "gzip -dc" ;;
	xz) echo "xz -dc" ;;
	lzma) echo "xz --format=lzma -dc" ;;
	zstd) echo "zstd -qdc" ;;
	bzip2) echo "bzip2 -dc" ;;
	lz4) echo "lz4 -dc" ;;
	*) return 1 ;;
	esac
}

# arm64_image VMLINUZ OUT: the raw arm64 Image shapevm loads (it takes no
# compressed kernel, and no PE loader runs the EFI stub), from the package's
# vmlinuz, which is one of:
# - the raw Image itself: Debian 12's 6.1 kernels. The EFI stub makes it
#   start with "MZ", but it is the Image the boot protocol describes;
# - the Image compressed whole (gzip, as arm64's make Image.gz; or xz, zstd,
#   lzma, bzip2, lz4), told apart by the compressor's magic;
# - an EFI zboot image (CONFIG_EFI_ZBOOT, newer kernels): a PE whose header
#   says "zimg" at offset 4, the compressed payload's offset and size at 8
#   and 12 (little-endian) and the compression's name at 24.
# The result must carry the arm64 boot header's magic, "ARM\x64" at offset
# 56 (Documentation/arm64/booting.rst); anything else fails the build here
# rather than a guest boot later.
arm64_image() {
	local src=$1 dst=$2 head format offset size cmd
	head=$(hex_at "$src" 0 8)
	if [ "$(hex_at "$src" 56 4)" = 41524d64 ]; then
		format="a raw Image"
		cp "$src" "$dst" || return 1
	elif [ "${head:0:4}" = 4d5a ] && [ "$(hex_at "$src" 4 4)" = 7a696d67 ]; then
		offset=$(le32_at "$src" 8) size=$(le32_at "$src" 12)
		format=$(od -An -c -j24 -N8 "$src" | tr -d ' ' | sed 's/\\0.*//')
		cmd=$(decompressor "$format") || { say "$src: EFI zboot with unknown compression '$format'"; return 1; }
		format="EFI zboot ($format)"
		# $cmd is a command with its options.
		# shellcheck disable=SC2086
		tail -c +$((offset + 1)) "$src" | head -c "$size" | $cmd >"$dst" || return 1
	else
		case $head in
		1f8b*) format=gzip ;;
		fd377a585a00*) format=xz ;;
		28b52ffd*) format=zstd ;;
		425a68*) format=bzip2 ;;
		5d0000*) format=lzma ;;
		02214c18*) format=lz4 ;;
		*) say "$src: neither an arm64 Image nor a compressed one (starts $head)"; return 1 ;;
		esac
		cmd=$(decompressor "$format")
		command -v "${cmd%% *}" >/dev/null || { say "$src is $format-compressed and ${cmd%% *} is missing"; return 1; }
		# shellcheck disable=SC2086
		$cmd <"$src" >"$dst" || return 1
		format="$format-compressed"
	fi
	if [ "$(hex_at "$dst" 56 4)" != 41524d64 ]; then
		say "$src ($format) gave no arm64 Image: no ARM\\x64 magic at offset 56"
		return 1
	fi
	say "$(basename "$src") is $format; Image: $(wc -c <"$dst") bytes"
}

# build_guest: the kernel and the guest initramfs, written beside and renamed.
build_guest() {
	local stage
	if [ "$arch" = x86_64 ]; then
		if ! cp "$out/linux/boot/vmlinuz-$kernel_version" "$out/bzImage.tmp" ||
			! mv "$out/bzImage.tmp" "$out/bzImage"; then
			fail "cannot copy the kernel"
		fi
	elif ! arm64_image "$out/linux/boot/vmlinuz-$kernel_version" "$out/Image.tmp" ||
		! mv "$out/Image.tmp" "$out/Image"; then
		rm -f "$out/Image.tmp"
		fail "cannot make the arm64 Image"
	fi
	stage=$(mktemp -d "$out/stage.XXXXXX") || fail "mktemp failed"
	initramfs_stage_base "$stage" "$here/lib/guest-init.sh" &&
		initramfs_stage_modules "$stage" "$modules_dir" "$here/$arch/guest-modules.txt" &&
		initramfs_pack "$stage" "$out/guest-initrd.cpio.gz" "gzip -9"
	local status=$?
	rm -rf "$stage"
	[ $status -eq 0 ] || fail "cannot build the guest initramfs"
}

print_env() {
	printf 'SHAPEVM_GUEST_KERNEL=%q\n' "$out/$kernel_file"
	printf 'SHAPEVM_GUEST_INITRD=%q\n' "$out/guest-initrd.cpio.gz"
	printf 'SHAPEVM_L1_KERNEL=%q\n' "$out/$kernel_file"
	printf 'SHAPEVM_MODULES_DIR=%q\n' "$modules_dir"
	printf 'SHAPEVM_KERNEL_VERSION=%q\n' "$kernel_version"
	printf 'SHAPEVM_KERNEL_PACKAGE=%q\n' "$kernel_package $kernel_deb_version"
	[ "$arch" = x86_64 ] || printf 'SHAPEVM_BUSYBOX=%q\n' "$initramfs_busybox"
}

resolve_kernel
fetch_kernel
[ "$arch" = x86_64 ] || fetch_busybox
hash=$(inputs_hash)
if [ "$(cat "$out/stamp" 2>/dev/null)" = "$hash" ] && [ -f "$out/$kernel_file" ] &&
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
