# shellcheck shell=bash source-path=SCRIPTDIR
# Host-side helpers to assemble initramfs trees, shared by build.sh (the test
# guest) and x86_64/build-l1-initramfs.sh (the emulated L1 host). Sourced.

initramfs_lib_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=modules.sh
. "$initramfs_lib_dir/modules.sh"

# The busybox that goes into every image: busybox-static's, as the images have
# no libc. (busybox's dynamic build installs the same path.)
initramfs_busybox=/bin/busybox

# initramfs_check_busybox: fail with a reason unless busybox-static is there.
initramfs_check_busybox() {
	local status
	status=$(dpkg-query -W -f='${db:Status-Status}' busybox-static 2>/dev/null)
	if [ "$status" != installed ] || [ ! -x "$initramfs_busybox" ]; then
		echo "busybox-static is not installed (apt-get install busybox-static)"
		return 1
	fi
}

# initramfs_stage_base DIR INIT: busybox, the module helper and INIT as /init.
initramfs_stage_base() {
	local dir=$1 init=$2
	mkdir -p "$dir"/{bin,dev,proc,sys,tmp,root,etc/shapevm,lib/shapevm} || return 1
	cp "$initramfs_busybox" "$dir/bin/busybox" &&
		cp "$initramfs_lib_dir/modules.sh" "$dir/lib/shapevm/modules.sh" &&
		install -m 0755 "$init" "$dir/init"
}

# initramfs_stage_modules DIR MODULES_DIR LIST: the modules named in LIST (a
# file, one name a line, '#' comments) and all they depend on, copied from
# MODULES_DIR (an unpacked /lib/modules/<version> with modules.dep) to the same
# place under DIR, with a modules.dep that lists just those. .ko.xz files are
# shipped decompressed: busybox insmod under TCG is faster on plain .ko, and
# the image's modules.dep names what is really there. LIST is copied to
# /etc/shapevm/modules, the list the guest's /init loads.
initramfs_stage_modules() {
	local dir=$1 moddir=$2 list=$3 version names order path target
	version=$(basename "$moddir")
	names=$(sed -e 's/#.*//' "$list") || return 1
	# $names is split on purpose: one argument per module name.
	# shellcheck disable=SC2086
	order=$(modules_order "$moddir/modules.dep" "$moddir/modules.builtin" $names) || return 1
	sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list" >"$dir/etc/shapevm/modules"
	mkdir -p "$dir/lib/modules/$version" || return 1
	cp "$moddir/modules.builtin" "$dir/lib/modules/$version/" || return 1
	: >"$dir/lib/modules/$version/modules.dep"
	for path in $order; do
		target=$dir/lib/modules/$version/${path%.xz}
		mkdir -p "$(dirname "$target")" || return 1
		case $path in
		*.ko.xz) xz -dc "$moddir/$path" >"$target" || return 1 ;;
		*.ko) cp "$moddir/$path" "$target" || return 1 ;;
		*) echo "initramfs: $path: unsupported module compression" >&2; return 1 ;;
		esac
		awk -v entry="$path:" '$1 == entry' "$moddir/modules.dep" |
			sed -e 's/\.ko\.xz/.ko/g' >>"$dir/lib/modules/$version/modules.dep"
	done
}

# initramfs_pack DIR OUT COMPRESS: a newc cpio of DIR, owned by root, in OUT.
# COMPRESS is a command reading stdin (gzip -9) or "cat" to leave it plain.
# Written next to OUT and renamed, so a reader never sees half a file.
initramfs_pack() {
	local dir=$1 out=$2 compress=$3
	# $compress is a command with its options.
	# shellcheck disable=SC2086
	(cd "$dir" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc -R 0:0 --quiet | $compress) >"$out.tmp" &&
		mv "$out.tmp" "$out"
}
