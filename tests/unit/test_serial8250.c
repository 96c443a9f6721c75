// SPDX-License-Identifier: GPL-2.0
/*
 * devices/serial8250: a detached 16550A whose output is a pipe, whose
 * "room again" signal is an eventfd and whose interrupt line is a callback.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "devices/serial8250.h"
#include "tests/unit/suites.h"

enum { RBR = 0, THR = 0, DLL = 0, IER = 1, DLM = 1, IIR = 2, FCR = 2, LCR = 3,
       MCR = 4, LSR = 5, MSR = 6, SCR = 7 };

struct irq_line {
	int level;
	unsigned int raises, lowers;
};

struct uart_fixture {
	struct serial8250 *uart;
	int out[2];		/* pipe: [0] read by the test, [1] the UART's out_fd */
	int space_fd;
	struct irq_line line;
};

static void record_irq(void *opaque, int level)
{
	struct irq_line *line = opaque;

	/* The UART sends only changes of its line. */
	if (level == line->level || (level != 0 && level != 1))
		ck_abort_msg("line set to %d while at %d", level, line->level);
	line->level = level;
	if (level)
		line->raises++;
	else
		line->lowers++;
}

static void fixture_open(struct uart_fixture *f)
{
	memset(f, 0, sizeof(*f));
	ck_assert_int_eq(pipe2(f->out, O_NONBLOCK | O_CLOEXEC), 0);
	f->space_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	ck_assert_int_ge(f->space_fd, 0);
	f->uart = serial8250_create_detached(f->out[1], f->space_fd, record_irq,
					     &f->line);
	ck_assert_ptr_nonnull(f->uart);
}

static void fixture_close(struct uart_fixture *f)
{
	serial8250_destroy(f->uart);
	close(f->out[0]);
	close(f->out[1]);
	close(f->space_fd);
}

static uint8_t rd(struct uart_fixture *f, unsigned int reg)
{
	uint8_t v = 0xa5;

	serial8250_access(f->uart, reg, &v, 1, false);
	return v;
}

static void wr(struct uart_fixture *f, unsigned int reg, uint8_t v)
{
	serial8250_access(f->uart, reg, &v, 1, true);
}

/* Reads what the UART has written out so far; 0 when nothing. */
static ssize_t drain(struct uart_fixture *f, char *buf, size_t len)
{
	ssize_t n = read(f->out[0], buf, len);

	if (n < 0) {
		ck_assert_int_eq(errno, EAGAIN);
		return 0;
	}
	return n;
}

/* The eventfd's count, 0 when it was not signalled. */
static uint64_t space_signals(struct uart_fixture *f)
{
	uint64_t count = 0;

	if (read(f->space_fd, &count, sizeof(count)) < 0) {
		ck_assert_int_eq(errno, EAGAIN);
		return 0;
	}
	return count;
}

/* Reads RBR and expects in[from..to). */
static void read_expect(struct uart_fixture *f, const uint8_t *in, size_t from,
			size_t to)
{
	for (size_t i = from; i < to; i++) {
		uint8_t v = rd(f, RBR);

		if (v != in[i])
			ck_abort_msg("byte %zu: got 0x%02x, want 0x%02x", i, v, in[i]);
	}
}

START_TEST(test_thr_to_output)
{
	struct uart_fixture f;
	char out[16];

	fixture_open(&f);
	wr(&f, THR, 'H');
	wr(&f, THR, 'i');
	wr(&f, THR, '\n');
	wr(&f, THR, 0);
	wr(&f, THR, 0xff);
	ck_assert_int_eq(drain(&f, out, sizeof(out)), 5);
	ck_assert_int_eq(memcmp(out, "Hi\n\0\xff", 5), 0);
	/* No interrupt was enabled, so none was raised. */
	ck_assert_uint_eq(f.line.raises, 0);
	ck_assert_int_eq(f.line.level, 0);
	fixture_close(&f);
}
END_TEST

START_TEST(test_lsr_idle)
{
	struct uart_fixture f;
	char out[4];

	fixture_open(&f);
	ck_assert_uint_eq(rd(&f, LSR), 0x60);		/* THRE | TEMT */
	wr(&f, THR, 'x');
	ck_assert_uint_eq(rd(&f, LSR), 0x60);		/* output is synchronous */
	ck_assert_int_eq(drain(&f, out, sizeof(out)), 1);
	/* LSR is read-only. */
	wr(&f, LSR, 0x00);
	ck_assert_uint_eq(rd(&f, LSR), 0x60);
	fixture_close(&f);
}
END_TEST

START_TEST(test_dlab)
{
	struct uart_fixture f;
	char out[4];

	fixture_open(&f);
	wr(&f, LCR, 0x83);				/* DLAB, 8N1 */
	ck_assert_uint_eq(rd(&f, LCR), 0x83);
	ck_assert_uint_eq(rd(&f, DLL), 12);		/* 9600 baud, as a BIOS leaves it */
	ck_assert_uint_eq(rd(&f, DLM), 0);
	wr(&f, DLL, 0x01);				/* 115200 */
	wr(&f, DLM, 0x02);
	ck_assert_uint_eq(rd(&f, DLL), 0x01);
	ck_assert_uint_eq(rd(&f, DLM), 0x02);
	/* Divisor writes are not output, nor interrupt enables. */
	ck_assert_int_eq(drain(&f, out, sizeof(out)), 0);
	wr(&f, LCR, 0x03);
	ck_assert_uint_eq(rd(&f, IER), 0);
	ck_assert_uint_eq(f.line.raises, 0);
	wr(&f, IER, 0x05);
	ck_assert_uint_eq(rd(&f, IER), 0x05);
	wr(&f, THR, 'a');
	ck_assert_int_eq(drain(&f, out, sizeof(out)), 1);
	ck_assert_int_eq(out[0], 'a');
	/* The divisor survived both. */
	wr(&f, LCR, 0x80);
	ck_assert_uint_eq(rd(&f, DLL), 0x01);
	ck_assert_uint_eq(rd(&f, DLM), 0x02);
	fixture_close(&f);
}
END_TEST

START_TEST(test_scratch)
{
	struct uart_fixture f;

	fixture_open(&f);
	wr(&f, SCR, 0x5a);
	ck_assert_uint_eq(rd(&f, SCR), 0x5a);
	wr(&f, SCR, 0xa5);
	ck_assert_uint_eq(rd(&f, SCR), 0xa5);
	wr(&f, LCR, 0x80);				/* DLAB does not hide it */
	ck_assert_uint_eq(rd(&f, SCR), 0xa5);
	fixture_close(&f);
}
END_TEST

START_TEST(test_thri_no_fifo)
{
	struct uart_fixture f;

	fixture_open(&f);
	ck_assert_uint_eq(rd(&f, IIR), 0x01);		/* nothing pending */
	wr(&f, IER, 0x02);				/* THRI, transmitter idle */
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(f.line.raises, 1);
	ck_assert_uint_eq(rd(&f, IER), 0x02);
	ck_assert_uint_eq(rd(&f, IIR), 0x02);		/* THR empty */
	ck_assert_int_eq(f.line.level, 0);		/* reading IIR acknowledged it */
	ck_assert_uint_eq(rd(&f, IIR), 0x01);
	/* Each byte sent empties the THR again. */
	wr(&f, THR, 'z');
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(rd(&f, IIR), 0x02);
	ck_assert_int_eq(f.line.level, 0);
	/* Disabling THRI with an interrupt pending lowers the line. */
	wr(&f, THR, 'z');
	ck_assert_int_eq(f.line.level, 1);
	wr(&f, IER, 0x00);
	ck_assert_int_eq(f.line.level, 0);
	ck_assert_uint_eq(rd(&f, IIR), 0x01);
	ck_assert_uint_eq(f.line.raises, 3);
	ck_assert_uint_eq(f.line.lowers, 3);
	fixture_close(&f);
}
END_TEST

START_TEST(test_thri_fifo)
{
	struct uart_fixture f;

	fixture_open(&f);
	wr(&f, FCR, 0x01);				/* FIFO enable */
	ck_assert_uint_eq(rd(&f, IIR), 0xc1);
	wr(&f, IER, 0x02);
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(rd(&f, IIR), 0xc2);
	ck_assert_int_eq(f.line.level, 0);
	ck_assert_uint_eq(rd(&f, IIR), 0xc1);
	wr(&f, FCR, 0x00);				/* FIFO off again */
	ck_assert_uint_eq(rd(&f, IIR), 0x01);
	fixture_close(&f);
}
END_TEST

START_TEST(test_ier_reserved_bits)
{
	struct uart_fixture f;

	fixture_open(&f);
	wr(&f, IER, 0xf0);
	ck_assert_uint_eq(rd(&f, IER), 0x00);
	ck_assert_int_eq(f.line.level, 0);
	fixture_close(&f);
}
END_TEST

START_TEST(test_receive)
{
	struct uart_fixture f;

	fixture_open(&f);
	ck_assert_uint_eq(serial8250_receive(f.uart, (const uint8_t *)"abc", 3), 3);
	ck_assert_uint_eq(rd(&f, LSR), 0x61);		/* DR */
	ck_assert_int_eq(f.line.level, 0);		/* RDI not enabled */
	ck_assert_uint_eq(rd(&f, IIR), 0x01);
	wr(&f, IER, 0x01);				/* RDI */
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(rd(&f, IIR), 0x04);
	ck_assert_int_eq(f.line.level, 1);		/* IIR does not acknowledge RDI */
	ck_assert_uint_eq(rd(&f, RBR), 'a');
	ck_assert_uint_eq(rd(&f, RBR), 'b');
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(rd(&f, RBR), 'c');
	ck_assert_int_eq(f.line.level, 0);		/* empty: line drops */
	ck_assert_uint_eq(rd(&f, LSR), 0x60);
	ck_assert_uint_eq(rd(&f, IIR), 0x01);
	ck_assert_uint_eq(rd(&f, RBR), 0);		/* reading empty RBR is harmless */
	ck_assert_uint_eq(rd(&f, LSR), 0x60);

	/* With RDI enabled first, receiving raises the line. */
	ck_assert_uint_eq(serial8250_receive(f.uart, (const uint8_t *)"d", 1), 1);
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(f.line.raises, 2);
	ck_assert_uint_eq(rd(&f, RBR), 'd');
	ck_assert_int_eq(f.line.level, 0);
	ck_assert_uint_eq(serial8250_receive(f.uart, NULL, 0), 0);
	ck_assert_int_eq(f.line.level, 0);
	fixture_close(&f);
}
END_TEST

START_TEST(test_receive_priority)
{
	struct uart_fixture f;

	fixture_open(&f);
	wr(&f, IER, 0x03);				/* RDI and THRI */
	ck_assert_uint_eq(serial8250_receive(f.uart, (const uint8_t *)"q", 1), 1);
	/* Received data outranks THR empty, and reading IIR keeps THRI pending. */
	ck_assert_uint_eq(rd(&f, IIR), 0x04);
	ck_assert_uint_eq(rd(&f, IIR), 0x04);
	ck_assert_uint_eq(rd(&f, RBR), 'q');
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(rd(&f, IIR), 0x02);
	ck_assert_int_eq(f.line.level, 0);
	fixture_close(&f);
}
END_TEST

START_TEST(test_receive_overflow)
{
	static uint8_t in[5000];
	struct uart_fixture f;

	fixture_open(&f);
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)((i * 2654435761u) >> 24);	/* no period of 2^k */
	ck_assert_uint_eq(serial8250_receive(f.uart, in, sizeof(in)), 4096);
	ck_assert_uint_eq(serial8250_receive(f.uart, in + 4096, 10), 0);
	ck_assert_uint_eq(space_signals(&f), 0);

	/* Room is announced once half the buffer is free, not before. */
	read_expect(&f, in, 0, 2047);
	ck_assert_uint_eq(space_signals(&f), 0);
	ck_assert_uint_eq(rd(&f, RBR), in[2047]);
	ck_assert_uint_eq(space_signals(&f), 1);
	/* ...and only once. */
	read_expect(&f, in, 2048, 4096);
	ck_assert_uint_eq(space_signals(&f), 0);
	ck_assert_uint_eq(rd(&f, LSR), 0x60);

	/* The rest goes in now, still in order, wrapping around the ring. */
	ck_assert_uint_eq(serial8250_receive(f.uart, in + 4096, 904), 904);
	read_expect(&f, in, 4096, 5000);
	ck_assert_uint_eq(rd(&f, LSR), 0x60);
	ck_assert_uint_eq(space_signals(&f), 0);
	fixture_close(&f);
}
END_TEST

START_TEST(test_receive_exact_fill_no_signal)
{
	static uint8_t in[4096];
	struct uart_fixture f;

	fixture_open(&f);
	/* Everything taken: nobody waits, so nobody is woken. */
	ck_assert_uint_eq(serial8250_receive(f.uart, in, sizeof(in)), 4096);
	for (size_t i = 0; i < 4096; i++)
		rd(&f, RBR);
	ck_assert_uint_eq(space_signals(&f), 0);
	fixture_close(&f);
}
END_TEST

START_TEST(test_fcr_clear_rx)
{
	struct uart_fixture f;

	fixture_open(&f);
	wr(&f, IER, 0x01);
	ck_assert_uint_eq(serial8250_receive(f.uart, (const uint8_t *)"abc", 3), 3);
	ck_assert_int_eq(f.line.level, 1);
	wr(&f, FCR, 0x03);				/* enable, clear receive FIFO */
	ck_assert_uint_eq(rd(&f, LSR), 0x60);
	ck_assert_int_eq(f.line.level, 0);
	ck_assert_uint_eq(rd(&f, IIR), 0xc1);
	fixture_close(&f);
}
END_TEST

/*
 * BUG (devices/serial8250.c, uart_write UART_FCR / uart_read_rx): after
 * serial8250_receive() refused bytes (rx_was_full), a guest that clears the
 * receive FIFO through FCR (Linux does, in serial8250_clear_fifos on open
 * and termios changes) empties the buffer without signalling rx_space_fd,
 * and uart_read_rx() returns early on an empty buffer, so no later read
 * signals it either. The console keeps its input held back and stops
 * polling the terminal: input stalls for good.
 */
START_TEST(test_bug_fcr_clear_after_full_signals_space)
{
	static uint8_t in[5000];
	struct uart_fixture f;

	fixture_open(&f);
	ck_assert_uint_eq(serial8250_receive(f.uart, in, sizeof(in)), 4096);
	wr(&f, FCR, 0x07);				/* enable, clear both FIFOs */
	ck_assert_uint_eq(rd(&f, LSR), 0x60);		/* nothing left to read */
	rd(&f, RBR);					/* what a confused guest might do */
	ck_assert_msg(space_signals(&f) == 1,
		      "the receive buffer was emptied by FCR but rx_space_fd was never signalled");
	fixture_close(&f);
}
END_TEST

START_TEST(test_loopback)
{
	struct uart_fixture f;
	char out[4];

	fixture_open(&f);
	ck_assert_uint_eq(rd(&f, MSR), 0xb0);		/* DCD, DSR, CTS; no deltas */
	wr(&f, MCR, 0x10);				/* loop, all outputs off */
	ck_assert_uint_eq(rd(&f, MCR), 0x10);
	/* The three lines dropped: their delta bits are set once. */
	ck_assert_uint_eq(rd(&f, MSR), 0x0b);
	ck_assert_uint_eq(rd(&f, MSR), 0x00);

	wr(&f, THR, 'L');
	ck_assert_int_eq(drain(&f, out, sizeof(out)), 0);	/* not sent out */
	ck_assert_uint_eq(rd(&f, LSR), 0x61);
	ck_assert_uint_eq(rd(&f, RBR), 'L');
	ck_assert_uint_eq(rd(&f, LSR), 0x60);

	wr(&f, MCR, 0x11);				/* DTR -> DSR */
	ck_assert_uint_eq(rd(&f, MSR), 0x22);
	wr(&f, MCR, 0x13);				/* RTS -> CTS */
	ck_assert_uint_eq(rd(&f, MSR), 0x31);
	wr(&f, MCR, 0x17);				/* OUT1 -> RI (no delta rising) */
	ck_assert_uint_eq(rd(&f, MSR), 0x70);
	wr(&f, MCR, 0x1f);				/* OUT2 -> DCD */
	ck_assert_uint_eq(rd(&f, MSR), 0xf8);
	ck_assert_uint_eq(rd(&f, MSR), 0xf0);
	wr(&f, MCR, 0x1c);				/* drop DTR and RTS */
	ck_assert_uint_eq(rd(&f, MSR), 0xc3);
	wr(&f, MCR, 0xff);				/* bits 5-7 do not exist */
	ck_assert_uint_eq(rd(&f, MCR), 0x1f);
	ck_assert_uint_eq(rd(&f, MSR), 0xf3);

	/* Out of loopback: the fixed lines again, and output flows. */
	wr(&f, MCR, 0x03);
	ck_assert_uint_eq(rd(&f, MSR) & ~0x04, 0xb0);
	wr(&f, THR, 'o');
	ck_assert_int_eq(drain(&f, out, sizeof(out)), 1);
	ck_assert_int_eq(out[0], 'o');
	ck_assert_uint_eq(rd(&f, LSR), 0x60);
	fixture_close(&f);
}
END_TEST

START_TEST(test_modem_status_interrupt)
{
	struct uart_fixture f;

	fixture_open(&f);
	wr(&f, IER, 0x08);				/* MSI */
	ck_assert_int_eq(f.line.level, 0);
	wr(&f, MCR, 0x10);
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(rd(&f, IIR), 0x00);		/* modem status */
	ck_assert_int_eq(f.line.level, 1);
	ck_assert_uint_eq(rd(&f, MSR), 0x0b);		/* reading MSR acknowledges */
	ck_assert_int_eq(f.line.level, 0);
	ck_assert_uint_eq(rd(&f, IIR), 0x01);
	fixture_close(&f);
}
END_TEST

START_TEST(test_wide_access)
{
	struct uart_fixture f;
	uint8_t data[4];
	char out[8];

	fixture_open(&f);
	wr(&f, LCR, 0x80);
	data[0] = 0x34;
	data[1] = 0x12;
	serial8250_access(f.uart, DLL, data, 2, true);
	memset(data, 0, sizeof(data));
	serial8250_access(f.uart, DLL, data, 2, false);
	ck_assert_uint_eq(data[0], 0x34);
	ck_assert_uint_eq(data[1], 0x12);

	/* THR 'A', IER 0, FCR 0, LCR 0x03 in one write. */
	wr(&f, LCR, 0x00);
	memcpy(data, "A\0\0\x03", 4);
	serial8250_access(f.uart, THR, data, 4, true);
	ck_assert_int_eq(drain(&f, out, sizeof(out)), 1);
	ck_assert_int_eq(out[0], 'A');
	ck_assert_uint_eq(rd(&f, LCR), 0x03);

	wr(&f, SCR, 0x77);
	serial8250_access(f.uart, MCR, data, 4, false);	/* MCR LSR MSR SCR */
	ck_assert_uint_eq(data[0], 0x00);
	ck_assert_uint_eq(data[1], 0x60);
	ck_assert_uint_eq(data[2], 0xb0);
	ck_assert_uint_eq(data[3], 0x77);

	/* A 16-bit read at RBR reads RBR then IER, not two received bytes. */
	ck_assert_uint_eq(serial8250_receive(f.uart, (const uint8_t *)"xy", 2), 2);
	serial8250_access(f.uart, RBR, data, 2, false);
	ck_assert_uint_eq(data[0], 'x');
	ck_assert_uint_eq(data[1], 0x00);		/* IER */
	ck_assert_uint_eq(rd(&f, RBR), 'y');
	fixture_close(&f);
}
END_TEST

static uint32_t xorshift32(uint32_t *state)
{
	uint32_t x = *state;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *state = x;
}

START_TEST(test_hostile)
{
	static const unsigned int sizes[] = { 1, 2, 4, 8 };
	struct uart_fixture f;
	uint32_t seed = 0x8250u + _i;
	uint8_t data[8], junk[300];
	char out[4096];

	fixture_open(&f);
	for (unsigned int op = 0; op < 20000; op++) {
		uint32_t r = xorshift32(&seed);
		unsigned int size = sizes[r & 3];
		uint64_t offset = (r >> 2) & 7;
		bool is_write = r & 0x20;

		for (unsigned int i = 0; i < size; i++)
			data[i] = xorshift32(&seed);
		serial8250_access(f.uart, offset, data, size, is_write);
		if (!is_write) {
			for (unsigned int i = 0; i < size; i++) {
				unsigned int reg = (offset + i) & 7;

				if (reg == LSR && (data[i] & 0xfe) != 0x60)
					ck_abort_msg("LSR 0x%02x", data[i]);
			}
		}
		if ((r >> 8 & 0x3f) == 0) {
			size_t len = r >> 16 & 0xff;

			for (size_t i = 0; i < len; i++)
				junk[i] = xorshift32(&seed);
			if (serial8250_receive(f.uart, junk, len) > len)
				ck_abort_msg("took more than offered");
		}
		if ((op & 1023) == 0) {
			drain(&f, out, sizeof(out));
			space_signals(&f);
		}
	}
	/* Still a working UART afterwards. */
	wr(&f, LCR, 0x03);
	wr(&f, MCR, 0x00);
	wr(&f, FCR, 0x06);
	wr(&f, IER, 0x00);
	while (drain(&f, out, sizeof(out)) > 0)
		;
	ck_assert_int_eq(f.line.level, 0);
	ck_assert_uint_eq(rd(&f, LSR), 0x60);
	wr(&f, THR, '!');
	ck_assert_int_eq(drain(&f, out, sizeof(out)), 1);
	ck_assert_int_eq(out[0], '!');
	fixture_close(&f);
}
END_TEST

START_TEST(test_every_register_value)
{
	struct uart_fixture f;
	char out[4096];

	fixture_open(&f);
	for (unsigned int reg = 0; reg < 8; reg++) {
		for (unsigned int value = 0; value < 256; value++) {
			wr(&f, reg, value);
			for (unsigned int other = 0; other < 8; other++) {
				uint8_t v = rd(&f, other);

				if (other == LSR && (v & 0xfe) != 0x60)
					ck_abort_msg("LSR 0x%02x after reg %u = 0x%02x",
						     v, reg, value);
				if (other == IIR && (v & 0x3f) != 0x01 &&
				    (v & 0x3f) != 0x02 && (v & 0x3f) != 0x04 &&
				    (v & 0x3f) != 0x00)
					ck_abort_msg("IIR 0x%02x after reg %u = 0x%02x",
						     v, reg, value);
			}
		}
		drain(&f, out, sizeof(out));
		wr(&f, LCR, 0x00);
		wr(&f, MCR, 0x00);
	}
	fixture_close(&f);
}
END_TEST

Suite *serial8250_suite(void)
{
	Suite *s = suite_create("serial8250");
	TCase *tc;

	tc = tcase_create("registers");
	tcase_add_test(tc, test_thr_to_output);
	tcase_add_test(tc, test_lsr_idle);
	tcase_add_test(tc, test_dlab);
	tcase_add_test(tc, test_scratch);
	tcase_add_test(tc, test_wide_access);
	suite_add_tcase(s, tc);

	tc = tcase_create("interrupts");
	tcase_add_test(tc, test_thri_no_fifo);
	tcase_add_test(tc, test_thri_fifo);
	tcase_add_test(tc, test_ier_reserved_bits);
	tcase_add_test(tc, test_receive_priority);
	tcase_add_test(tc, test_modem_status_interrupt);
	suite_add_tcase(s, tc);

	tc = tcase_create("receive");
	tcase_add_test(tc, test_receive);
	tcase_add_test(tc, test_receive_overflow);
	tcase_add_test(tc, test_receive_exact_fill_no_signal);
	tcase_add_test(tc, test_fcr_clear_rx);
	tcase_add_test(tc, test_bug_fcr_clear_after_full_signals_space);
	suite_add_tcase(s, tc);

	tc = tcase_create("loopback");
	tcase_add_test(tc, test_loopback);
	suite_add_tcase(s, tc);

	tc = tcase_create("hostile");
	tcase_add_test(tc, test_every_register_value);
	tcase_add_loop_test(tc, test_hostile, 0, 4);
	suite_add_tcase(s, tc);
	return s;
}
