/* idnum: identity numbers of the people on a roster (domain.md §3, rules
 * 22–27): 18-digit resident IDs (GB 11643, MOD 11-2), 15-digit numbers
 * (flagged for 升位 with the computed 18-digit candidate), HK/Macao and
 * Taiwan permits, HK/Macao/Taiwan residence permits (81/82/83), foreigner
 * permanent residence cards (2023: 18 chars, first digit 9; 2017: 3 letters
 * + 12 digits), passports. Pure functions, no allocation. */
#ifndef GC_COMMON_IDNUM_H
#define GC_COMMON_IDNUM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/gc_err.h"

/* Inputs longer than this many bytes are invalid ("too long"). */
#define GC_IDNUM_MAX_INPUT 64

enum gc_id_kind {
	GC_ID_UNKNOWN = 0,
	GC_ID_RESIDENT,      /* 居民身份证, 18 chars */
	GC_ID_RESIDENT15,    /* 居民身份证, old 15 digits: needs 升位 */
	GC_ID_HKMO_RESIDENCE, /* 港澳台居民居住证, 18 chars, prefix 81/82/83 */
	GC_ID_HKMO_PERMIT,   /* 港澳居民来往内地通行证, H/M + 8 (+2) digits */
	GC_ID_TW_PERMIT,     /* 台湾居民来往大陆通行证, 8 digits */
	GC_ID_FOREIGN_PR,    /* 外国人永久居留身份证 */
	GC_ID_PASSPORT,      /* 护照 */
	GC_ID_OTHER,         /* another 证件类型 we accept without checking */
};

struct gc_idnum {
	enum gc_id_kind kind;
	bool valid;
	bool needs_upgrade;   /* a 15-digit number: 升位 needed */
	char type_code;       /* 证件类型码 (JY/T 1001): '1','6','7','8','9','A',... */
	char normalized[40];  /* what we store: uppercase X, ASCII, trimmed;
	                       * 9-char form for HK/MO permits */
	char upgraded[19];    /* 15-digit: computed 18-digit candidate, else "" */
	char birth[11];       /* YYYY-MM-DD for resident-format numbers, else "" */
	char sex;             /* 'M' or 'F' for resident-format numbers, else 0 */
	char reason[160];     /* why invalid (English), "" when valid */
};

/*
 * gc_idnum_check parses and validates one identity number.
 * type_code: the roster's 证件类型 code ('1' 居民身份证, '6'/'7' HK/MO,
 * '8' Taiwan, '9' permanent residence, 'A' passport, ...), or 0 to infer the
 * kind from the shape of the number.
 * today: YYYYMMDD used for "birth date not in the future" (0: the real date).
 * Normalisation: surrounding white space (ASCII and U+3000) trimmed,
 * full-width digits and letters (U+FF10.., U+FF21.., U+FF41..) to ASCII,
 * lowercase x to X (and letters to uppercase for permits and passports).
 * Always fills *out (valid false with a reason when invalid); returns
 * GC_OK when valid, GC_EINVAL when not.
 */
gc_err gc_idnum_check(struct gc_idnum *out, const char *input, char type_code,
    int today);

/* The MOD 11-2 check character for 17 ASCII digits ('0'..'9' or 'X'), or 0
 * if any of the 17 is not a digit. */
char gc_idnum_check_char(const char *first17);

/* A stable lowercase name for a kind ("resident", "resident15",
 * "hkmotw_residence", "hkmo_permit", "tw_permit", "foreign_pr",
 * "passport", "other", "unknown"). */
const char *gc_idnum_kind_name(enum gc_id_kind kind);

/* Parses a 证件类型 cell: a code ("1", "A") or a Chinese name
 * ("居民身份证", "护照", "港澳居民来往内地通行证", "台湾居民来往大陆通行证",
 * "外国人永久居留身份证", ...). Returns the code, or 0 when unknown. */
char gc_idnum_type_parse(const char *cell);

#endif
