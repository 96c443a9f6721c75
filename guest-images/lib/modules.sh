# shellcheck shell=sh
# Kernel module helpers shared by the host-side image builders (bash) and the
# guests' /init (busybox sh), so both agree on what gets loaded and in which
# order. Sourced, never run. Needs only awk, which both sides have.
#
# Dependencies come from modules.dep as written by depmod: one line per module,
# "path.ko: dep.ko dep.ko ...", where the list is the full transitive closure in
# reverse load order (modprobe loads it from the end). Names may be given with
# '-' or '_' (kvm-amd, kvm_amd), as the kernel treats them as the same module.

# modules_order DEPFILE BUILTINFILE NAME...
# Prints the modules.dep paths of NAME and everything it needs, each once, in
# the order they must be loaded. Builtin modules are skipped silently; a name
# that is neither a module nor builtin is an error (exit 1) so a typo in a
# module list fails the build instead of a guest boot.
modules_order() {
	mod_dep=$1 mod_builtin=$2
	shift 2
	[ $# -gt 0 ] || return 0
	awk -v want="$*" -v builtin_file="$mod_builtin" '
	function modname(path) {
		sub(/^.*\//, "", path)
		sub(/\.ko(\.[a-z]+)?:?$/, "", path)
		gsub(/-/, "_", path)
		return path
	}
	function emit(path) {
		if (!(path in printed)) {
			printed[path] = 1
			print path
		}
	}
	BEGIN {
		while ((getline line < builtin_file) > 0)
			builtin[modname(line)] = 1
	}
	{
		path = $1
		sub(/:$/, "", path)
		name = modname(path)
		where[name] = path
		deps[name] = ""
		for (i = 2; i <= NF; i++)
			deps[name] = deps[name] " " $i
	}
	END {
		count = split(want, names, " ")
		for (n = 1; n <= count; n++) {
			name = modname(names[n])
			if (name in where) {
				ndeps = split(deps[name], list, " ")
				for (i = ndeps; i >= 1; i--)
					emit(list[i])
				emit(where[name])
			} else if (!(name in builtin)) {
				print "modules: " names[n] ": no such module in " FILENAME > "/dev/stderr"
				failed = 1
			}
		}
		exit failed
	}' "$mod_dep"
}

# modules_params NAME: the NAME.param=value words of the kernel command line,
# as "param=value ...". busybox insmod does not read /proc/cmdline the way
# modprobe does, so module options given at boot are passed on by hand.
modules_params() {
	mod_name=$(echo "$1" | tr - _)
	read -r mod_cmdline </proc/cmdline
	for mod_word in $mod_cmdline; do
		case $(echo "${mod_word%%=*}" | tr - _) in
		"$mod_name".*) printf '%s ' "${mod_word#*.}" ;;
		esac
	done
}

# modules_load NAME...: inside a guest, load NAME and its dependencies from
# /lib/modules/$(uname -r). Prints one line per module it loads or fails to
# load; returns non-zero if any failed.
modules_load() {
	[ $# -gt 0 ] || return 0
	mod_dir=/lib/modules/$(uname -r)
	mod_order=$(modules_order "$mod_dir/modules.dep" "$mod_dir/modules.builtin" "$@") || return 1
	mod_status=0
	for mod_path in $mod_order; do
		mod_file=$(basename "$mod_path")
		mod_file=${mod_file%%.ko*}
		# Already there (loaded earlier or by the kernel itself): nothing to do.
		[ -d "/sys/module/$(echo "$mod_file" | tr - _)" ] && continue
		mod_params=$(modules_params "$mod_file")
		# $mod_params is split on purpose: one insmod argument per option.
		# shellcheck disable=SC2086
		if insmod "$mod_dir/$mod_path" $mod_params 2>/tmp/insmod.err; then
			echo "modules: loaded $mod_file${mod_params:+ ($mod_params)}"
		else
			echo "modules: insmod $mod_file failed: $(cat /tmp/insmod.err)"
			mod_status=1
		fi
	done
	return $mod_status
}

# modules_load_list FILE: load the modules named in FILE (one per line, '#'
# comments allowed). A missing or empty list loads nothing.
modules_load_list() {
	[ -f "$1" ] || return 0
	# Word splitting turns the list into arguments; names have no spaces.
	# shellcheck disable=SC2046
	modules_load $(sed -e 's/#.*//' "$1")
}
