/* invite: the sign-in codes of online capture (docs/online-guide.md).
 *
 * The coordinator makes one code per student: 20 characters of Crockford's
 * base32 (100 random bits), shown in five groups, "7KQ2-M9XD-...". Only a
 * hash of each code goes into the ledger, in a signed INVITE entry
 * (docs/formats.md); the codes themselves leave the coordinator once, in
 * the file the school sends out. The latest INVITE naming a student (by
 * hlc, then entry id) holds its valid code, so a new invitation replaces
 * the old one wherever the entries arrive, in any order.
 */
#ifndef GC_COMMON_INVITE_H
#define GC_COMMON_INVITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/buf.h"
#include "common/gc_err.h"

#define GC_INVITE_CODE_CHARS 20 /* base32 characters, 100 bits */
#define GC_INVITE_CODE_LEN   25 /* with the four '-', plus NUL: 25 */
#define GC_INVITE_MAX_ROWS   20000

/* A new random code, "XXXX-XXXX-XXXX-XXXX-XXXX" (libsodium's randombytes). */
void gc_invite_code_new(char out[GC_INVITE_CODE_LEN]);

/* The hash a typed code is known by: SHA-256 of a domain tag and the 20
 * characters, read leniently (either case, spaces and '-' anywhere, O as
 * 0, I and L as 1, as Crockford's base32 allows; U is not a digit). false
 * when the text is not a code (wrong length or another character). */
bool gc_invite_code_hash(const char *typed, size_t len, uint8_t out[32]);

/* INVITE body: {0: source (text, what the invitation was for, e.g.
 * "class 金融2103"), 1: [[student key (text), code hash (bstr 32)], ...]} */
struct gc_invite_row {
	char    student[80];
	uint8_t hash[32];
};

void   gc_invite_encode(struct gc_buf *b, const char *source,
    const struct gc_invite_row *rows, size_t n);
/* Calls cb for each row of an INVITE body (cb returns non-zero to stop);
 * source (may be NULL) gets the source. GC_ECORRUPT when the body is not
 * an INVITE body, with nothing reported for a malformed row after a good
 * one: the whole body is checked before the first call. */
gc_err gc_invite_decode(const uint8_t *p, size_t n, char *source,
    size_t source_cap, int (*cb)(const struct gc_invite_row *r, void *arg),
    void *arg);

#endif
