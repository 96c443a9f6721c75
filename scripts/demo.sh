#!/usr/bin/env bash
# make demo: boot Debian's kernel with a busybox initramfs under shapevm; the
# guest prints what it sees (kernel, CPUs, memory, command line, PCI devices)
# and powers off.
#
#   SHAPEVM=build/x86_64/shapevm SHAPEVM_STATIC=build/x86_64-static/shapevm bash scripts/demo.sh
#
# With hardware KVM (kvm_intel or kvm_amd loaded) it runs $SHAPEVM right here.
# Otherwise (a software /dev/kvm such as kvm_pvm cannot boot Linux) it boots
# the same guest with $SHAPEVM_STATIC inside an emulated x86_64 host (QEMU
# TCG, nested KVM; see guest-images/x86_64/) and shows the guest's console as
# it comes. The emulated host's whole console is kept in
# build/l1-x86/demo-console.log. Exit status: shapevm's (0: guest powered off).
set -u

root=$(cd "$(dirname "$0")/.." && pwd)
images=$root/guest-images

vars=$("$images/build.sh" x86_64) || {
	echo "demo: cannot build the demo guest (guest-images/build.sh said why above)" >&2
	exit 1
}
eval "$vars"

# SHAPEVM_DEMO_CONSOLE=virtio: the guest's console is virtio-console's hvc0.
console=${SHAPEVM_DEMO_CONSOLE:-serial}
case $console in
serial) console_args="" params="console=ttyS0 quiet" ;;
virtio) console_args="--console virtio" params="console=hvc0 quiet" ;;
*)
	echo "demo: SHAPEVM_DEMO_CONSOLE=$console: serial or virtio" >&2
	exit 2
	;;
esac

if [ -d /sys/module/kvm_intel ] || [ -d /sys/module/kvm_amd ]; then
	shapevm=${SHAPEVM:-$root/build/x86_64/shapevm}
	# The word splitting of console_args is meant.
	# shellcheck disable=SC2086
	exec "$shapevm" run -k "$SHAPEVM_GUEST_KERNEL" -i "$SHAPEVM_GUEST_INITRD" \
		-m 512M -c 2 --rng $console_args -p "$params"
fi

echo "This host has no hardware KVM (neither kvm_intel nor kvm_amd is loaded), so the demo boots inside an emulated x86_64 host with nested KVM, which takes about a minute."
static=${SHAPEVM_STATIC:-$root/build/x86_64-static/shapevm}
if [ ! -f "$static" ]; then
	echo "demo: $static: no such file; make STATIC=1 builds the static shapevm the emulated host needs" >&2
	exit 1
fi
command -v qemu-system-x86_64 >/dev/null || {
	echo "demo: qemu-system-x86_64 is missing (package qemu-system-x86; make deps installs it)" >&2
	exit 1
}

logdir=$root/build/l1-x86
log=$logdir/demo-console.log
mkdir -p "$logdir" || exit 1
"$images/x86_64/build-l1-initramfs.sh" "$logdir/demo-initrd.cpio" "$static" \
	"$SHAPEVM_GUEST_KERNEL" "$SHAPEVM_GUEST_INITRD" "$images/x86_64/l1-demo.sh" || exit 1

# show_demo: pass through what lies between the demo's markers, as it comes,
# less the emulated host's own KVM chatter; remember shapevm's exit status.
status_file=$logdir/demo-status
rm -f "$status_file"
show_demo() {
	local line showing=0
	while IFS= read -r line; do
		case $line in
		*SHAPEVM_DEMO_BEGIN*) showing=1 ;;
		*"SHAPEVM_DEMO_END status="*)
			echo "${line##*status=}" >"$status_file"
			showing=0
			;;
		*"]: vcpu"*", guest rIP: "*) ;; # L1's KVM noting MSRs it ignores
		*) [ "$showing" = 0 ] || printf '%s\n' "$line" ;;
		esac
	done
}
"$images/x86_64/run-l1.sh" --initrd "$logdir/demo-initrd.cpio" --log "$log" \
	--timeout 240 --append "shapevm.case_timeout=150 shapevm.demo_console=$console" \
	--stream | show_demo

if [ ! -f "$status_file" ]; then
	echo "demo: the emulated host ended before the demo did; its console: $log (last 20 lines follow)" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
status=$(cat "$status_file")
case $status in '' | *[!0-9]*) status=1 ;; esac
echo "shapevm exited with status $status"
exit "$status"
