/* idnum: identity numbers of the people on a roster (domain.md §3, rules
 * 22–27): 18-digit resident IDs (GB 11643, MOD 11-2), 15-digit numbers
 * (flagged for 升位 with the computed 18-digit candidate), HK/Macao and
 * Taiwan permits, HK/Macao/Taiwan residence permits (81/82/83), foreigner
 * permanent residence cards (2023: 18 chars, first digit 9; 2017: 3 letters
 * + 12 digits), passports, military documents (证件类型 2-5: letters,
 * digits and Chinese characters, e.g. 南字第0123456号), 户口簿 (checked as
 * the holder's 居民身份证 number) and 其他. Pure functions, no allocation. */
#ifndef GC_COMMON_IDNUM_H
#define GC_COMMON_IDNUM_H

#include <stdbool.h>
#include <stddef.h>

#include "common/gc_err.h"

/* Inputs longer than this many bytes are invalid ("too long"). */
#define GC_IDNUM_MAX_INPUT 64

/* A normalized number is at most this many bytes (UTF-8, without the NUL):
 * 20 Chinese characters. It keeps a student key "<school>:<type>:<number>:
 * <level>" within 72 bytes. */
#define GC_IDNUM_MAX_NORMALIZED 60

/* Military numbers (证件类型 2-5) are at most this many characters. */
#define GC_IDNUM_MAX_MILITARY 20

enum gc_id_kind {
	GC_ID_UNKNOWN = 0,
	GC_ID_RESIDENT,      /* 居民身份证, 18 chars */
	GC_ID_RESIDENT15,    /* 居民身份证, old 15 digits: needs 升位 */
	GC_ID_HKMO_RESIDENCE, /* 港澳台居民居住证, 18 chars, prefix 81/82/83 */
	GC_ID_HKMO_PERMIT,   /* 港澳居民来往内地通行证, H/M + 8 (+2) digits */
	GC_ID_TW_PERMIT,     /* 台湾居民来往大陆通行证, 8 digits */
	GC_ID_FOREIGN_PR,    /* 外国人永久居留身份证 */
	GC_ID_PASSPORT,      /* 护照 */
	GC_ID_OTHER,         /* 证件类型 Z 其他: printable ASCII or Chinese */
	GC_ID_MILITARY,      /* 证件类型 2-5: 军官证, 士兵证, 文职干部证,
	                      * 部队离退休证 (e.g. 南字第0123456号) */
};

struct gc_idnum {
	enum gc_id_kind kind;
	bool valid;
	bool needs_upgrade;   /* a 15-digit number: 升位 needed */
	char type_code;       /* 证件类型码 (JY/T 1001): '1','6','7','8','9','A',... */
	char normalized[GC_IDNUM_MAX_NORMALIZED + 4];
	                      /* what we store: trimmed, uppercase ASCII; UTF-8
	                       * Chinese characters only for 证件类型 2-5 and Z;
	                       * 9-char form for HK/MO permits */
	char upgraded[19];    /* 15-digit: computed 18-digit candidate, else "" */
	char birth[11];       /* YYYY-MM-DD for resident-format numbers, else "" */
	char sex;             /* 'M' or 'F' for resident-format numbers, else 0 */
	char reason[160];     /* why invalid (English), "" when valid */
};

/*
 * gc_idnum_check parses and validates one identity number.
 * type_code: the roster's 证件类型 code, or 0 to infer the kind from the
 * shape of the number (never military: give the code). What each allows:
 *   '1' 居民身份证, 'B' 户口簿: 18 characters (MOD 11-2, birth date,
 *       province; 81/82/83 residence permits too) or 15 digits (升位);
 *   '2' 军官证, '3' 士兵证, '4' 文职干部证, '5' 部队离退休证: ASCII letters,
 *       digits, '-' and Chinese characters (U+4E00..U+9FFF), at least one
 *       digit, at most GC_IDNUM_MAX_MILITARY characters;
 *   '6'/'7' HK/MO permits, '8' Taiwan permit, '9' permanent residence,
 *   'A' passport: their formats (rule 26);
 *   'Z' 其他: printable ASCII and Chinese characters, at most 32.
 * today: YYYYMMDD used for "birth date not in the future" (0: the real date).
 * Normalisation: surrounding white space (ASCII and U+3000) trimmed,
 * full-width digits and letters (U+FF10.., U+FF21.., U+FF41..) to ASCII,
 * ASCII letters to uppercase, Chinese characters kept as UTF-8.
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
 * "passport", "military", "other", "unknown"). */
const char *gc_idnum_kind_name(enum gc_id_kind kind);

/*
 * gc_idnum_mask writes id for display with all but its last 4 characters
 * replaced by one '*' each; UTF-8 characters are never cut, also when cap
 * is short (the output is then truncated at a character boundary). An
 * invalid byte counts as one character and is shown as '?'.
 */
void gc_idnum_mask(char *out, size_t cap, const char *id);

/* Parses a 证件类型 cell: a code ("1", "A", "02") or a Chinese name
 * ("居民身份证", "护照", "港澳居民来往内地通行证", "台湾居民来往大陆通行证",
 * "外国人永久居留身份证", "军官证", "户口簿", "其他", ...). Returns the
 * code, or 0 when unknown. */
char gc_idnum_type_parse(const char *cell);

/* The Chinese name of a 证件类型 code (JY/T 1001): '1' 居民身份证, '2'
 * 军官证, ..., 'A' 护照, 'B' 户口簿, 'Z' 其他; NULL when code is none. */
const char *gc_idnum_type_name(char code);

#endif
