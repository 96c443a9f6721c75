// SPDX-License-Identifier: GPL-2.0
/*
 * virtio-net (spec 5.1) on a tap with virtio-net headers. Transmit hands
 * the guest's buffers (header and frame) to the tap in one writev; receive
 * reads a frame into one buffer and spreads it over as many of the guest's
 * mergeable buffers as it needs. The tap's offloads follow what the guest
 * accepts, so TCP moves in 64 KiB segments both ways. The host kernel
 * checks every header the guest sends; a frame it refuses is dropped.
 */
#include <errno.h>
#include <linux/if_tun.h>
#include <linux/virtio_config.h>
#include <linux/virtio_net.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/uio.h>
#include <unistd.h>

#include "devices/tap.h"
#include "devices/vhost_net.h"
#include "devices/virtio_net.h"
#include "devices/virtio_pci.h"
#include "vmm/le.h"
#include "vmm/log.h"
#include "vmm/vm.h"

#define NET_QUEUE_SIZE		256
#define NET_HDR_SIZE		12	/* virtio_net_hdr_v1: VERSION_1 always has num_buffers */
#define NET_CONFIG_SIZE		10	/* mac, status, max_virtqueue_pairs */
/* The largest frame a tap hands over: a 64 KiB GSO segment plus headers. */
#define NET_RX_MAX		(NET_HDR_SIZE + 65536 + 14 + 4)
#define NET_RX_MAX_BUFFERS	64	/* mergeable buffers one frame may take */
#define RXQ			0
#define TXQ			1

struct virtio_net {
	struct virtio_dev vdev;
	int tap_fd;
	uint8_t mac[6];
	char name[32];
	char tap[16];
	uint8_t *rx_buf;		/* one frame from the tap, header first */
	size_t rx_len;			/* 0: nothing waiting for buffers */
	struct virtq_chain *chain;	/* scratch, on the heap: 16 KiB */
	struct vhost_net vhost;		/* fd -1: frames go through shapevm */
	uint64_t rx_dropped, tx_dropped;
};

/* Where byte @off of a chain's writable part is, or NULL. */
static uint8_t *chain_in_byte(const struct virtq_chain *chain, uint64_t off)
{
	for (unsigned int i = chain->nr_out; i < chain->nr_out + chain->nr_in; i++) {
		if (off < chain->iov[i].iov_len)
			return (uint8_t *)chain->iov[i].iov_base + off;
		off -= chain->iov[i].iov_len;
	}
	return NULL;
}

/*
 * Puts the waiting frame into the guest's buffers. False when there are
 * not enough buffers yet: what was taken goes back (virtq_rewind), and the
 * frame waits for the guest's next receive-queue notification.
 */
static bool rx_deliver(struct virtio_net *net)
{
	struct virtio_dev *vdev = &net->vdev;
	struct virtq *vq = &vdev->queues[RXQ].vq;
	bool mergeable = virtio_dev_has_feature(vdev, VIRTIO_NET_F_MRG_RXBUF);
	uint16_t heads[NET_RX_MAX_BUFFERS];
	uint32_t lens[NET_RX_MAX_BUFFERS];
	uint8_t *num_buffers[2] = { NULL, NULL };
	unsigned int used = 0;
	size_t off = 0;
	int ret;

	while (off < net->rx_len) {
		ret = virtq_pop_chain(vq, net->chain);
		if (ret < 0) {
			virtio_dev_fail(vdev, "receive queue: %s", vq->why);
			return true;
		}
		if (ret == 0 || used == NET_RX_MAX_BUFFERS) {
			virtq_rewind(vq, used + (ret == 1));
			if (used == NET_RX_MAX_BUFFERS || (!mergeable && used)) {
				net->rx_dropped++;	/* cannot ever fit: drop it */
				return true;
			}
			return false;
		}
		if (!used) {
			num_buffers[0] = chain_in_byte(net->chain, 10);
			num_buffers[1] = chain_in_byte(net->chain, 11);
		}
		heads[used] = net->chain->head;
		lens[used] = virtq_chain_write(net->chain, 0, net->rx_buf + off,
					       net->rx_len - off);
		off += lens[used];
		used++;
		if (!mergeable && off < net->rx_len) {
			/* Without mergeable buffers one must hold it all. */
			lens[0] = 0;
			net->rx_dropped++;
			break;
		}
	}
	if (num_buffers[0] && num_buffers[1]) {
		*num_buffers[0] = used & 0xff;
		*num_buffers[1] = used >> 8;
	}
	for (unsigned int i = 0; i < used; i++)
		virtq_push_used(vq, heads[i], lens[i]);
	return true;
}

static bool net_running(struct virtio_net *net)
{
	struct virtio_dev *vdev = &net->vdev;

	return (vdev->status & VIRTIO_CONFIG_S_DRIVER_OK) && !vdev->failed &&
	       vdev->queues[RXQ].enabled;
}

/* Frames from the tap while the guest has buffers for them (lock held). */
static void rx_drain(struct virtio_net *net)
{
	struct virtq *vq = &net->vdev.queues[RXQ].vq;
	bool delivered = false;

	while (net_running(net)) {
		if (!net->rx_len) {
			ssize_t n = read(net->tap_fd, net->rx_buf, NET_RX_MAX);

			if (n <= NET_HDR_SIZE)
				break;	/* EAGAIN: drained (the watch is edge-triggered) */
			net->rx_len = n;
		}
		if (!rx_deliver(net)) {
			/* Ask to be told when the guest adds buffers. */
			if (virtq_enable_notify(vq))
				continue;
			break;
		}
		net->rx_len = 0;
		delivered = true;
	}
	if (delivered)
		virtio_dev_notify_queue(&net->vdev, RXQ);
}

static int64_t tx_send(struct virtio_dev *vdev, struct virtq_chain *c)
{
	struct virtio_net *net = vdev->opaque;

	/* The guest's header is the tap's: both are virtio_net_hdr_v1. */
	if (c->out_len <= NET_HDR_SIZE || writev(net->tap_fd, c->iov, c->nr_out) < 0)
		net->tx_dropped++;
	return 0;
}

static void tx_drain(struct virtio_net *net)
{
	virtio_queue_serve(&net->vdev, TXQ, net->chain, tx_send);
}

static void net_queue_notify(struct virtio_dev *vdev, unsigned int queue)
{
	struct virtio_net *net = vdev->opaque;

	if (queue == TXQ)
		tx_drain(net);
	else if (queue == RXQ)
		rx_drain(net);
}

static void net_tap_readable(struct virtio_dev *vdev, void *arg)
{
	(void)vdev;
	rx_drain(arg);
}

/* The tap may hand the guest what the guest said it takes (spec 5.1.6.4). */
static int net_driver_ok(struct virtio_dev *vdev)
{
	struct virtio_net *net = vdev->opaque;
	unsigned int flags = 0;
	int ret;

	if (virtio_dev_has_feature(vdev, VIRTIO_NET_F_GUEST_CSUM)) {
		flags |= TUN_F_CSUM;
		if (virtio_dev_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO4))
			flags |= TUN_F_TSO4;
		if (virtio_dev_has_feature(vdev, VIRTIO_NET_F_GUEST_TSO6))
			flags |= TUN_F_TSO6;
		if (flags & (TUN_F_TSO4 | TUN_F_TSO6) &&
		    virtio_dev_has_feature(vdev, VIRTIO_NET_F_GUEST_ECN))
			flags |= TUN_F_TSO_ECN;
	}
	if (tap_set_offload(net->tap_fd, flags))
		log_warn("%s: the tap refused offloads 0x%x", net->name, flags);
	if (net->vhost.fd < 0)
		return 0;
	/*
	 * vhost signals an eventfd per queue, which only MSI-X vectors have:
	 * a driver on INTx gets the frames through shapevm, which keeps the
	 * ISR that INTx needs.
	 */
	if (!pci_msix_enabled(&vdev->pci)) {
		log_info("%s: MSI-X is off: frames go through shapevm, not vhost-net",
			 net->name);
		return 0;
	}
	virtio_dev_pause_io(vdev, true);
	ret = vhost_net_start(&net->vhost, vdev, net->tap_fd);
	if (ret) {
		log_warn("%s: vhost-net refused the queues (%s): frames go through shapevm",
			 net->name, strerror(-ret));
		vhost_net_close(&net->vhost);
		virtio_dev_pause_io(vdev, false);
	}
	return 0;
}

static void net_reset(struct virtio_dev *vdev)
{
	struct virtio_net *net = vdev->opaque;

	net->rx_len = 0;
	if (net->vhost.running) {
		vhost_net_stop(&net->vhost, vdev);
		virtio_dev_pause_io(vdev, false);
	}
}

static void net_config_read(struct virtio_dev *vdev, uint64_t offset, uint8_t *data,
			    unsigned int size)
{
	struct virtio_net *net = vdev->opaque;
	uint8_t cfg[NET_CONFIG_SIZE];

	memcpy(cfg, net->mac, 6);
	put_le16(cfg + 6, VIRTIO_NET_S_LINK_UP);
	put_le16(cfg + 8, 1);
	memcpy(data, cfg + offset, size);
}

static void net_destroy(void *arg)
{
	struct virtio_net *net = arg;

	vhost_net_stop(&net->vhost, &net->vdev);
	virtio_dev_stop(&net->vdev);
	vhost_net_close(&net->vhost);
	close(net->tap_fd);
	if (net->rx_dropped || net->tx_dropped)
		log_info("%s: dropped %llu received and %llu sent frames", net->name,
			 (unsigned long long)net->rx_dropped,
			 (unsigned long long)net->tx_dropped);
	free(net->rx_buf);
	free(net->chain);
}

static const struct virtio_dev_ops net_ops = {
	.config_read = net_config_read,
	.queue_notify = net_queue_notify,
	.driver_ok = net_driver_ok,
	.reset = net_reset,
};

/* A stable default: 52:54:00 (QEMU's local range) and a hash of the tap name. */
static void default_mac(const char *tap, uint8_t mac[6])
{
	uint32_t hash = 2166136261U;

	for (const char *p = tap; *p; p++)
		hash = (hash ^ (uint8_t)*p) * 16777619U;
	mac[0] = 0x52;
	mac[1] = 0x54;
	mac[2] = 0x00;
	mac[3] = hash >> 16;
	mac[4] = hash >> 8;
	mac[5] = hash;
}

int virtio_net_create(struct vm *vm, struct pci_host *host,
		      const struct config_net *cfg, unsigned int index)
{
	struct virtio_net *net = vm_alloc(vm, sizeof(*net));
	uint64_t features = (1ULL << VIRTIO_NET_F_MAC) | (1ULL << VIRTIO_NET_F_STATUS) |
			    (1ULL << VIRTIO_NET_F_MRG_RXBUF) |
			    (1ULL << VIRTIO_NET_F_CSUM) | (1ULL << VIRTIO_NET_F_GUEST_CSUM) |
			    (1ULL << VIRTIO_NET_F_HOST_TSO4) | (1ULL << VIRTIO_NET_F_HOST_TSO6) |
			    (1ULL << VIRTIO_NET_F_HOST_ECN) |
			    (1ULL << VIRTIO_NET_F_GUEST_TSO4) | (1ULL << VIRTIO_NET_F_GUEST_TSO6) |
			    (1ULL << VIRTIO_NET_F_GUEST_ECN);
	bool created;
	int ret;

	if (!net)
		return -ENOMEM;
	snprintf(net->name, sizeof(net->name), "virtio-net%u", index);
	snprintf(net->tap, sizeof(net->tap), "%s", cfg->tap);
	if (cfg->mac_given)
		memcpy(net->mac, cfg->mac, 6);
	else
		default_mac(cfg->tap, net->mac);
	net->rx_buf = malloc(NET_RX_MAX);
	net->chain = malloc(sizeof(*net->chain));
	if (!net->rx_buf || !net->chain) {
		free(net->rx_buf);
		free(net->chain);
		return -ENOMEM;
	}
	net->tap_fd = tap_open(cfg->tap, NET_HDR_SIZE, &created);
	if (net->tap_fd < 0) {
		free(net->rx_buf);
		free(net->chain);
		return net->tap_fd;
	}
	net->vhost.fd = -1;
	if (!vm->cfg->no_vhost) {
		ret = vhost_net_open(&net->vhost);
		if (ret && ret != -ENODEV)
			log_warn("%s: /dev/vhost-net: %s: frames go through shapevm", net->name,
				 strerror(-ret));
	}
	log_info("%s: tap %s (%s), MAC %02x:%02x:%02x:%02x:%02x:%02x, %s", net->name, cfg->tap,
		 created ? "created" : "existing", net->mac[0], net->mac[1], net->mac[2],
		 net->mac[3], net->mac[4], net->mac[5],
		 net->vhost.fd >= 0 ? "vhost-net" : "served by shapevm");
	ret = virtio_dev_init(&net->vdev, vm, net->name, VIRTIO_ID_NET, 2, NET_QUEUE_SIZE,
			      features, NET_CONFIG_SIZE, &net_ops, net);
	if (!ret)
		ret = vm_on_destroy(vm, net_destroy, net);
	if (ret) {
		vhost_net_close(&net->vhost);
		close(net->tap_fd);
		free(net->rx_buf);
		free(net->chain);
		return ret;
	}
	ret = virtio_dev_watch(&net->vdev, net->tap_fd, EPOLLIN | EPOLLET,
			       net_tap_readable, net);
	if (!ret)
		ret = virtio_dev_start(&net->vdev, host);
	return ret;
}
