#!/bin/sh
# shellcheck shell=dash
# The L2 side of bench/virtio: runs inside the guest, from its /init
# (guest-images/lib/guest-init.sh runs what follows " -- " on the kernel
# command line). run.sh appends it and vbench to the guest's initramfs as
# /bench/l2-bench.sh and /bench/vbench; every VMM boots that same initramfs.
#
#   sh /bench/l2-bench.sh READ_MIB WRITE_MIB RAND_S NET_S RR_S
#
# With a /dev/vda (virtio-blk), in this order:
#   seqread       busybox dd if=/dev/vda of=/dev/null bs=1M count=READ_MIB iflag=direct
#                 (L1 dropped its caches before the run: a VMM that reads
#                 the image through L1's page cache fills it now)
#   seqread_warm  the same again (such a VMM now finds it in L1's cache)
#   randread      vbench randread /dev/vda 1 RAND_S, then with 32 in flight
#   seqwrite      busybox dd if=/dev/zero of=/dev/vda bs=1M count=WRITE_MIB oflag=direct conv=fsync
# With an eth0 (virtio-net; L1's tap0 is 10.0.2.1 and runs vbench's servers):
#   tx        vbench send 10.0.2.1 5001 NET_S   (guest to L1, to a sink)
#   rx        vbench recv 10.0.2.1 5002         (L1's source writes NET_S)
#   rr        vbench rr 10.0.2.1 5003 RR_S      (1-byte round trips, echo)
# (each with the TCP segments the guest retransmitted meanwhile)
# Each result is one line, timed on the guest's CLOCK_MONOTONIC:
#   VBENCH: metric=M value=V unit=U [detail]
# and a failed step "VBENCH: fail metric=M why". Exits 0 if all went well.
set -u

read_mib=$1 write_mib=$2 rand_s=$3 net_s=$4 rr_s=$5
vbench=/bench/vbench
status=0

say() { echo "VBENCH: $*"; }
failed() { say "fail $*"; status=1; }

# field NAME LINE: the value of NAME= in LINE.
field() {
	echo "$2" | tr ' ' '\n' | sed -n "s/^$1=//p"
}

# timed_dd METRIC MIB DD-ARGS...: dd under vbench's clock; MiB/s.
timed_dd() {
	metric=$1 mib=$2
	shift 2
	line=$($vbench time dd "$@" 2>/tmp/dd.err)
	secs=$(field seconds "$line")
	if [ "$(field status "$line")" != 0 ] || [ -z "$secs" ]; then
		failed "metric=$metric dd: $(tail -n 1 /tmp/dd.err) ($line)"
		return
	fi
	say "metric=$metric value=$(awk -v m="$mib" -v s="$secs" 'BEGIN { printf "%.2f", m / s }') unit=MiB/s mib=$mib seconds=$secs"
}

# retrans: the guest's TCP retransmitted segments so far.
retrans() {
	awk '/^Tcp:/ { if (!col) { for (i = 1; i <= NF; i++) if ($i == "RetransSegs") col = i } else print $col }' /proc/net/snmp
}

# net_test METRIC FIELD VBENCH-ARGS...: one vbench client; FIELD of its line
# is the value. Also the TCP segments the guest retransmitted meanwhile.
net_test() {
	metric=$1 key=$2
	shift 2
	before=$(retrans)
	line=$($vbench "$@" 2>/tmp/net.err)
	v=$(field "$key" "$line")
	if [ -z "$v" ]; then
		failed "metric=$metric $(tail -n 1 /tmp/net.err)"
		return
	fi
	case $key in mib_s) unit=MiB/s ;; *) unit=trans/s ;; esac
	say "metric=$metric value=$v unit=$unit $(echo "$line" | cut -d' ' -f2-3) guest_retrans=$(($(retrans) - before))"
}

if [ -b /dev/vda ]; then
	q=/sys/block/vda/queue
	say "info vda $(($(cat /sys/block/vda/size) / 2048)) MiB, queues $(find /sys/block/vda/mq -mindepth 1 -maxdepth 1 | wc -l), depth $(cat $q/nr_requests), max_sectors_kb $(cat $q/max_sectors_kb), max_segments $(cat $q/max_segments), max_segment_size $(cat $q/max_segment_size), logical_block_size $(cat $q/logical_block_size), scheduler $(cat $q/scheduler)"
	timed_dd seqread "$read_mib" if=/dev/vda of=/dev/null bs=1M count="$read_mib" iflag=direct
	timed_dd seqread_warm "$read_mib" if=/dev/vda of=/dev/null bs=1M count="$read_mib" iflag=direct
	for qd in 1 32; do
		line=$($vbench randread /dev/vda "$qd" "$rand_s" 2>/tmp/rr.err)
		iops=$(field iops "$line")
		if [ -n "$iops" ]; then
			say "metric=randread_qd$qd value=$iops unit=IOPS $(echo "$line" | cut -d' ' -f3-4)"
		else
			failed "metric=randread_qd$qd $(tail -n 1 /tmp/rr.err)"
		fi
	done
	timed_dd seqwrite "$write_mib" if=/dev/zero of=/dev/vda bs=1M count="$write_mib" oflag=direct conv=fsync
else
	say "info no /dev/vda"
fi

# The features each virtio device and its driver agreed on (bit 0 first).
for dev in /sys/bus/virtio/devices/*; do
	[ -e "$dev/features" ] || continue
	say "info virtio device $(cat "$dev/device") ($(basename "$(readlink "$dev/driver")")) features $(cat "$dev/features")"
done

if [ -e /sys/class/net/eth0 ]; then
	ip addr add 10.0.2.15/24 dev eth0 && ip link set eth0 up
	# The first exchange also waits for the link and ARP.
	tries=0
	until ping -c 1 -W 1 10.0.2.1 >/dev/null 2>&1; do
		tries=$((tries + 1))
		[ "$tries" -lt 20 ] || break
	done
	say "info eth0 $(cat /sys/class/net/eth0/address), L1 answered ping after $tries misses"
	net_test tx mib_s send 10.0.2.1 5001 "$net_s"
	net_test rx mib_s recv 10.0.2.1 5002
	net_test rr trans_s rr 10.0.2.1 5003 "$rr_s"
else
	say "info no eth0"
fi
exit "$status"
