// SPDX-License-Identifier: GPL-2.0
#include <errno.h>
#include <sys/random.h>

#include "devices/virtio_pci.h"
#include "devices/virtio_rng.h"
#include "vmm/vm.h"

#define RNG_QUEUE_SIZE		64
/* Per request: the guest asks for little, and getrandom never blocks this much. */
#define RNG_MAX_BYTES		4096

struct virtio_rng {
	struct virtio_dev vdev;
};

/* Fills the chain's writable buffers; returns the bytes written. */
static uint32_t rng_fill(const struct virtq_chain *chain)
{
	uint64_t want = chain->in_len < RNG_MAX_BYTES ? chain->in_len : RNG_MAX_BYTES;
	uint32_t done = 0;

	for (unsigned int i = chain->nr_out; i < chain->nr_out + chain->nr_in && done < want; i++) {
		size_t len = chain->iov[i].iov_len;
		ssize_t got;

		if (len > want - done)
			len = want - done;
		got = getrandom(chain->iov[i].iov_base, len, GRND_NONBLOCK);
		if (got <= 0)
			break;
		done += got;
		if ((size_t)got < len)
			break;
	}
	return done;
}

static int64_t rng_serve(struct virtio_dev *vdev, struct virtq_chain *chain)
{
	(void)vdev;
	return rng_fill(chain);
}

static void rng_queue_notify(struct virtio_dev *vdev, unsigned int queue)
{
	static __thread struct virtq_chain chain;

	virtio_queue_serve(vdev, queue, &chain, rng_serve);
}

static void rng_destroy(void *arg)
{
	struct virtio_rng *rng = arg;

	virtio_dev_stop(&rng->vdev);
}

static const struct virtio_dev_ops rng_ops = {
	.queue_notify = rng_queue_notify,
};

int virtio_rng_create(struct vm *vm, struct pci_host *host)
{
	struct virtio_rng *rng = vm_alloc(vm, sizeof(*rng));
	int ret;

	if (!rng)
		return -ENOMEM;
	ret = virtio_dev_init(&rng->vdev, vm, "virtio-rng", VIRTIO_ID_RNG, 1,
			      RNG_QUEUE_SIZE, 0, 0, &rng_ops, rng);
	if (ret)
		return ret;
	ret = vm_on_destroy(vm, rng_destroy, rng);
	if (ret)
		return ret;
	return virtio_dev_start(&rng->vdev, host);
}
