# shellcheck shell=bash
# Host-side helper: copy a dynamically linked program into an initramfs tree
# with every shared library it loads, for images that have no libc of their
# own (the L1 host runs Debian's qemu-system-x86_64 this way). Sourced.

# shared_libs_stage DIR PROGRAM: PROGRAM (a path) and the libraries ldd
# resolves for it, the dynamic loader included, each copied (symlinks
# followed) to the same path under DIR. The host's loader resolves them, so
# the image gets exactly the files this host's program runs with; the
# loader inside finds them in its default directories without an
# ld.so.cache. Fails, naming it, on a library ldd cannot find.
shared_libs_stage() {
	local dir=$1 program=$2 list path missing
	list=$(ldd "$program" 2>&1) || { echo "shared-libs: ldd $program: $list" >&2; return 1; }
	missing=$(echo "$list" | awk '/=> not found/ { print $1 }')
	[ -z "$missing" ] || { echo "shared-libs: $program: missing libraries: $missing" >&2; return 1; }
	mkdir -p "$dir$(dirname "$program")" && cp -L "$program" "$dir$program" || return 1
	# "libz.so.1 => /lib/x86_64-linux-gnu/libz.so.1 (0x...)" and the loader's
	# "/lib64/ld-linux-x86-64.so.2 (0x...)"; linux-vdso has no file.
	for path in $(echo "$list" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }'); do
		mkdir -p "$dir$(dirname "$path")" && cp -L "$path" "$dir$path" || return 1
	done
}
