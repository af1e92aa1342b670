/*
 * qr.c: the enrolment QR code for a terminal (libqrencode).  Two modules
 * per character cell with the UTF-8 half blocks; light modules are drawn
 * in bright white on black, set explicitly with ANSI colours, so the code
 * scans on dark and light terminal themes alike.  A 4-module quiet zone
 * (ISO/IEC 18004) surrounds it.
 */
#include <errno.h>
#include <string.h>

#include <qrencode.h>

#include "cmfa_cli.h"

#define QUIET 4

static bool
light(const QRcode *q, int x, int y)
{
	if (x < 0 || y < 0 || x >= q->width || y >= q->width)
		return true;
	return (q->data[y * q->width + x] & 1) == 0;
}

enum cmfa_err
cmfa_cli_qr(const char *text, struct cmfa_buf *out)
{
	static const char *const cell[4] = {
		" ",            /* top dark, bottom dark */
		"\xe2\x96\x84", /* bottom light: lower half block */
		"\xe2\x96\x80", /* top light: upper half block */
		"\xe2\x96\x88", /* both light: full block */
	};
	enum cmfa_err e = CMFA_OK;
	QRcode *q;
	int x, y;

	if ((q = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1)) ==
	    NULL)
		return errno == ENOMEM ? CMFA_ERR_NOMEM : CMFA_ERR_TOOBIG;
	for (y = -QUIET; y < q->width + QUIET && e == CMFA_OK; y += 2) {
		e = cmfa_buf_append_str(out, "\033[40;97m");
		for (x = -QUIET; x < q->width + QUIET && e == CMFA_OK; x++)
			e = cmfa_buf_append_str(out,
			    cell[(light(q, x, y) ? 2 : 0) |
			        (light(q, x, y + 1) ? 1 : 0)]);
		if (e == CMFA_OK)
			e = cmfa_buf_append_str(out, "\033[0m\n");
	}
	QRcode_free(q);
	return e;
}
