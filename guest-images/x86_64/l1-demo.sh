#!/bin/sh
# shellcheck shell=dash
# The "cases" of the demo L1 image (scripts/demo.sh on a host without
# hardware KVM): boot the demo guest once with its console on L1's, between
# two markers the host uses to show just the demo:
#   SHAPEVM_DEMO_BEGIN
#   ... shapevm's and the guest's output ...
#   SHAPEVM_DEMO_END status=<shapevm's exit status>
# The environment comes from l1-init.sh.
set -u

echo "SHAPEVM_DEMO_BEGIN"
if [ "${SHAPEVM_L1_KVM:-0}" != 1 ]; then
	echo "The emulated host has no /dev/kvm: kvm_amd did not load."
	echo "SHAPEVM_DEMO_END status=1"
	exit 0
fi
# shapevm.demo_console=virtio on L1's command line (scripts/demo.sh) makes
# the guest's console virtio-console's hvc0.
console_args="" params="console=ttyS0 quiet"
if grep -q 'shapevm.demo_console=virtio' /proc/cmdline; then
	console_args="--console virtio" params="console=hvc0 quiet"
fi
echo "\$ shapevm run -k bzImage -i initrd.cpio.gz -m 512M -c 2 --rng $console_args -p \"$params\""
# stdin from /dev/null: nobody types into the emulated host's console.
# The word splitting of console_args is meant.
# shellcheck disable=SC2086
timeout -k 5 "${SHAPEVM_CASE_TIMEOUT:-90}" "$SHAPEVM" run -k "$SHAPEVM_GUEST_KERNEL" \
	-i "$SHAPEVM_GUEST_INITRD" -m 512M -c 2 --rng $console_args -p "$params" </dev/null 2>&1
echo "SHAPEVM_DEMO_END status=$?"
