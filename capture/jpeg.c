#include "capture/jpeg.h"

#include <stdio.h>
#include <math.h>
#include <string.h>

#include <libexif/exif-data.h>
#include <turbojpeg.h>

#include "common/gc_alloc.h"

/* ------------------------------------------------------------------ */
/* Format sniffing                                                     */
/* ------------------------------------------------------------------ */

enum gc_fmt
gc_fmt_sniff(const uint8_t *p, size_t n)
{
	if (n == 0) {
		return GC_FMT_EMPTY;
	}
	if (n >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff) {
		return GC_FMT_JPEG;
	}
	if (n >= 4 && memcmp(p, "\x89PNG", 4) == 0) {
		return GC_FMT_PNG;
	}
	if (n >= 4 && memcmp(p, "GIF8", 4) == 0) {
		return GC_FMT_GIF;
	}
	if (n >= 12 && memcmp(p, "RIFF", 4) == 0 &&
	    memcmp(p + 8, "WEBP", 4) == 0) {
		return GC_FMT_WEBP;
	}
	if (n >= 8 && memcmp(p + 4, "ftyp", 4) == 0) {
		return GC_FMT_HEIC;
	}
	if (n >= 4 && (memcmp(p, "II*\0", 4) == 0 ||
	    memcmp(p, "MM\0*", 4) == 0)) {
		return GC_FMT_TIFF;
	}
	if (n >= 4 && memcmp(p, "%PDF", 4) == 0) {
		return GC_FMT_PDF;
	}
	if (n >= 2 && p[0] == 'B' && p[1] == 'M') {
		return GC_FMT_BMP;
	}
	if (n >= 2 && p[0] == 'P' && p[1] >= '1' && p[1] <= '6') {
		return GC_FMT_PNM;
	}
	return GC_FMT_UNKNOWN;
}

const char *
gc_fmt_name(enum gc_fmt f)
{
	switch (f) {
	case GC_FMT_EMPTY:
		return "empty";
	case GC_FMT_JPEG:
		return "JPEG";
	case GC_FMT_PNG:
		return "PNG";
	case GC_FMT_WEBP:
		return "WebP";
	case GC_FMT_HEIC:
		return "HEIC/HEIF";
	case GC_FMT_GIF:
		return "GIF";
	case GC_FMT_BMP:
		return "BMP";
	case GC_FMT_TIFF:
		return "TIFF";
	case GC_FMT_PNM:
		return "PNM";
	case GC_FMT_PDF:
		return "PDF";
	case GC_FMT_UNKNOWN:
		break;
	}
	return "unrecognised";
}

/* ------------------------------------------------------------------ */
/* Quality estimate                                                    */
/* ------------------------------------------------------------------ */

/* ITU-T T.81 Annex K.1 luminance table, natural (row-major) order: the
 * table IJG libjpeg and libjpeg-turbo scale by quality. */
static const uint8_t std_luma[64] = {
	16, 11, 10, 16, 24, 40, 51, 61,
	12, 12, 14, 19, 26, 58, 60, 55,
	14, 13, 16, 24, 40, 57, 69, 56,
	14, 17, 22, 29, 51, 87, 80, 62,
	18, 22, 37, 56, 68, 109, 103, 77,
	24, 35, 55, 64, 81, 104, 113, 92,
	49, 64, 78, 87, 103, 121, 120, 101,
	72, 92, 95, 98, 112, 100, 103, 99,
};

/* zigzag index (the order DQT stores) -> natural index */
static const uint8_t zigzag[64] = {
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
};

/*
 * The IJG quality 1..100 whose scaled standard table (jpeg_set_quality:
 * scale 5000/q below 50, else 200 - 2q; clamped to 255 for 8-bit tables,
 * 32767 for 16-bit ones) is nearest to t (natural order) by the sum of
 * absolute differences. Exact for files IJG-derived encoders wrote; the
 * nearest match for others. Ties go to the lower quality.
 */
static int
quality_estimate(const uint16_t t[64], bool wide)
{
	long best_err = -1;
	int  best_q   = -1;
	long maxv     = wide ? 32767 : 255;

	for (int q = 1; q <= 100; q++) {
		long scale = q < 50 ? 5000 / q : 200 - 2 * q;
		long err   = 0;

		for (int i = 0; i < 64; i++) {
			long v = (std_luma[i] * scale + 50) / 100;

			if (v < 1) {
				v = 1;
			}
			if (v > maxv) {
				v = maxv;
			}
			err += v > t[i] ? v - t[i] : t[i] - v;
		}
		if (best_err < 0 || err < best_err) {
			best_err = err;
			best_q   = q;
		}
	}
	return best_q;
}

/* ------------------------------------------------------------------ */
/* EXIF orientation through libexif, allocating with gc_alloc          */
/* ------------------------------------------------------------------ */

/* libexif swallows allocation failures (it drops the entry and goes on),
 * so the callbacks note them here for exif_orientation to report. */
static _Thread_local bool exif_oom;

static void *
exif_alloc_cb(ExifLong n)
{
	void *p = gc_calloc(n ? n : 1, 1); /* libexif expects zeroed memory */

	if (p == NULL) {
		exif_oom = true;
	}
	return p;
}

static void *
exif_realloc_cb(void *p, ExifLong n)
{
	void *q = gc_realloc(p, n);

	if (q == NULL) {
		exif_oom = true;
	}
	return q;
}

static void
exif_free_cb(void *p)
{
	gc_free(p);
}

/* The IFD0 Orientation of the APP1 payload p (starting "Exif\0\0"): 1..8,
 * or 0 when absent or out of range. GC_ENOMEM if libexif could not
 * allocate (the answer would be unreliable). */
static gc_err
exif_orientation(const uint8_t *p, size_t n, int *out)
{
	ExifMem   *mem;
	ExifData  *ed;
	ExifEntry *e;
	int        o = 0;

	*out     = 0;
	exif_oom = false;
	mem      = exif_mem_new(exif_alloc_cb, exif_realloc_cb, exif_free_cb);
	if (mem == NULL) {
		return GC_ENOMEM;
	}
	ed = exif_data_new_mem(mem);
	exif_mem_unref(mem); /* ed holds its own reference */
	if (ed == NULL) {
		return GC_ENOMEM;
	}
	/* read only: no fix-ups that add "mandatory" default entries */
	exif_data_unset_option(ed, EXIF_DATA_OPTION_FOLLOW_SPECIFICATION);
	exif_data_load_data(ed, p, (unsigned int)n);
	if (exif_oom) {
		exif_data_unref(ed);
		return GC_ENOMEM;
	}
	e = exif_content_get_entry(ed->ifd[EXIF_IFD_0], EXIF_TAG_ORIENTATION);
	if (e != NULL && e->format == EXIF_FORMAT_SHORT &&
	    e->components >= 1 && e->size >= 2 && e->data != NULL) {
		o = exif_get_short(e->data, exif_data_get_byte_order(ed));
	}
	exif_data_unref(ed);
	*out = o >= 1 && o <= 8 ? o : 0;
	return GC_OK;
}

/* ------------------------------------------------------------------ */
/* Marker walk                                                         */
/* ------------------------------------------------------------------ */

struct probe {
	struct gc_jpeg_info info;
	int                 sof;       /* SOFn marker byte; 0 before one */
	bool                lossless;  /* SOF3/7/11/15 */
	bool                adobe;     /* APP14 "Adobe": CMYK inverted */
	int                 luma_tq;   /* table of the first component */
	uint16_t            qt[4][64]; /* natural order */
	bool                qt_set[4];
	bool                qt_wide[4];
	size_t              exif_off, exif_len; /* APP1 Exif payload */
};

static uint16_t
be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static bool
is_sof(uint8_t m)
{
	return m >= 0xc0 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc;
}

static gc_err
truncated(struct gc_diag *d, size_t n, uint8_t m, size_t at)
{
	gc_diag_set(d, "truncated JPEG header at offset %zu (inside the "
	    "0xFF%02X segment at offset %zu)", n, m, at);
	return GC_ECORRUPT;
}

static gc_err
parse_sof(struct probe *pr, uint8_t m, const uint8_t *s, size_t len,
    size_t at, struct gc_diag *d)
{
	struct gc_jpeg_info *in = &pr->info;
	int                  nf;

	if (pr->sof != 0) {
		gc_diag_set(d, "second frame header (SOF) at offset %zu", at);
		return GC_ECORRUPT;
	}
	if (len < 6 || len != 6 + 3 * (size_t)s[5] || s[5] == 0) {
		gc_diag_set(d, "malformed frame header (SOF) at offset %zu",
		    at);
		return GC_ECORRUPT;
	}
	pr->sof         = m;
	in->precision   = s[0];
	in->height      = be16(s + 1);
	in->width       = be16(s + 3);
	nf              = s[5];
	in->components  = nf;
	in->baseline    = m == 0xc0;
	in->progressive = m == 0xc2 || m == 0xc6 || m == 0xca || m == 0xce;
	in->arithmetic  = m >= 0xc9;
	pr->lossless    = (m & 3) == 3;
	pr->luma_tq     = s[6 + 2];
	if (pr->luma_tq > 3) {
		gc_diag_set(d, "frame header (SOF) at offset %zu names "
		    "quantisation table %d", at, pr->luma_tq);
		return GC_ECORRUPT;
	}
	if (in->width == 0 || in->height == 0) {
		gc_diag_set(d, "JPEG declares %d × %d pixels (a zero "
		    "dimension)", in->width, in->height);
		return GC_ECORRUPT;
	}
	if ((uint64_t)in->width * (uint64_t)in->height > GC_IMAGE_MAX_PIXELS) {
		gc_diag_set(d, "JPEG declares %d × %d pixels, over the "
		    "120-megapixel limit", in->width, in->height);
		return GC_ETOOBIG;
	}
	return GC_OK;
}

static gc_err
parse_dqt(struct probe *pr, const uint8_t *s, size_t len, size_t at,
    struct gc_diag *d)
{
	size_t i = 0;

	while (i < len) {
		int    pq = s[i] >> 4, tq = s[i] & 15;
		size_t need = 1 + 64 * (size_t)(pq ? 2 : 1);

		if (pq > 1 || tq > 3 || len - i < need) {
			gc_diag_set(d, "malformed quantisation table (DQT) "
			    "at offset %zu", at);
			return GC_ECORRUPT;
		}
		for (int k = 0; k < 64; k++) {
			const uint8_t *v = s + i + 1 + (pq ? 2 * k : k);

			pr->qt[tq][zigzag[k]] = pq ? be16(v) : v[0];
		}
		pr->qt_set[tq]  = true;
		pr->qt_wide[tq] = pq == 1;
		i += need;
	}
	return GC_OK;
}

static void
parse_app(struct probe *pr, uint8_t m, const uint8_t *s, size_t len,
    size_t payload_off)
{
	struct gc_jpeg_info *in = &pr->info;

	if (m == 0xe0 && !in->jfif && len >= 12 &&
	    memcmp(s, "JFIF\0", 5) == 0) {
		in->jfif         = true;
		in->density_unit = s[7];
		in->xdensity     = be16(s + 8);
		in->ydensity     = be16(s + 10);
	} else if (m == 0xe1 && pr->exif_len == 0 && len > 6 &&
	    memcmp(s, "Exif\0\0", 6) == 0) {
		pr->exif_off = payload_off;
		pr->exif_len = len;
	} else if (m == 0xee && len >= 12 && memcmp(s, "Adobe", 5) == 0) {
		pr->adobe = true;
	}
}

/* Walks segments from SOI to the first SOS (inclusive), checking each
 * length against the bytes left. */
static gc_err
probe_walk(const uint8_t *p, size_t n, struct probe *pr, struct gc_diag *d)
{
	size_t off = 2;
	gc_err rv  = GC_OK;

	for (;;) {
		size_t  at, len;
		uint8_t m;

		if (off >= n) {
			gc_diag_set(d, "truncated JPEG header at offset %zu",
			    n);
			return GC_ECORRUPT;
		}
		if (p[off] != 0xff) {
			gc_diag_set(d, "JPEG header corrupt: expected a marker "
			    "at offset %zu, found 0x%02X", off, p[off]);
			return GC_ECORRUPT;
		}
		at = off;
		while (off < n && p[off] == 0xff) {
			off++; /* fill bytes */
		}
		if (off >= n) {
			gc_diag_set(d, "truncated JPEG header at offset %zu",
			    n);
			return GC_ECORRUPT;
		}
		m = p[off++];
		if (m == 0x01 || (m >= 0xd0 && m <= 0xd7)) {
			continue; /* TEM, RSTn: no length */
		}
		if (m == 0x00 || m == 0xd8 || m == 0xd9) {
			gc_diag_set(d, "JPEG header corrupt: marker 0xFF%02X "
			    "at offset %zu before any scan", m, at);
			return GC_ECORRUPT;
		}
		if (n - off < 2) {
			return truncated(d, n, m, at);
		}
		len = be16(p + off);
		if (len < 2) {
			gc_diag_set(d, "JPEG header corrupt: segment 0xFF%02X "
			    "at offset %zu has length %zu", m, at, len);
			return GC_ECORRUPT;
		}
		if (n - off < len) {
			return truncated(d, n, m, at);
		}
		if (is_sof(m)) {
			rv = parse_sof(pr, m, p + off + 2, len - 2, at, d);
		} else if (m == 0xdb) {
			rv = parse_dqt(pr, p + off + 2, len - 2, at, d);
		} else if (m >= 0xe0 && m <= 0xef) {
			parse_app(pr, m, p + off + 2, len - 2, off + 2);
		} else if (m == 0xda) {
			if (pr->sof == 0) {
				gc_diag_set(d, "JPEG header corrupt: scan "
				    "(SOS) at offset %zu before any frame "
				    "header (SOF)", at);
				return GC_ECORRUPT;
			}
			return GC_OK;
		}
		if (rv != GC_OK) {
			return rv;
		}
		off += len;
	}
}

static gc_err
probe_run(const uint8_t *p, size_t n, struct probe *pr, struct gc_diag *d)
{
	static const uint8_t soi[3] = { 0xff, 0xd8, 0xff };
	enum gc_fmt          f;
	gc_err               rv;
	int                  tq;

	memset(pr, 0, sizeof(*pr));
	pr->info.quality   = -1;
	pr->info.file_size = n;
	if (n > 0 && n < 3 && memcmp(p, soi, n) == 0) {
		gc_diag_set(d, "truncated JPEG header at offset %zu", n);
		return GC_ECORRUPT;
	}
	f = gc_fmt_sniff(p, n);
	if (f == GC_FMT_EMPTY) {
		gc_diag_set(d, "no data (0 bytes), not JPEG");
		return GC_EINVAL;
	}
	if (f == GC_FMT_UNKNOWN) {
		gc_diag_set(d, "unrecognised data, not JPEG (starts %02x %02x "
		    "%02x %02x)", p[0], n > 1 ? p[1] : 0, n > 2 ? p[2] : 0,
		    n > 3 ? p[3] : 0);
		return GC_EINVAL;
	}
	if (f != GC_FMT_JPEG) {
		gc_diag_set(d, "%s data, not JPEG", gc_fmt_name(f));
		return GC_EINVAL;
	}
	rv = probe_walk(p, n, pr, d);
	if (rv != GC_OK) {
		return rv;
	}
	tq = pr->luma_tq;
	if (pr->qt_set[tq]) {
		pr->info.quality = quality_estimate(pr->qt[tq],
		    pr->qt_wide[tq]);
	}
	if (pr->exif_len > 0) {
		rv = exif_orientation(p + pr->exif_off, pr->exif_len,
		    &pr->info.orientation);
	}
	return rv;
}

/* On failure info holds the facts read before the fault (dimensions of a
 * refused bomb, say); quality is -1 until known. */
gc_err
gc_jpeg_probe(const uint8_t *p, size_t n, struct gc_jpeg_info *info,
    struct gc_diag *d)
{
	struct probe pr;
	gc_err       rv = probe_run(p, n, &pr, d);

	*info = pr.info;
	return rv;
}

/* ------------------------------------------------------------------ */
/* Decoding                                                            */
/* ------------------------------------------------------------------ */

/* The smallest DCT scale ≤ 1 keeping the shorter side ≥ min_side. */
static void
scale_pick(int w, int h, int min_side, int *sw, int *sh)
{
	tjscalingfactor  best = { 1, 1 };
	tjscalingfactor *sf;
	int              nsf   = 0;
	int              short_side = w < h ? w : h;

	if (min_side > 0) {
		sf = tjGetScalingFactors(&nsf);
		for (int i = 0; sf != NULL && i < nsf; i++) {
			if (sf[i].num > sf[i].denom ||
			    TJSCALED(short_side, sf[i]) < min_side) {
				continue;
			}
			if (sf[i].num * best.denom < best.num * sf[i].denom) {
				best = sf[i];
			}
		}
	}
	*sw = TJSCALED(w, best);
	*sh = TJSCALED(h, best);
}

static uint8_t
mul255(unsigned a, unsigned b)
{
	return (uint8_t)((a * b + 127) / 255);
}

/* CMYK (4 bytes a pixel) to RGB (3) in place. Adobe (APP14) files store
 * the inks inverted, as Photoshop writes them, so 255 means no ink. */
static void
cmyk_to_rgb(uint8_t *px, size_t npix, bool inverted)
{
	for (size_t i = 0; i < npix; i++) {
		unsigned c = px[4 * i], m = px[4 * i + 1];
		unsigned y = px[4 * i + 2], k = px[4 * i + 3];

		if (!inverted) {
			c = 255 - c;
			m = 255 - m;
			y = 255 - y;
			k = 255 - k;
		}
		px[3 * i]     = mul255(c, k);
		px[3 * i + 1] = mul255(m, k);
		px[3 * i + 2] = mul255(y, k);
	}
}

static void
swap_bytes(uint8_t *a, uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint8_t t = a[i];

		a[i] = b[i];
		b[i] = t;
	}
}

/* Orientations 2 (mirror), 3 (rotate 180) and 4 (flip), in place. */
static void
orient_flip(struct gc_image *im, int o)
{
	const size_t rowb = (size_t)im->w * 3;

	if (o == 3 || o == 4) {
		for (int y = 0; y < im->h / 2; y++) {
			swap_bytes(im->px + (size_t)y * im->stride,
			    im->px + (size_t)(im->h - 1 - y) * im->stride, rowb);
		}
	}
	if (o == 2 || o == 3) {
		for (int y = 0; y < im->h; y++) {
			uint8_t *r = im->px + (size_t)y * im->stride;

			for (int x = 0; x < im->w / 2; x++) {
				swap_bytes(r + (size_t)x * 3,
				    r + (size_t)(im->w - 1 - x) * 3, 3);
			}
		}
	}
}

/* Orientations 5..8 (those that swap the axes) into a new image, copied
 * in 64 × 64 tiles to stay in cache. Output (ox, oy) takes source
 *   5 (transpose)    (oy, ox)        6 (rotate 90 cw)  (oy, h-1-ox)
 *   7 (transverse)   (w-1-oy, h-1-ox) 8 (rotate 90 ccw) (w-1-oy, ox)   */
static gc_err
orient_transpose(struct gc_image *im, int o)
{
	struct gc_image out;
	gc_err          rv;
	const int       T = 64;
	ptrdiff_t       step;

	rv = gc_image_alloc(&out, im->h, im->w, 3);
	if (rv != GC_OK) {
		return rv;
	}
	step = (o == 5 || o == 8) ? (ptrdiff_t)im->stride :
	    -(ptrdiff_t)im->stride;
	for (int by = 0; by < out.h; by += T) {
		int ey = by + T < out.h ? by + T : out.h;

		for (int bx = 0; bx < out.w; bx += T) {
			int ex = bx + T < out.w ? bx + T : out.w;

			for (int oy = by; oy < ey; oy++) {
				int            sx = (o == 5 || o == 6) ? oy :
				    im->w - 1 - oy;
				int            sy = (o == 5 || o == 8) ? bx :
				    im->h - 1 - bx;
				const uint8_t *s = im->px +
				    (size_t)sy * im->stride + (size_t)sx * 3;
				uint8_t       *dp = out.px +
				    (size_t)oy * out.stride + (size_t)bx * 3;

				for (int ox = bx; ox < ex; ox++) {
					dp[0] = s[0];
					dp[1] = s[1];
					dp[2] = s[2];
					dp += 3;
					s += step;
				}
			}
		}
	}
	gc_image_release(im);
	*im = out;
	return GC_OK;
}

static gc_err
decode_fail(tjhandle tj, uint8_t *buf, struct gc_image *out, gc_err rv)
{
	if (tj != NULL) {
		tjDestroy(tj);
	}
	gc_free(buf);
	memset(out, 0, sizeof(*out));
	return rv;
}

/* Thread-safe (a TurboJPEG handle per call); blocking, CPU-bound. info
 * gets the probe facts even on failure, as gc_jpeg_probe gives them. */
gc_err
gc_jpeg_decode(const uint8_t *p, size_t n, int min_side,
    struct gc_image *out, struct gc_jpeg_info *info, struct gc_diag *d)
{
	struct probe pr;
	tjhandle     tj  = NULL;
	uint8_t     *buf = NULL;
	gc_err       rv;
	int          tw, th, sub, cs, sw, sh, pf;
	const int    flags = TJFLAG_STOPONWARNING | TJFLAG_LIMITSCANS;

	memset(out, 0, sizeof(*out));
	rv = probe_run(p, n, &pr, d);
	if (info != NULL) {
		*info = pr.info;
	}
	if (rv != GC_OK) {
		return decode_fail(NULL, NULL, out, rv);
	}
	if (pr.info.precision != 8 || pr.lossless) {
		gc_diag_set(d, "unsupported JPEG: %s%d-bit samples (SOF%d); "
		    "only 8-bit DCT JPEG is decoded",
		    pr.lossless ? "lossless, " : "", pr.info.precision,
		    pr.sof - 0xc0);
		return decode_fail(NULL, NULL, out, GC_EINVAL);
	}
	if (pr.info.components != 1 && pr.info.components != 3 &&
	    pr.info.components != 4) {
		gc_diag_set(d, "unsupported JPEG: %d colour components",
		    pr.info.components);
		return decode_fail(NULL, NULL, out, GC_EINVAL);
	}
	tj = tjInitDecompress();
	if (tj == NULL) {
		return decode_fail(NULL, NULL, out, GC_ENOMEM);
	}
	/* A cross-check only: tjDecompressHeader3 refuses sampling layouts
	 * it has no TJSAMP for (3 × 2, say) that tjDecompress2 decodes, and
	 * tjDecompress2 never writes outside the sw × sh box it is given. */
	if (tjDecompressHeader3(tj, p, (unsigned long)n, &tw, &th, &sub,
	    &cs) == 0 && (tw != pr.info.width || th != pr.info.height)) {
		gc_diag_set(d, "JPEG header corrupt: the decoder reads %d × %d, "
		    "the frame header says %d × %d", tw, th, pr.info.width,
		    pr.info.height);
		return decode_fail(tj, NULL, out, GC_ECORRUPT);
	}
	scale_pick(pr.info.width, pr.info.height, min_side, &sw, &sh);
	pf  = pr.info.components == 4 ? TJPF_CMYK : TJPF_RGB;
	buf = gc_alloc((size_t)sw * (size_t)sh * (size_t)tjPixelSize[pf]);
	if (buf == NULL) {
		return decode_fail(tj, NULL, out, GC_ENOMEM);
	}
	if (tjDecompress2(tj, p, (unsigned long)n, buf, sw,
	    sw * tjPixelSize[pf], sh, pf, flags) != 0) {
		gc_diag_set(d, "JPEG data truncated or corrupt: %s",
		    tjGetErrorStr2(tj));
		return decode_fail(tj, buf, out, GC_ECORRUPT);
	}
	tjDestroy(tj);
	if (pf == TJPF_CMYK) {
		cmyk_to_rgb(buf, (size_t)sw * (size_t)sh, pr.adobe);
	}
	out->px     = buf;
	out->w      = sw;
	out->h      = sh;
	out->ch     = 3;
	out->stride = (size_t)sw * 3;
	if (pr.info.orientation >= 2 && pr.info.orientation <= 4) {
		orient_flip(out, pr.info.orientation);
	} else if (pr.info.orientation >= 5) {
		rv = orient_transpose(out, pr.info.orientation);
		if (rv != GC_OK) {
			gc_image_release(out);
			return decode_fail(NULL, NULL, out, rv);
		}
	}
	return GC_OK;
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */
/* ------------------------------------------------------------------ */

#define JFIF_APP0_LEN 18 /* marker, length, "JFIF\0", version, units, X, Y,
                          * thumbnail size */

static void
jfif_app0(uint8_t *s, int dpi)
{
	static const uint8_t head[11] = { 0xff, 0xe0, 0, 16, 'J', 'F', 'I',
		'F', 0, 1, 1 };

	memcpy(s, head, sizeof(head));
	s[11] = 1;
	s[12] = (uint8_t)(dpi >> 8);
	s[13] = (uint8_t)dpi;
	s[14] = (uint8_t)(dpi >> 8);
	s[15] = (uint8_t)dpi;
	s[16] = 0;
	s[17] = 0;
}

/*
 * Appends the JPEG to out (its earlier bytes are kept). im must be RGB
 * (ch 3); quality 1..100 and dpi 1..65535, else GC_EINVAL. The worst-case
 * size (tjBufSize) is reserved in out first, so TurboJPEG writes in place
 * through gc_alloc'd memory: GC_ENOMEM when it cannot be had. The output
 * is checked to be baseline: GC_EINTERNAL if TJ_PROGRESSIVE or
 * TJ_ARITHMETIC in the environment made it otherwise. Blocking,
 * thread-safe.
 */
gc_err
gc_jpeg_encode(const struct gc_image *im, int quality, int dpi,
    struct gc_buf *out)
{
	struct probe   pr;
	tjhandle       tj;
	unsigned long  bound, size;
	unsigned char *dst, *start;
	int            rc;
	gc_err         rv;

	if (im == NULL || im->px == NULL || im->ch != 3 || im->w <= 0 ||
	    im->h <= 0 || im->stride < (size_t)im->w * 3 ||
	    im->stride > (size_t)0x7fffffff || quality < 1 || quality > 100 ||
	    dpi < 1 || dpi > 65535) {
		return GC_EINVAL;
	}
	rv = gc_buf_status(out);
	if (rv != GC_OK) {
		return rv;
	}
	bound = tjBufSize(im->w, im->h, TJSAMP_420);
	if (bound == (unsigned long)-1) {
		return GC_EINVAL;
	}
	if (!gc_buf_reserve(out, (size_t)bound + JFIF_APP0_LEN)) {
		return GC_ENOMEM;
	}
	tj = tjInitCompress();
	if (tj == NULL) {
		return GC_ENOMEM;
	}
	start = out->data + out->len;
	dst   = start;
	size  = bound;
	rc    = tjCompress2(tj, im->px, im->w, (int)im->stride, im->h,
	    TJPF_RGB, &dst, &size, TJSAMP_420, quality,
	    TJFLAG_NOREALLOC | TJFLAG_ACCURATEDCT);
	if (rc != 0) {
		rv = strstr(tjGetErrorStr2(tj), "memory") != NULL ? GC_ENOMEM :
		    GC_EINTERNAL;
		tjDestroy(tj);
		return rv;
	}
	tjDestroy(tj);
	if (dst != start || size < 4 || size > bound) {
		return GC_EINTERNAL;
	}
	if (size >= 20 && start[2] == 0xff && start[3] == 0xe0 &&
	    be16(start + 4) >= 16 && memcmp(start + 6, "JFIF\0", 5) == 0) {
		/* TurboJPEG's JFIF APP0 says 1:1, no unit: patch units and
		 * densities (bytes 13..17 of the file) */
		start[13] = 1;
		start[14] = (uint8_t)(dpi >> 8);
		start[15] = (uint8_t)dpi;
		start[16] = (uint8_t)(dpi >> 8);
		start[17] = (uint8_t)dpi;
	} else {
		memmove(start + 2 + JFIF_APP0_LEN, start + 2, size - 2);
		jfif_app0(start + 2, dpi);
		size += JFIF_APP0_LEN;
	}
	/* TurboJPEG 2.1 obeys TJ_PROGRESSIVE, TJ_ARITHMETIC (and TJ_OPTIMIZE,
	 * TJ_RESTART) in the environment; refuse a non-baseline result */
	if (probe_run(start, size, &pr, NULL) != GC_OK || !pr.info.baseline) {
		return GC_EINTERNAL;
	}
	out->len += size;
	return GC_OK;
}

static void
buf_swap(struct gc_buf *a, struct gc_buf *b)
{
	struct gc_buf t = *a;

	*a = *b;
	*b = t;
}

/* One step of the search: encodes at q into trial; a fitting encoding
 * becomes best (lo = q), a too big one sets hi (and its size). */
static gc_err
fit_try(const struct gc_image *im, int q, int dpi, size_t max_bytes,
    struct gc_buf *best, struct gc_buf *trial, int *lo, int *hi,
    size_t *hi_len)
{
	gc_err rv;

	gc_buf_reset(trial);
	rv = gc_jpeg_encode(im, q, dpi, trial);
	if (rv != GC_OK) {
		return rv;
	}
	if (trial->len <= max_bytes) {
		if (*lo == 0 || q > *lo) {
			buf_swap(best, trial);
			*lo = q;
		}
	} else if (*hi == 0 || q < *hi) {
		*hi     = q;
		*hi_len = trial->len;
	}
	return GC_OK;
}

/*
 * Appends the chosen encoding to out: the highest quality in
 * [min_quality, 95] whose size is at most max_bytes, assuming size grows
 * with quality. With a hint (the quality the previous, similar shot got)
 * it tries the hint and its neighbour first: two encodings when the
 * scene has not changed. Without, 95 first (a plain image is done in
 * one), then min_quality, then guesses by interpolating log(size) between
 * the bounds, alternating with bisection so it never takes more than
 * about 8. *quality and *in_window are set on GC_OK and GC_ETOOBIG; other
 * errors (GC_EINVAL for min_quality outside 1..95 or min_bytes >
 * max_bytes, GC_ENOMEM) leave out as it was.
 */
gc_err
gc_jpeg_encode_fit_hint(const struct gc_image *im, int dpi, int min_quality,
    size_t min_bytes, size_t max_bytes, int hint, struct gc_buf *out,
    int *quality, bool *in_window)
{
	struct gc_buf best, trial;
	int           lo = 0, hi = 0, step = 0;
	size_t        hi_len = 0;
	gc_err        rv;

	*quality   = 0;
	*in_window = false;
	if (min_quality < 1 || min_quality > 95 || min_bytes > max_bytes) {
		return GC_EINVAL;
	}
	gc_buf_init(&best);
	gc_buf_init(&trial);
	if (hint >= min_quality && hint <= 95) {
		rv = fit_try(im, hint, dpi, max_bytes, &best, &trial, &lo, &hi,
		    &hi_len);
		if (rv == GC_OK && lo == hint && hint < 95) {
			rv = fit_try(im, hint + 1, dpi, max_bytes, &best, &trial,
			    &lo, &hi, &hi_len);
		} else if (rv == GC_OK && hi == hint && hint > min_quality) {
			rv = fit_try(im, hint - 1, dpi, max_bytes, &best, &trial,
			    &lo, &hi, &hi_len);
		}
		if (rv != GC_OK) {
			goto done;
		}
	}
	for (;;) {
		int q;

		if (lo == 95 || (lo != 0 && hi == lo + 1)) {
			break; /* lo is the highest that fits */
		}
		if (lo == 0 && hi == 0) {
			q = 95;
		} else if (lo == 0) {
			if (hi == min_quality) {
				break; /* even min_quality is too big */
			}
			q = min_quality;
		} else if (hi == 0) {
			q = 95;
		} else if (step++ % 2 == 0 && best.len > 0 && hi_len > best.len) {
			/* interpolate: where would log(size) reach max_bytes? */
			double t = (log((double)max_bytes) - log((double)best.len)) /
			    (log((double)hi_len) - log((double)best.len));

			q = lo + (int)floor(t * (hi - lo));
			q = q <= lo ? lo + 1 : q >= hi ? hi - 1 : q;
		} else {
			q = lo + (hi - lo) / 2;
		}
		rv = fit_try(im, q, dpi, max_bytes, &best, &trial, &lo, &hi,
		    &hi_len);
		if (rv != GC_OK) {
			goto done;
		}
	}
	if (lo == 0) {
		/* nothing fits: the min_quality encoding, flagged */
		gc_buf_reset(&best);
		rv = gc_jpeg_encode(im, min_quality, dpi, &best);
		if (rv != GC_OK) {
			goto done;
		}
		gc_buf_put(out, best.data, best.len);
		rv = gc_buf_status(out);
		if (rv == GC_OK) {
			*quality = min_quality;
			rv       = GC_ETOOBIG;
		}
		goto done;
	}
	gc_buf_put(out, best.data, best.len);
	rv = gc_buf_status(out);
	if (rv == GC_OK) {
		*quality   = lo;
		*in_window = best.len >= min_bytes;
	}
done:
	gc_buf_release(&best);
	gc_buf_release(&trial);
	return rv;
}

gc_err
gc_jpeg_encode_fit(const struct gc_image *im, int dpi, int min_quality,
    size_t min_bytes, size_t max_bytes, struct gc_buf *out, int *quality,
    bool *in_window)
{
	return gc_jpeg_encode_fit_hint(im, dpi, min_quality, min_bytes,
	    max_bytes, 0, out, quality, in_window);
}
