#include "common/sample.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "common/gc_alloc.h"
#include "common/idnum.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* Real county (区/县) codes, one or two per province; only the province
 * part is ever checked, but real prefixes make the demo look right. */
static const char *const sample_counties[] = {
	"110101", "110105", "110108", "120104", "130102", "140105", "150102",
	"210102", "210202", "220104", "230103", "310104", "310115", "320102",
	"320583", "330106", "330203", "340104", "350203", "360102", "370102",
	"370202", "410105", "420111", "430104", "440106", "440305", "450103",
	"460106", "500103", "510107", "520102", "530102", "540102", "610113",
	"620102", "630104", "640104", "650102",
};

static const char *const sample_surnames[] = {
	"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙",
	"马", "朱", "胡", "郭", "何", "林", "高", "罗", "郑", "梁", "谢", "宋",
	"唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁",
	"潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
	"任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆", "汪", "范", "金",
	"石", "廖", "贾", "夏", "韦", "方", "白", "邹", "孟", "熊", "秦", "邱",
	"江", "尹", "薛", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾",
	"毛", "郝", "龚", "邵", "万", "钱", "严", "欧阳", "司马", "上官",
};

static const char *const sample_given_m[] = {
	"伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "鹏", "浩",
	"宇", "轩", "博", "文", "俊", "凯", "晨", "阳", "天", "泽", "睿", "航",
	"辰", "昊", "铭", "志", "诚", "毅", "子", "一", "嘉", "思", "安", "然",
};

static const char *const sample_given_f[] = {
	"芳", "娜", "敏", "静", "丽", "艳", "婷", "雪", "慧", "颖", "琳", "欣",
	"怡", "萱", "雨", "佳", "梦", "诗", "晴", "悦", "彤", "璐", "涵", "瑶",
	"妍", "晓", "嘉", "思", "安", "然", "子", "一", "可", "心", "月", "宁",
};

static const struct {
	const char *dept;
	const char *major;
	const char *abbr; /* 班级 prefix */
	const char *campus;
} sample_majors[] = {
	{ "计算机科学与技术学院", "计算机科学与技术", "计科", "主校区" },
	{ "计算机科学与技术学院", "软件工程", "软工", "主校区" },
	{ "计算机科学与技术学院", "人工智能", "智能", "主校区" },
	{ "电子信息工程学院", "电子信息工程", "电信", "东校区" },
	{ "电子信息工程学院", "通信工程", "通信", "东校区" },
	{ "经济管理学院", "会计学", "会计", "南湖校区" },
	{ "经济管理学院", "工商管理", "工管", "南湖校区" },
	{ "经济管理学院", "金融学", "金融", "南湖校区" },
	{ "外国语学院", "英语", "英语", "南湖校区" },
	{ "外国语学院", "日语", "日语", "南湖校区" },
	{ "土木工程学院", "土木工程", "土木", "西校区" },
	{ "数学与统计学院", "数学与应用数学", "数学", "主校区" },
	{ "数学与统计学院", "统计学", "统计", "主校区" },
	{ "机械工程学院", "机械设计制造及其自动化", "机械", "西校区" },
};

uint64_t
gc_sample_next(uint64_t *state)
{
	uint64_t z;

	*state += 0x9E3779B97F4A7C15ULL;
	z = *state;
	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n) for a demo (n is tiny next to 2^64). */
static unsigned
sample_below(uint64_t *st, unsigned n)
{
	return (unsigned)(gc_sample_next(st) % n);
}

static unsigned
sample_days_in(unsigned y, unsigned m)
{
	static const unsigned days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return (m == 2 && leap) ? 29 : days[m - 1];
}

/* An ID born in [ylo, yhi]; sex 'M', 'F' or 0 for either. */
static void
sample_id_make(char out[19], uint64_t *st, unsigned ylo, unsigned yhi,
    char sex)
{
	unsigned y, m, d, seq;

	y = ylo + sample_below(st, yhi - ylo + 1);
	m = 1 + sample_below(st, 12);
	d = 1 + sample_below(st, sample_days_in(y, m));
	seq = sample_below(st, 1000);
	if (sex == 'M') {
		seq |= 1u; /* 顺序码 odd: male */
	} else if (sex == 'F') {
		seq &= ~1u;
	}
	memcpy(out, sample_counties[sample_below(st, NELEM(sample_counties))],
	    6);
	snprintf(out + 6, 12, "%04u%02u%02u%03u", y % 10000, m % 100, d % 100,
	    seq % 1000);
	out[17] = gc_idnum_check_char(out);
	out[18] = '\0';
}

void
gc_sample_id(char out[19], uint64_t *state)
{
	sample_id_make(out, state, 1998, 2004, 0);
}

/* Open-addressing set of 17-digit ID prefixes (0 marks an empty slot:
 * no prefix is 0, provinces start at 11). */
struct sample_set {
	uint64_t *slot;
	size_t    mask;
};

static uint64_t
sample_key(const char *id)
{
	uint64_t v = 0;

	for (int i = 0; i < 17; i++) {
		v = v * 10 + (uint64_t)(id[i] - '0');
	}
	return v;
}

/* Adds key; false when it was already there. */
static bool
sample_set_add(struct sample_set *s, uint64_t key)
{
	size_t i = (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 20) & s->mask;

	while (s->slot[i] != 0) {
		if (s->slot[i] == key) {
			return false;
		}
		i = (i + 1) & s->mask;
	}
	s->slot[i] = key;
	return true;
}

gc_err
gc_sample_roster_csv(struct gc_buf *out, unsigned count, uint64_t seed,
    int flags)
{
	struct sample_set set;
	uint64_t          st = seed;
	size_t            cap = 16;
	char              id[19], name[32];
	unsigned          i, mj, entry, nclass;
	char              sex;
	bool              master;
	const char *const *given;
	size_t            ngiven;

	if (count > GC_SAMPLE_MAX_ROWS) {
		return GC_ETOOBIG;
	}
	while (cap < (size_t)count * 2) {
		cap *= 2;
	}
	set.slot = gc_calloc(cap, sizeof(uint64_t));
	if (set.slot == NULL) {
		return GC_ENOMEM;
	}
	set.mask = cap - 1;
	if (flags & GC_SAMPLE_BOM) {
		gc_buf_puts(out, "\xEF\xBB\xBF");
	}
	gc_buf_puts(out, GC_SAMPLE_HEADER "\n");
	for (i = 0; i < count && !out->failed; i++) {
		master = sample_below(&st, 100) < 15;
		entry  = master ? 2022 : 2021;
		mj     = sample_below(&st, NELEM(sample_majors));
		sex    = sample_below(&st, 2) ? 'M' : 'F';
		do {
			if (master) {
				sample_id_make(id, &st, 1998, 2001, sex);
			} else {
				sample_id_make(id, &st, 2000, 2004, sex);
			}
		} while (!sample_set_add(&set, sample_key(id)));
		given  = sex == 'M' ? sample_given_m : sample_given_f;
		ngiven = sex == 'M' ? NELEM(sample_given_m)
		                    : NELEM(sample_given_f);
		snprintf(name, sizeof(name), "%s%s%s",
		    sample_surnames[sample_below(&st, NELEM(sample_surnames))],
		    given[sample_below(&st, (unsigned)ngiven)],
		    sample_below(&st, 10) < 3
		        ? ""
		        : given[sample_below(&st, (unsigned)ngiven)]);
		nclass = 1 + sample_below(&st, master ? 2 : 4);
		/* 学号 = entry year + serial; 考生号 = year, province, 4
		 * random digits, serial: both unique by the serial. */
		gc_buf_printf(out,
		    "%u%06u,%s,%s,%.4s-%.2s-%.2s,居民身份证,%s,"
		    "%02u%.2s%04u%06u,%s,%s,%s,%s%s%02u%02u,%s\n",
		    entry, i + 1, name, sex == 'M' ? "男" : "女", id + 6,
		    id + 10, id + 12, id, entry % 100, id,
		    sample_below(&st, 10000), i + 1,
		    master ? "硕士研究生" : "本科", sample_majors[mj].dept,
		    sample_majors[mj].major, sample_majors[mj].abbr,
		    master ? "研" : "", entry % 100, nclass,
		    sample_majors[mj].campus);
	}
	gc_free(set.slot);
	return gc_buf_status(out);
}
