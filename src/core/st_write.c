/*
 * st_write.c -- the canonical writer (ST-WRITE-1 .. ST-WRITE-6).
 *
 * One emitter serves both passes: st_write_plan runs it without an output
 * buffer to measure the header, st_write_header runs it again into the
 * caller's buffer. So the measured length and the written length cannot
 * disagree, and the emitter can never write past the measured size: every
 * byte goes through st_wput, which checks the bound.
 */
#include "st_write.h"
#include "st_internal.h"

/* "__metadata__": the member name a tensor may not take (ST-WRITE-6). */
static const uint8_t st_wmeta_name[12] = {
    0x5Fu, 0x5Fu, 0x6Du, 0x65u, 0x74u, 0x61u, 0x64u, 0x61u, 0x74u, 0x61u, 0x5Fu, 0x5Fu
};
#define ST_WMETA_NAME_LEN 12u

/* Longest dtype name ("F8_E4M3FNUZ"); bounds the copy of a name. */
#define ST_WDTYPE_NAME_MAX 16u
/* Longest literal the emitter copies. */
#define ST_WLIT_MAX 32u
/* Decimal digits of 2^64 - 1. */
#define ST_WU64_DIGITS 20u

/* An output cursor. With out == NULL it only counts (measuring pass). */
typedef struct st_wbuf {
    uint8_t *out;
    uint64_t cap;   /* bytes that may be produced */
    uint64_t pos;   /* bytes produced so far, <= cap */
    bool over;      /* a byte did not fit: the output is incomplete */
} st_wbuf;

/* Sort keys of st_wsort. */
typedef enum st_wsort_kind {
    ST_WSORT_NAME = 0,    /* (name bytes, index): finds duplicate names */
    ST_WSORT_CANON = 1,   /* ST-WRITE-1: (dtype descending, name bytes, index) */
    ST_WSORT_META = 2     /* (key bytes, index) */
} st_wsort_kind;

/* ST-WRITE-5: the one place a byte is produced; nothing goes past cap. */
static void st_wput(st_wbuf *b, uint8_t byte)
{
    if (b->pos < b->cap) {
        if (b->out != NULL) {
            b->out[b->pos] = byte;
        }
        b->pos++;
    } else {
        b->over = true;
    }
}

/* ST-WRITE-3: a NUL-terminated literal of at most ST_WLIT_MAX bytes. */
static void st_wput_lit(st_wbuf *b, const char *lit)
{
    uint32_t k = 0u;
    while ((k < ST_WLIT_MAX) && (lit[k] != '\0')) {
        st_wput(b, (uint8_t)lit[k]);
        k++;
    }
}

/* ST-WRITE-4: a lowercase hex digit for \u00xx escapes. */
static uint8_t st_whex(uint32_t nibble)
{
    uint8_t h = 0u;
    if (nibble < 10u) {
        h = (uint8_t)(0x30u + nibble);           /* '0'.. */
    } else {
        h = (uint8_t)(0x61u + (nibble - 10u));   /* 'a'.. lowercase */
    }
    return h;
}

/*
 * ST-WRITE-4: a JSON string literal, escaped as serde_json escapes:
 * \" \\ \b \t \n \f \r, the other bytes below 0x20 as \u00xx (lowercase
 * hex), every other byte (DEL, '/', non-ASCII UTF-8) as itself.
 */
static void st_wput_string(st_wbuf *b, const uint8_t *s, uint32_t n)
{
    uint32_t k = 0u;
    st_wput(b, 0x22u);
    while ((k < n) && !b->over) {
        uint8_t c = s[k];
        if (c == 0x22u) {
            st_wput(b, 0x5Cu);
            st_wput(b, 0x22u);
        } else if (c == 0x5Cu) {
            st_wput(b, 0x5Cu);
            st_wput(b, 0x5Cu);
        } else if (c == 0x08u) {
            st_wput(b, 0x5Cu);
            st_wput(b, 0x62u);                   /* b */
        } else if (c == 0x09u) {
            st_wput(b, 0x5Cu);
            st_wput(b, 0x74u);                   /* t */
        } else if (c == 0x0Au) {
            st_wput(b, 0x5Cu);
            st_wput(b, 0x6Eu);                   /* n */
        } else if (c == 0x0Cu) {
            st_wput(b, 0x5Cu);
            st_wput(b, 0x66u);                   /* f */
        } else if (c == 0x0Du) {
            st_wput(b, 0x5Cu);
            st_wput(b, 0x72u);                   /* r */
        } else if (c < 0x20u) {
            st_wput(b, 0x5Cu);
            st_wput(b, 0x75u);                   /* u */
            st_wput(b, 0x30u);
            st_wput(b, 0x30u);
            st_wput(b, st_whex((uint32_t)c / 16u));
            st_wput(b, st_whex((uint32_t)c % 16u));
        } else {
            st_wput(b, c);
        }
        k++;
    }
    st_wput(b, 0x22u);
}

/* A u64 in decimal, no leading zeros (ST-WRITE-3). */
static void st_wput_u64(st_wbuf *b, uint64_t v)
{
    uint8_t digits[ST_WU64_DIGITS];
    uint32_t n = 0u;
    uint64_t rest = v;
    do {
        digits[n] = (uint8_t)(0x30u + (uint32_t)(rest % 10u));
        rest = rest / 10u;
        n++;
    } while ((rest != 0u) && (n < ST_WU64_DIGITS));
    while (n > 0u) {
        n--;
        st_wput(b, digits[n]);
    }
}

/* "__metadata__":{"k":"v",...} with the keys in byte order (ST-WRITE-3). */
static void st_wput_metadata(st_wbuf *b, const st_wplan *p)
{
    const st_wset *set = p->set;
    uint32_t i = 0u;
    st_wput_string(b, st_wmeta_name, ST_WMETA_NAME_LEN);
    st_wput_lit(b, ":{");
    while ((i < set->n_meta) && !b->over) {
        const st_wmeta *m = &set->meta[p->meta_order[i]];
        if (i > 0u) {
            st_wput(b, 0x2Cu);
        }
        st_wput_string(b, m->key, m->key_len);
        st_wput(b, 0x3Au);
        st_wput_string(b, m->value, m->value_len);
        i++;
    }
    st_wput(b, 0x7Du);
}

/* "name":{"dtype":"F32","shape":[1,2],"data_offsets":[b,e]} (ST-WRITE-3). */
static void st_wput_tensor(st_wbuf *b, const st_wtensor *t, uint64_t begin)
{
    const char *dname = st_dtype_name((st_dtype)t->dtype);
    uint32_t d = 0u;
    st_wput_string(b, t->name, t->name_len);
    st_wput_lit(b, ":{\"dtype\":\"");
    if (dname != NULL) {
        uint32_t k = 0u;
        while ((k < ST_WDTYPE_NAME_MAX) && (dname[k] != '\0')) {
            st_wput(b, (uint8_t)dname[k]);
            k++;
        }
    }
    st_wput_lit(b, "\",\"shape\":[");
    while ((d < t->rank) && !b->over) {
        if (d > 0u) {
            st_wput(b, 0x2Cu);
        }
        st_wput_u64(b, t->dims[d]);
        d++;
    }
    st_wput_lit(b, "],\"data_offsets\":[");
    st_wput_u64(b, begin);
    st_wput(b, 0x2Cu);
    st_wput_u64(b, begin + t->data_len);   /* <= plan data_len: checked */
    st_wput_lit(b, "]}");
}

/*
 * ST-WRITE-3: the compact JSON header (no padding). Offsets are the
 * running sum of the data lengths in plan order (ST-WRITE-2); the plan
 * checked that the total fits in 64 bits.
 */
static void st_wput_json(st_wbuf *b, const st_wplan *p)
{
    const st_wset *set = p->set;
    uint64_t running = 0u;
    uint32_t i = 0u;
    st_wput(b, 0x7Bu);
    if (p->has_metadata) {
        st_wput_metadata(b, p);
        if (set->n_tensors > 0u) {
            st_wput(b, 0x2Cu);
        }
    }
    while ((i < set->n_tensors) && !b->over) {
        const st_wtensor *t = &set->tensors[p->order[i]];
        if (i > 0u) {
            st_wput(b, 0x2Cu);
        }
        st_wput_tensor(b, t, running);
        running = running + t->data_len;
        i++;
    }
    st_wput(b, 0x7Du);
}

/* ST-WRITE-1 (and the duplicate checks of ST-WRITE-6): strict "x sorts
 * before y" for the kind; ties broken by index, so a total order. */
static bool st_wless(st_wsort_kind kind, const st_wset *set, uint32_t x, uint32_t y)
{
    bool less = false;
    int c = 0;
    if (kind == ST_WSORT_META) {
        const st_wmeta *a = &set->meta[x];
        const st_wmeta *b = &set->meta[y];
        c = st_bytes_cmp(a->key, a->key_len, b->key, b->key_len);
    } else {
        const st_wtensor *a = &set->tensors[x];
        const st_wtensor *b = &set->tensors[y];
        if ((kind == ST_WSORT_CANON) && (a->dtype != b->dtype)) {
            c = (a->dtype > b->dtype) ? -1 : 1;   /* descending dtype */
        } else {
            c = st_bytes_cmp(a->name, a->name_len, b->name, b->name_len);
        }
    }
    less = (c < 0) || ((c == 0) && (x < y));
    return less;
}

/* ST-WRITE-1: restore the max-heap property below `root` within idx[0..n). */
static void st_wsift_down(uint32_t *idx, uint32_t root, uint32_t n,
                          st_wsort_kind kind, const st_wset *set)
{
    uint32_t r = root;
    bool done = false;
    while (!done && (r < (n / 2u))) {
        uint32_t child = (2u * r) + 1u;
        if (((child + 1u) < n) && st_wless(kind, set, idx[child], idx[child + 1u])) {
            child++;
        }
        if (st_wless(kind, set, idx[r], idx[child])) {
            uint32_t tmp = idx[r];
            idx[r] = idx[child];
            idx[child] = tmp;
            r = child;
        } else {
            done = true;
        }
    }
}

/* ST-WRITE-1: idx[i] = i, then heapsort ascending by st_wless:
 * O(n log n), in place, no recursion. */
static void st_wsort(uint32_t *idx, uint32_t n, st_wsort_kind kind, const st_wset *set)
{
    uint32_t i = 0u;
    uint32_t end = n;
    while (i < n) {
        idx[i] = i;
        i++;
    }
    i = n / 2u;
    while (i > 0u) {
        i--;
        st_wsift_down(idx, i, n, kind, set);
    }
    while (end > 1u) {
        uint32_t tmp;
        end--;
        tmp = idx[0];
        idx[0] = idx[end];
        idx[end] = tmp;
        st_wsift_down(idx, 0u, end, kind, set);
    }
}

/* ST-WRITE-6: the name a tensor may not take. */
static bool st_wis_reserved(const st_wtensor *t)
{
    return st_bytes_cmp(t->name, t->name_len, st_wmeta_name, ST_WMETA_NAME_LEN) == 0;
}

/* ST-WRITE-6 / ST-UTF8-1: the header must be UTF-8, so every name, key and
 * value must be. */
static bool st_wutf8(const uint8_t *s, uint32_t n)
{
    uint32_t bad = 0u;
    return (n == 0u) || st_utf8_valid(s, n, &bad);
}

/*
 * ST-WRITE-6: the tensor's size, checked the way a reader checks it
 * (ST-VALID-2 .. ST-VALID-5): element count left to right with overflow
 * checks, bits, a whole number of bytes, equal to data_len.
 */
static st_werr st_wcheck_size(const st_wtensor *t)
{
    st_werr ret = ST_W_OK;
    uint64_t nelem = 1u;
    uint64_t bits = (uint64_t)st_dtype_bits((st_dtype)t->dtype);
    uint32_t d = 0u;
    while ((d < t->rank) && (ret == ST_W_OK)) {
        uint64_t dim = t->dims[d];
        if ((dim != 0u) && (nelem > (UINT64_MAX / dim))) {
            ret = ST_W_OVERFLOW;
        } else {
            nelem = nelem * dim;
        }
        d++;
    }
    if (ret == ST_W_OK) {
        if ((nelem != 0u) && (bits > (UINT64_MAX / nelem))) {
            ret = ST_W_OVERFLOW;
        } else if (((nelem * bits) % 8u) != 0u) {
            ret = ST_W_MISALIGNED;
        } else if (t->data_len != ((nelem * bits) / 8u)) {
            ret = ST_W_SIZE_MISMATCH;
        } else {
            ret = ST_W_OK;
        }
    }
    return ret;
}

/* ST-WRITE-6: the per-tensor checks, in caller order; sums the data
 * section (ST-WRITE-2) with an overflow check. */
static st_werr st_wcheck_tensors(const st_wset *set, uint64_t *total, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    uint64_t sum = 0u;
    uint32_t i = 0u;
    while ((i < set->n_tensors) && (ret == ST_W_OK)) {
        const st_wtensor *t = &set->tensors[i];
        if (((t->name == NULL) && (t->name_len != 0u)) ||
            ((t->dims == NULL) && (t->rank != 0u))) {
            ret = ST_W_ARGUMENT;
        } else if (!st_wutf8(t->name, t->name_len)) {
            ret = ST_W_UTF8;
        } else if (st_wis_reserved(t)) {
            ret = ST_W_RESERVED_NAME;
        } else if ((uint32_t)t->dtype >= (uint32_t)ST_DTYPE_COUNT) {
            ret = ST_W_DTYPE;
        } else {
            ret = st_wcheck_size(t);
        }
        if ((ret == ST_W_OK) && (t->data_len > (UINT64_MAX - sum))) {
            ret = ST_W_OVERFLOW;
        }
        if (ret == ST_W_OK) {
            sum = sum + t->data_len;
            i++;
        } else {
            diag->subject = ST_W_AT_TENSOR;
            diag->index = i;
        }
    }
    *total = sum;
    return ret;
}

/* ST-WRITE-6: the per-pair checks of the metadata, in caller order. */
static st_werr st_wcheck_meta(const st_wset *set, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    uint32_t i = 0u;
    while ((i < set->n_meta) && (ret == ST_W_OK)) {
        const st_wmeta *m = &set->meta[i];
        if (((m->key == NULL) && (m->key_len != 0u)) ||
            ((m->value == NULL) && (m->value_len != 0u))) {
            ret = ST_W_ARGUMENT;
        } else if (!st_wutf8(m->key, m->key_len) || !st_wutf8(m->value, m->value_len)) {
            ret = ST_W_UTF8;
        } else {
            i++;
        }
        if (ret != ST_W_OK) {
            diag->subject = ST_W_AT_META;
            diag->index = i;
        }
    }
    return ret;
}

/* ST-WRITE-6: after a sort by (bytes, index), equal neighbours are
 * duplicates: O(n log n) in all. */
static st_werr st_wcheck_dups(const st_wset *set, const uint32_t *idx, uint32_t n,
                              bool meta, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    uint32_t i = 1u;
    while ((i < n) && (ret == ST_W_OK)) {
        uint32_t a = idx[i - 1u];
        uint32_t b = idx[i];
        int c = 0;
        if (meta) {
            c = st_bytes_cmp(set->meta[a].key, set->meta[a].key_len,
                             set->meta[b].key, set->meta[b].key_len);
        } else {
            c = st_bytes_cmp(set->tensors[a].name, set->tensors[a].name_len,
                             set->tensors[b].name, set->tensors[b].name_len);
        }
        if (c == 0) {
            ret = meta ? ST_W_DUP_META_KEY : ST_W_DUP_NAME;
            diag->subject = meta ? ST_W_AT_META : ST_W_AT_TENSOR;
            diag->index = b;   /* a < b: the sort breaks ties by index */
            diag->other = a;
        } else {
            i++;
        }
    }
    return ret;
}

/* ST-WRITE-1, -2, -5, -6 (contract in st_write.h): checks, then sorts,
 * then the measuring pass of the emitter. */
st_werr st_write_plan(const st_wset *set, uint32_t *order, uint32_t *meta_order,
                      st_wplan *plan, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    uint64_t data_len = 0u;
    st_wbuf b;
    diag->code = ST_W_OK;
    diag->subject = ST_W_AT_NONE;
    diag->index = 0u;
    diag->other = 0u;
    plan->set = set;
    plan->order = order;
    plan->meta_order = meta_order;
    plan->has_metadata = set->has_metadata || (set->n_meta > 0u);
    plan->json_len = 0u;
    plan->header_len = 0u;
    plan->data_len = 0u;
    plan->file_len = 0u;
    if (((set->n_tensors > 0u) && ((set->tensors == NULL) || (order == NULL))) ||
        ((set->n_meta > 0u) && ((set->meta == NULL) || (meta_order == NULL)))) {
        ret = ST_W_ARGUMENT;
    }
    if (ret == ST_W_OK) {
        ret = st_wcheck_tensors(set, &data_len, diag);
    }
    if (ret == ST_W_OK) {
        ret = st_wcheck_meta(set, diag);
    }
    if (ret == ST_W_OK) {
        st_wsort(order, set->n_tensors, ST_WSORT_NAME, set);
        ret = st_wcheck_dups(set, order, set->n_tensors, false, diag);
    }
    if (ret == ST_W_OK) {
        st_wsort(meta_order, set->n_meta, ST_WSORT_META, set);
        ret = st_wcheck_dups(set, meta_order, set->n_meta, true, diag);
    }
    if (ret == ST_W_OK) {
        st_wsort(order, set->n_tensors, ST_WSORT_CANON, set);
        /* Measure: anything over the cap stops the count early. */
        b.out = NULL;
        b.cap = (uint64_t)ST_HEADER_MAX;
        b.pos = 0u;
        b.over = false;
        plan->data_len = data_len;
        st_wput_json(&b, plan);
        if (b.over) {
            ret = ST_W_HEADER_TOO_LARGE;
        } else {
            /* json_len <= 1e8, a multiple of 8: padding stays under the cap */
            plan->json_len = b.pos;
            plan->header_len = ((b.pos + 7u) / 8u) * 8u;
            if (data_len > (UINT64_MAX - ((uint64_t)ST_PREFIX_LEN + plan->header_len))) {
                ret = ST_W_OVERFLOW;
            } else {
                plan->file_len = (uint64_t)ST_PREFIX_LEN + plan->header_len + data_len;
            }
        }
    }
    if (ret != ST_W_OK) {
        plan->json_len = 0u;
        plan->header_len = 0u;
        plan->data_len = 0u;
        plan->file_len = 0u;
    }
    diag->code = ret;
    return ret;
}

/* ST-WRITE-3, -4, -5 (contract in st_write.h): the prefix, the writing pass
 * of the emitter, the padding. */
st_werr st_write_header(const st_wplan *plan, uint8_t *out, uint64_t cap,
                        uint64_t *written)
{
    st_werr ret = ST_W_OK;
    uint64_t total = (uint64_t)ST_PREFIX_LEN + plan->header_len;
    st_wbuf b;
    uint32_t k = 0u;
    *written = 0u;
    if ((plan->header_len > (uint64_t)ST_HEADER_MAX) ||
        (plan->json_len > plan->header_len) || ((plan->header_len % 8u) != 0u)) {
        ret = ST_W_ARGUMENT;
    } else if (cap < total) {
        ret = ST_W_STORAGE;
    } else {
        b.out = out;
        b.cap = total;
        b.pos = 0u;
        b.over = false;
        /* ST-LAYOUT-1: N as 8 little-endian bytes. */
        while (k < ST_PREFIX_LEN) {
            st_wput(&b, (uint8_t)((plan->header_len >> (8u * k)) & 0xFFu));
            k++;
        }
        st_wput_json(&b, plan);
        if (b.over || (b.pos != ((uint64_t)ST_PREFIX_LEN + plan->json_len))) {
            ret = ST_W_ARGUMENT;   /* the set changed since st_write_plan */
        } else {
            /* ST-WRITE-5: spaces up to N. */
            while (b.pos < total) {
                st_wput(&b, 0x20u);
            }
            *written = b.pos;
        }
    }
    return ret;
}

/* ST-WRITE-2 (contract in st_write.h): offsets are running sums in plan
 * order; st_write_plan checked that the total fits. */
uint32_t st_write_tensor_at(const st_wplan *plan, uint32_t i, uint64_t *begin,
                            uint64_t *end)
{
    const st_wset *set = plan->set;
    uint64_t running = 0u;
    uint32_t k = 0u;
    uint32_t idx = plan->order[i];
    while (k < i) {
        running = running + set->tensors[plan->order[k]].data_len;
        k++;
    }
    *begin = running;
    *end = running + set->tensors[idx].data_len;
    return idx;
}

typedef struct st_werror_info {
    const char *name;
    const char *rule;
    const char *message;
} st_werror_info;

static const st_werror_info *st_werror_find(st_werr e)
{
    static const st_werror_info st_werrors[] = {
        {"ST_W_OK", "", "ok"},
        {"ST_W_DUP_NAME", "ST-WRITE-6", "two tensors have the same name"},
        {"ST_W_RESERVED_NAME", "ST-WRITE-6", "a tensor may not be named __metadata__"},
        {"ST_W_DTYPE", "ST-DTYPE-1", "unknown dtype"},
        {"ST_W_OVERFLOW", "ST-WRITE-6", "tensor size or total size does not fit in 64 bits"},
        {"ST_W_MISALIGNED", "ST-WRITE-6", "tensor size is not a whole number of bytes"},
        {"ST_W_SIZE_MISMATCH", "ST-WRITE-6", "data length does not match shape and dtype"},
        {"ST_W_UTF8", "ST-UTF8-1", "name, key or value is not valid UTF-8"},
        {"ST_W_DUP_META_KEY", "ST-WRITE-6", "two metadata entries have the same key"},
        {"ST_W_HEADER_TOO_LARGE", "ST-WRITE-5", "header would exceed 100000000 bytes"},
        {"ST_W_STORAGE", "ST-WRITE-5", "output buffer too small for the header"},
        {"ST_W_ARGUMENT", "", "invalid argument"},
    };
    const st_werror_info *ret = &st_werrors[ST_W_ARGUMENT];
    if ((uint32_t)e < (uint32_t)((sizeof st_werrors) / (sizeof st_werrors[0]))) {
        ret = &st_werrors[(uint32_t)e];
    }
    return ret;
}

const char *st_write_error_name(st_werr e)
{
    return st_werror_find(e)->name;
}

const char *st_write_error_rule(st_werr e)
{
    return st_werror_find(e)->rule;
}

const char *st_write_error_message(st_werr e)
{
    return st_werror_find(e)->message;
}
