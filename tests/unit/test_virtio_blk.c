// SPDX-License-Identifier: GPL-2.0
/* devices/virtio_blk: requests against a temporary image file. */
#include <errno.h>
#include <fcntl.h>
#include <linux/virtio_blk.h>
#include <stdio.h>
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

/* --- O_DIRECT (",direct") --- */

#define DIRECT_SECTORS	2048	/* 1 MiB: room for requests over several bounce chunks */

static char direct_image[64];
static struct blk_disk direct;
static bool direct_ok;		/* the file system took O_DIRECT */

/* The byte the image holds at @pos before any test writes it. */
static uint8_t pattern_at(uint64_t pos)
{
	return (uint8_t)(pos / 512 * 7 + pos % 512);
}

/*
 * An image on a file system that does O_DIRECT (tmpfs before 6.6 does not):
 * /var/tmp or, failing that, the directory the tests run in.
 */
static void direct_setup(void)
{
	static const char *const dirs[] = { "/var/tmp", "." };
	static uint8_t buf[DIRECT_SECTORS * 512];
	int fd = -1;

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = pattern_at(i);
	direct_ok = false;
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !direct_ok; i++) {
		snprintf(direct_image, sizeof(direct_image), "%s/shapevm-blk-direct-XXXXXX", dirs[i]);
		fd = mkstemp(direct_image);
		if (fd < 0)
			continue;
		ck_assert_int_eq(write(fd, buf, sizeof(buf)), sizeof(buf));
		close(fd);
		if (!blk_disk_open(&direct, direct_image, false, true)) {
			direct_ok = true;
			break;
		}
		unlink(direct_image);
	}
	if (!direct_ok)
		printf("virtio_blk: O_DIRECT tests skipped: neither /var/tmp nor . takes O_DIRECT\n");
}

static void direct_teardown(void)
{
	if (!direct_ok)
		return;
	blk_disk_close(&direct);
	unlink(direct_image);
}

/* A chain: header, the data in @nr pieces, the status byte. */
static struct virtq_chain *direct_chain(uint32_t type, uint64_t sector,
					const struct iovec *data, unsigned int nr,
					uint8_t *header, uint8_t *status)
{
	struct virtq_chain *c = calloc(1, sizeof(*c));
	bool in = type == VIRTIO_BLK_T_IN;
	unsigned int n = 0;

	ck_assert_ptr_nonnull(c);
	put_le32(header, type);
	put_le32(header + 4, 0);
	put_le64(header + 8, sector);
	c->iov[n++] = (struct iovec) { header, 16 };
	c->out_len = 16;
	for (unsigned int i = 0; i < nr; i++) {
		c->iov[n++] = data[i];
		if (in)
			c->in_len += data[i].iov_len;
		else
			c->out_len += data[i].iov_len;
	}
	c->nr_out = in ? 1 : 1 + nr;
	c->iov[n++] = (struct iovec) { status, 1 };
	c->nr_in = in ? nr + 1 : 1;
	c->in_len += 1;
	*status = 0xaa;
	return c;
}

/* One request of @len bytes at @sector from or into @buf (one piece). */
static uint8_t direct_request(uint32_t type, uint64_t sector, void *buf, size_t len)
{
	struct iovec piece = { buf, len };
	uint8_t header[16], status;
	struct virtq_chain *c = direct_chain(type, sector, &piece, 1, header, &status);

	blk_disk_request(&direct, c);
	free(c);
	return status;
}

/* The image's bytes, read past shapevm's descriptor. */
static void image_read(uint64_t pos, void *buf, size_t len)
{
	int fd = open(direct_image, O_RDONLY);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(pread(fd, buf, len, pos), (ssize_t)len);
	close(fd);
}

static void *aligned_buffer(size_t len)
{
	void *p = NULL;

	ck_assert_int_eq(posix_memalign(&p, 4096, len + 4096), 0);
	return p;
}

START_TEST(test_direct_aligned)
{
	uint8_t *buf, back[8192];

	if (!direct_ok)
		return;
	ck_assert(direct.direct);
	ck_assert_uint_eq(direct.sectors, DIRECT_SECTORS);
	/* The blk_size offered is O_DIRECT's unit here, 512 to 4096 bytes. */
	ck_assert_uint_ge(blk_disk_block_size(&direct), 512);
	ck_assert_uint_le(blk_disk_block_size(&direct), 4096);
	ck_assert_uint_eq(blk_disk_block_size(&direct) % 512, 0);
	buf = aligned_buffer(8192);
	ck_assert_uint_eq(direct_request(VIRTIO_BLK_T_IN, 16, buf, 8192), VIRTIO_BLK_S_OK);
	for (size_t i = 0; i < 8192; i++)
		ck_assert_uint_eq(buf[i], pattern_at(16 * 512 + i));
	memset(buf, 0x3c, 8192);
	ck_assert_uint_eq(direct_request(VIRTIO_BLK_T_OUT, 32, buf, 8192), VIRTIO_BLK_S_OK);
	image_read(32 * 512, back, sizeof(back));
	for (size_t i = 0; i < sizeof(back); i++)
		ck_assert_uint_eq(back[i], 0x3c);
	/* Aligned buffers go straight to the file, never through the bounce buffer. */
	ck_assert_uint_eq(direct.bounced, 0);
	free(buf);
}
END_TEST

START_TEST(test_direct_misaligned_buffer)
{
	uint8_t *buf, back[4096 + 1024];

	if (!direct_ok)
		return;
	buf = aligned_buffer(4096);
	/* One byte off: no O_DIRECT file takes that address. */
	ck_assert_uint_eq(direct_request(VIRTIO_BLK_T_IN, 5, buf + 1, 4096), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(direct.bounced, 1);
	for (size_t i = 0; i < 4096; i++)
		ck_assert_uint_eq(buf[1 + i], pattern_at(5 * 512 + i));
	for (size_t i = 0; i < 4096; i++)
		buf[1 + i] = (uint8_t)(i * 13 + 1);
	ck_assert_uint_eq(direct_request(VIRTIO_BLK_T_OUT, 9, buf + 1, 4096), VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(direct.bounced, 2);
	/* The sectors written, and their neighbours untouched. */
	image_read(8 * 512, back, sizeof(back));
	for (size_t i = 0; i < 512; i++)
		ck_assert_uint_eq(back[i], pattern_at(8 * 512 + i));
	for (size_t i = 0; i < 4096; i++)
		ck_assert_uint_eq(back[512 + i], (uint8_t)(i * 13 + 1));
	for (size_t i = 0; i < 512; i++)
		ck_assert_uint_eq(back[4608 + i], pattern_at(17 * 512 + i));
	free(buf);
}
END_TEST

/*
 * A file that needs 4 KiB offsets (some disks' logical blocks), forced
 * here: 512-byte requests read and merge whole blocks, over several
 * bounce-buffer chunks, with pieces of odd lengths.
 */
START_TEST(test_direct_misaligned_offset)
{
	size_t len = BLK_BOUNCE_BYTES + 3 * 4096 + 1024;	/* past one chunk */
	uint8_t *buf, *back;
	struct iovec pieces[3];
	uint8_t header[16], status;
	struct virtq_chain *c;

	if (!direct_ok)
		return;
	direct.offset_align = 4096;
	buf = aligned_buffer(len);
	back = malloc(len + 1024);
	ck_assert_ptr_nonnull(back);
	/* 1 KiB into a block, in three pieces, the middle one at an odd length. */
	pieces[0] = (struct iovec) { buf, 1536 };
	pieces[1] = (struct iovec) { buf + 1536, 100000 };
	pieces[2] = (struct iovec) { buf + 101536, len - 101536 };
	c = direct_chain(VIRTIO_BLK_T_IN, 3, pieces, 3, header, &status);
	ck_assert_uint_eq(blk_disk_request(&direct, c), len + 1);
	ck_assert_uint_eq(status, VIRTIO_BLK_S_OK);
	for (size_t i = 0; i < len; i++)
		ck_assert_uint_eq(buf[i], pattern_at(3 * 512 + i));
	free(c);
	for (size_t i = 0; i < len; i++)
		buf[i] = (uint8_t)(i * 31 + 7);
	c = direct_chain(VIRTIO_BLK_T_OUT, 3, pieces, 3, header, &status);
	ck_assert_uint_eq(blk_disk_request(&direct, c), 1);
	ck_assert_uint_eq(status, VIRTIO_BLK_S_OK);
	ck_assert_uint_eq(direct.bounced, 2);
	image_read(2 * 512, back, len + 1024);
	for (size_t i = 0; i < 512; i++)
		ck_assert_uint_eq(back[i], pattern_at(2 * 512 + i));
	for (size_t i = 0; i < len; i++)
		ck_assert_uint_eq(back[512 + i], (uint8_t)(i * 31 + 7));
	for (size_t i = 0; i < 512; i++)
		ck_assert_uint_eq(back[512 + len + i], pattern_at(3 * 512 + len + i));
	free(c);
	/* A single sector inside a block: read, merged, written back. */
	memset(buf, 0xe1, 512);
	ck_assert_uint_eq(direct_request(VIRTIO_BLK_T_OUT, 1001, buf, 512), VIRTIO_BLK_S_OK);
	image_read(1000 * 512, back, 1536);
	for (size_t i = 0; i < 512; i++) {
		ck_assert_uint_eq(back[i], pattern_at(1000 * 512 + i));
		ck_assert_uint_eq(back[512 + i], 0xe1);
		ck_assert_uint_eq(back[1024 + i], pattern_at(1002 * 512 + i));
	}
	free(back);
	free(buf);
}
END_TEST

/* The image shrank under the guest: the bounce path reads zeros past its end. */
START_TEST(test_direct_short_file)
{
	uint8_t *buf;

	if (!direct_ok)
		return;
	ck_assert_int_eq(truncate(direct_image, 100 * 512), 0);
	buf = aligned_buffer(8192);
	memset(buf, 0xff, 8192);
	ck_assert_uint_eq(direct_request(VIRTIO_BLK_T_IN, 96, buf + 512, 4096), VIRTIO_BLK_S_OK);
	for (size_t i = 0; i < 2048; i++)
		ck_assert_uint_eq(buf[512 + i], pattern_at(96 * 512 + i));
	for (size_t i = 2048; i < 4096; i++)
		ck_assert_uint_eq(buf[512 + i], 0);
	/* And the direct path too. */
	memset(buf, 0xff, 8192);
	ck_assert_uint_eq(direct_request(VIRTIO_BLK_T_IN, 96, buf, 4096), VIRTIO_BLK_S_OK);
	for (size_t i = 2048; i < 4096; i++)
		ck_assert_uint_eq(buf[i], 0);
	free(buf);
}
END_TEST

/* FLUSH, WRITE_ZEROES and DISCARD on an O_DIRECT descriptor. */
START_TEST(test_direct_flush_and_zeroes)
{
	uint8_t seg[16], header[16], status, back[1024];
	struct iovec piece = { seg, sizeof(seg) };
	struct virtq_chain *c;

	if (!direct_ok)
		return;
	ck_assert_uint_eq(direct_request(VIRTIO_BLK_T_FLUSH, 0, NULL, 0) , VIRTIO_BLK_S_OK);
	put_le64(seg, 200);
	put_le32(seg + 8, 2);
	put_le32(seg + 12, 0);
	c = direct_chain(VIRTIO_BLK_T_WRITE_ZEROES, 0, &piece, 1, header, &status);
	blk_disk_request(&direct, c);
	ck_assert_uint_eq(status, VIRTIO_BLK_S_OK);
	free(c);
	image_read(200 * 512, back, sizeof(back));
	for (size_t i = 0; i < sizeof(back); i++)
		ck_assert_uint_eq(back[i], 0);
	c = direct_chain(VIRTIO_BLK_T_DISCARD, 0, &piece, 1, header, &status);
	blk_disk_request(&direct, c);
	ck_assert_uint_eq(status, VIRTIO_BLK_S_OK);
	free(c);
}
END_TEST

/* Buffered disks keep 512-byte blocks and no bounce buffer; open's errors. */
START_TEST(test_open)
{
	struct blk_disk d;

	ck_assert_int_eq(blk_disk_open(&d, image, true, false), 0);
	ck_assert(!d.direct);
	ck_assert(d.read_only);
	ck_assert_ptr_null(d.bounce);
	ck_assert_uint_eq(d.sectors, DISK_SECTORS);
	ck_assert_uint_eq(blk_disk_block_size(&d), 512);
	ck_assert_int_eq(memcmp(d.id, "shapevm-blk-", 12), 0);
	blk_disk_close(&d);
	ck_assert_int_eq(blk_disk_open(&d, "/nonexistent/shapevm.img", false, true), -ENOENT);
	/* procfs refuses O_DIRECT, as tmpfs did before Linux 6.6: an error, not a fallback. */
	ck_assert_int_eq(blk_disk_open(&d, "/proc/version", true, true), -EINVAL);
}
END_TEST

Suite *virtio_blk_suite(void)
{
	Suite *s = suite_create("virtio_blk");
	TCase *tc = tcase_create("requests");
	TCase *dio = tcase_create("direct");

	tcase_add_checked_fixture(tc, disk_setup, disk_teardown);
	tcase_add_test(tc, test_read);
	tcase_add_test(tc, test_write_and_flush);
	tcase_add_test(tc, test_get_id);
	tcase_add_test(tc, test_out_of_range);
	tcase_add_test(tc, test_read_only);
	tcase_add_test(tc, test_discard_and_write_zeroes);
	tcase_add_test(tc, test_malformed);
	tcase_add_test(tc, test_open);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(dio, direct_setup, direct_teardown);
	tcase_add_test(dio, test_direct_aligned);
	tcase_add_test(dio, test_direct_misaligned_buffer);
	tcase_add_test(dio, test_direct_misaligned_offset);
	tcase_add_test(dio, test_direct_short_file);
	tcase_add_test(dio, test_direct_flush_and_zeroes);
	suite_add_tcase(s, dio);
	return s;
}
