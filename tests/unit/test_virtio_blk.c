// SPDX-License-Identifier: GPL-2.0
/* devices/virtio_blk: requests against a temporary image file. */
#include <linux/virtio_blk.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "devices/virtio_blk.h"
#include "tests/unit/suites.h"
#include "vmm/le.h"

#define DISK_SECTORS	64

static char image[] = "/tmp/shapevm-blk-XXXXXX";
static struct blk_disk disk;

static void disk_setup(void)
{
	uint8_t sector[512];

	disk.fd = mkstemp(image);
	ck_assert_int_ge(disk.fd, 0);
	for (int i = 0; i < DISK_SECTORS; i++) {
		memset(sector, i, sizeof(sector));
		ck_assert_int_eq(write(disk.fd, sector, sizeof(sector)), sizeof(sector));
	}
	disk.sectors = DISK_SECTORS;
	disk.read_only = false;
	memcpy(disk.id, "test-disk-id-0123456", sizeof(disk.id));
}

static void disk_teardown(void)
{
	close(disk.fd);
	unlink(image);
	strcpy(image, "/tmp/shapevm-blk-XXXXXX");
}

/* A request as a driver lays it out: header, data, status byte. */
struct request {
	uint8_t header[16];
	uint8_t data[4096];
	uint8_t status;
	struct virtq_chain *chain;
};

static struct request *request_make(uint32_t type, uint64_t sector, size_t data_len,
				    bool data_writable)
{
	struct request *r = calloc(1, sizeof(*r));
	struct virtq_chain *c = calloc(1, sizeof(*c));
	unsigned int n = 0;

	ck_assert_ptr_nonnull(r);
	ck_assert_ptr_nonnull(c);
	r->chain = c;
	put_le32(r->header, type);
	put_le64(r->header + 8, sector);
	c->iov[n++] = (struct iovec) { r->header, 16 };
	c->nr_out = 1;
	c->out_len = 16;
	if (data_len && !data_writable) {
		c->iov[n++] = (struct iovec) { r->data, data_len };
		c->nr_out++;
		c->out_len += data_len;
	}
	if (data_len && data_writable) {
		c->iov[n++] = (struct iovec) { r->data, data_len };
		c->nr_in++;
		c->in_len += data_len;
	}
	c->iov[n++] = (struct iovec) { &r->status, 1 };
	c->nr_in++;
	c->in_len += 1;
	r->status = 0xaa;
	return r;
}

static void request_free(struct request *r)
{
	free(r->chain);
	free(r);
}

START_TEST(test_read)
{
	struct request *r = request_make(VIRTIO_BLK_T_IN, 3, 1024, true);

	ck_assert_uint_eq(blk_disk_request(&disk, r->chain), 1025);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(r->data[0], 3);
	ck_assert_uint_eq(r->data[1023], 4);
	request_free(r);
}
END_TEST

START_TEST(test_write_and_flush)
{
	struct request *r = request_make(VIRTIO_BLK_T_OUT, 10, 512, false);
	uint8_t back[512];

	memset(r->data, 0x5a, 512);
	ck_assert_uint_eq(blk_disk_request(&disk, r->chain), 1);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_OK);
	ck_assert_int_eq(pread(disk.fd, back, sizeof(back), 10 * 512), 512);
	ck_assert_uint_eq(back[0], 0x5a);
	ck_assert_uint_eq(back[511], 0x5a);
	request_free(r);

	r = request_make(VIRTIO_BLK_T_FLUSH, 0, 0, false);
	ck_assert_uint_eq(blk_disk_request(&disk, r->chain), 1);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_OK);
	request_free(r);
}
END_TEST

START_TEST(test_get_id)
{
	struct request *r = request_make(VIRTIO_BLK_T_GET_ID, 0, 20, true);

	ck_assert_uint_eq(blk_disk_request(&disk, r->chain), 21);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_OK);
	ck_assert_int_eq(memcmp(r->data, "test-disk-id-0123456", 20), 0);
	request_free(r);

	/* Too small a buffer for the ID. */
	r = request_make(VIRTIO_BLK_T_GET_ID, 0, 8, true);
	ck_assert_uint_eq(blk_disk_request(&disk, r->chain), 1);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_IOERR);
	request_free(r);
}
END_TEST

START_TEST(test_out_of_range)
{
	/* The last sector reads; one past it, or a length past the end, does not. */
	struct request *r = request_make(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 512, true);

	ck_assert_uint_eq(blk_disk_request(&disk, r->chain), 513);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_OK);
	request_free(r);
	r = request_make(VIRTIO_BLK_T_IN, DISK_SECTORS - 1, 1024, true);
	blk_disk_request(&disk, r->chain);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_IOERR);
	request_free(r);
	r = request_make(VIRTIO_BLK_T_OUT, UINT64_MAX, 512, false);
	blk_disk_request(&disk, r->chain);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_IOERR);
	request_free(r);
	/* Not a whole number of sectors. */
	r = request_make(VIRTIO_BLK_T_IN, 0, 100, true);
	blk_disk_request(&disk, r->chain);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_IOERR);
	request_free(r);
}
END_TEST

START_TEST(test_read_only)
{
	struct request *r = request_make(VIRTIO_BLK_T_OUT, 0, 512, false);
	uint8_t back[512];

	disk.read_only = true;
	memset(r->data, 0x77, 512);
	blk_disk_request(&disk, r->chain);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_IOERR);
	ck_assert_int_eq(pread(disk.fd, back, sizeof(back), 0), 512);
	ck_assert_uint_eq(back[0], 0);
	request_free(r);
}
END_TEST

START_TEST(test_discard_and_write_zeroes)
{
	struct request *r = request_make(VIRTIO_BLK_T_WRITE_ZEROES, 0, 16, false);
	uint8_t back[512];

	put_le64(r->data, 5);
	put_le32(r->data + 8, 2);
	put_le32(r->data + 12, 0);
	ck_assert_uint_eq(blk_disk_request(&disk, r->chain), 1);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_OK);
	ck_assert_int_eq(pread(disk.fd, back, sizeof(back), 6 * 512), 512);
	ck_assert_uint_eq(back[0], 0);
	ck_assert_uint_eq(back[511], 0);
	ck_assert_int_eq(pread(disk.fd, back, sizeof(back), 7 * 512), 512);
	ck_assert_uint_eq(back[0], 7);
	request_free(r);

	r = request_make(VIRTIO_BLK_T_DISCARD, 0, 16, false);
	put_le64(r->data, 60);
	put_le32(r->data + 8, 10);	/* past the end */
	blk_disk_request(&disk, r->chain);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_IOERR);
	request_free(r);

	/* Segment lists that are not whole 16-byte segments. */
	r = request_make(VIRTIO_BLK_T_DISCARD, 0, 12, false);
	blk_disk_request(&disk, r->chain);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_UNSUPP);
	request_free(r);
}
END_TEST

START_TEST(test_malformed)
{
	struct request *r = request_make(0x1234, 0, 0, false);
	struct virtq_chain *c;

	/* An unknown type is answered UNSUPP. */
	ck_assert_uint_eq(blk_disk_request(&disk, r->chain), 1);
	ck_assert_uint_eq(r->status, VIRTIO_BLK_S_UNSUPP);
	/* No status byte, or a short header: nothing to answer with. */
	c = r->chain;
	c->nr_in = 0;
	c->in_len = 0;
	ck_assert_uint_eq(blk_disk_request(&disk, c), 0);
	c->iov[0].iov_len = 8;
	c->out_len = 8;
	c->nr_in = 1;
	c->in_len = 1;
	ck_assert_uint_eq(blk_disk_request(&disk, c), 0);
	request_free(r);
}
END_TEST

Suite *virtio_blk_suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("requests");

	tcase_add_checked_fixture(tc, disk_setup, disk_teardown);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_write_and_flush);
	tcase_add_test(tc, test_get_id);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_read_only);
	tcase_add_test(tc, test_discard_and_write_zeroes);
	tcase_add_test(tc, test_malformed);
	suite_add_tcase(s, tc);
	return s;
}
