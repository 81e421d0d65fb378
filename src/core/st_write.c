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
#include "st_cover.h"

/* "__metadata__": the member name a tensor may not take (ST-WRITE-6). */
static const uint8_t st_wmeta_name[12] = {
    0x5Fu, 0x5Fu, 0x6Du, 0x65u, 0x74u, 0x61u, 0x64u, 0x61u, 0x74u, 0x61u, 0x5Fu, 0x5Fu
};
#define ST_WMETA_NAME_LEN 12u

/* Longest dtype name ("F8_E4M3FNUZ") and its NUL: bounds the copy of a
 * name to the row st_dtype_name returns. */
/* Decimal digits of 2^64 - 1. */
#define ST_WU64_DIGITS 20u

/* An output cursor, passed and returned by value so that the emitter's
 * only writes to memory are the output bytes. With out == NULL it only
 * counts (measuring pass). */
typedef struct st_wbuf {
    uint8_t *out;
    uint64_t cap;   /* bytes that may be produced */
    uint64_t pos;   /* bytes produced so far, <= cap */
    bool over;      /* a byte did not fit: the output is incomplete */
} st_wbuf;

/*@
  // The bytes a cursor may write: none when it only counts.
  logic integer st_wroom(uint8_t *out, integer cap) = out == \null ? 0 : cap;

  predicate st_wbuf_ok{L}(st_wbuf b) =
    b.pos <= b.cap &&
    (b.out != \null ==> \valid(b.out + (0 .. b.cap - 1)));

  // 10^k (1 for k <= 0): a u64 has at most 20 decimal digits.
  logic integer st_pow10(integer k) = k <= 0 ? 1 : 10 * st_pow10(k - 1);

  lemma st_pow10_20: st_pow10(20) == 100000000000000000000;
*/

/* Sort keys of st_wsort. */
typedef enum st_wsort_kind {
    ST_WSORT_NAME = 0,    /* (name bytes, index): finds duplicate names */
    ST_WSORT_CANON = 1,   /* ST-WRITE-1: (dtype descending, name bytes, index) */
    ST_WSORT_META = 2     /* (key bytes, index) */
} st_wsort_kind;

/*@
  // Entries a sort of that kind orders.
  logic integer st_wcount{L}(st_wset *ws, st_wsort_kind kind) =
    kind == ST_WSORT_META ? ws->n_meta : ws->n_tensors;

  // The index array of a sort: writable, apart from the set it orders.
  predicate st_wsort_sep{L}(uint32_t *idx, integer n, st_wset *ws) =
    \valid(idx + (0 .. n - 1)) &&
    \separated(idx + (0 .. n - 1), ws,
               ws->tensors + (0 .. ws->n_tensors - 1),
               ws->meta + (0 .. ws->n_meta - 1));
*/

/* ST-WRITE-5: the one place a byte is produced; nothing goes past cap. */
/*@ requires st_wbuf_ok(b);
    assigns b.out[0 .. st_wroom(b.out, b.cap) - 1];
    ensures st_wbuf_ok(\result) && \result.out == b.out && \result.cap == b.cap;
    ensures b.pos < b.cap ==> \result.pos == b.pos + 1 && \result.over == b.over;
    ensures b.pos >= b.cap ==> \result.pos == b.pos && \result.over;
*/
static st_wbuf st_wput(st_wbuf b, uint8_t byte)
{
    st_wbuf r = b;
    if (r.pos < r.cap) {
        if (r.out != NULL) {
            r.out[r.pos] = byte;
        }
        r.pos++;
    } else {
        r.over = true;
    }
    return r;
}

/* A character of a literal as the byte it is stored as: the value modulo
   256, for a signed or an unsigned char alike (no test on the sign, which
   no literal of the writer has). */
/*@ assigns \nothing;
    ensures \result == (c < 0 ? c + 256 : c);
*/
static uint8_t st_wbyte(char c)
{
    const int v = ((int)c + 256) % 256;
    return (uint8_t)v;
}

/* ST-WRITE-3: n bytes of a literal. */
/*@ requires st_wbuf_ok(b);
    requires \valid_read(s + (0 .. n - 1));
    assigns b.out[0 .. st_wroom(b.out, b.cap) - 1];
    ensures st_wbuf_ok(\result) && \result.out == b.out && \result.cap == b.cap;
*/
static st_wbuf st_wput_chars(st_wbuf b, const char *s, uint32_t n)
{
    st_wbuf r = b;
    uint32_t k = 0u;
    /*@ loop invariant 0 <= k <= n;
        loop invariant st_wbuf_ok(r) && r.out == b.out && r.cap == b.cap;
        loop assigns k, r, b.out[0 .. st_wroom(b.out, b.cap) - 1];
        loop variant n - k;
    */
    while (k < n) {
        r = st_wput(r, st_wbyte(s[k]));
        k++;
    }
    return r;
}

/* A string literal without its NUL. */
#define ST_WLIT(b, s) st_wput_chars((b), (s), (uint32_t)(sizeof(s) - 1u))

/* ST-WRITE-4: a lowercase hex digit for \u00xx escapes. */
/*@ requires nibble < 16;
    assigns \nothing;
*/
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

/* ST-WRITE-4: the escape of one byte of a string: the byte itself, a
 * two-byte escape, or \u00xx. */
/*@ requires st_wbuf_ok(b);
    assigns b.out[0 .. st_wroom(b.out, b.cap) - 1];
    ensures st_wbuf_ok(\result) && \result.out == b.out && \result.cap == b.cap;
*/
static st_wbuf st_wput_escaped(st_wbuf b, uint8_t c)
{
    uint8_t seq[6] = {c, 0u, 0u, 0u, 0u, 0u};
    uint8_t letter = 0u;
    uint32_t len = 1u;
    uint32_t k = 0u;
    st_wbuf r = b;
    if ((c == 0x22u) || (c == 0x5Cu)) {
        letter = c;
    } else if (c == 0x08u) {
        letter = 0x62u;                          /* b */
    } else if (c == 0x09u) {
        letter = 0x74u;                          /* t */
    } else if (c == 0x0Au) {
        letter = 0x6Eu;                          /* n */
    } else if (c == 0x0Cu) {
        letter = 0x66u;                          /* f */
    } else if (c == 0x0Du) {
        letter = 0x72u;                          /* r */
    } else {
        letter = 0u;
    }
    if (letter != 0u) {
        seq[0] = 0x5Cu;
        seq[1] = letter;
        len = 2u;
    } else if (c < 0x20u) {
        seq[0] = 0x5Cu;
        seq[1] = 0x75u;                          /* u */
        seq[2] = 0x30u;
        seq[3] = 0x30u;
        seq[4] = st_whex((uint32_t)c / 16u);
        seq[5] = st_whex((uint32_t)c % 16u);
        len = 6u;
    } else {
        len = 1u;
    }
    /*@ loop invariant 0 <= k <= len <= 6;
        loop invariant st_wbuf_ok(r) && r.out == b.out && r.cap == b.cap;
        loop assigns k, r, b.out[0 .. st_wroom(b.out, b.cap) - 1];
        loop variant len - k;
    */
    while (k < len) {
        r = st_wput(r, seq[k]);
        k++;
    }
    return r;
}

/*
 * ST-WRITE-4: a JSON string literal, escaped as serde_json escapes:
 * \" \\ \b \t \n \f \r, the other bytes below 0x20 as \u00xx (lowercase
 * hex), every other byte (DEL, '/', non-ASCII UTF-8) as itself.
 */
/*@ requires st_wbuf_ok(b);
    requires \valid_read(s + (0 .. n - 1));
    assigns b.out[0 .. st_wroom(b.out, b.cap) - 1];
    ensures st_wbuf_ok(\result) && \result.out == b.out && \result.cap == b.cap;
*/
static st_wbuf st_wput_string(st_wbuf b, const uint8_t *s, uint32_t n)
{
    st_wbuf r = st_wput(b, 0x22u);
    uint32_t k = 0u;
    /*@ loop invariant 0 <= k <= n;
        loop invariant st_wbuf_ok(r) && r.out == b.out && r.cap == b.cap;
        loop assigns k, r, b.out[0 .. st_wroom(b.out, b.cap) - 1];
        loop variant n - k;
    */
    while ((k < n) && !r.over) {
        r = st_wput_escaped(r, s[k]);
        k++;
    }
    r = st_wput(r, 0x22u);
    return r;
}

/* A u64 in decimal, no leading zeros (ST-WRITE-3). */
/*@ requires st_wbuf_ok(b);
    assigns b.out[0 .. st_wroom(b.out, b.cap) - 1];
    ensures st_wbuf_ok(\result) && \result.out == b.out && \result.cap == b.cap;
*/
static st_wbuf st_wput_u64(st_wbuf b, uint64_t v)
{
    uint8_t digits[ST_WU64_DIGITS] = {0};
    st_wbuf r = b;
    uint32_t n = 0u;
    uint64_t rest = v;
    /* What is left after n digits is below 10^(20 - n), so the value ends
     * (rest == 0) by the 20th digit: the invariant makes the bound on n
     * a proven fact, kept as a defensive test (U-6). */
    /*@ loop invariant 0 <= n < ST_WU64_DIGITS;
        loop invariant rest < st_pow10(ST_WU64_DIGITS - n);
        loop assigns n, rest, digits[0 .. ST_WU64_DIGITS - 1];
        loop variant ST_WU64_DIGITS - n;
    */
    do {
        digits[n] = (uint8_t)(0x30u + (uint32_t)(rest % 10u));
        rest = rest / 10u;
        n++;
        /*@ assert rest != 0 ==> n < ST_WU64_DIGITS; */
    } while ((rest != 0u) && ST_ALWAYS(n < ST_WU64_DIGITS));
    /*@ loop invariant 0 <= n <= ST_WU64_DIGITS;
        loop invariant st_wbuf_ok(r) && r.out == b.out && r.cap == b.cap;
        loop assigns n, r, b.out[0 .. st_wroom(b.out, b.cap) - 1];
        loop variant n;
    */
    while (n > 0u) {
        n--;
        r = st_wput(r, digits[n]);
    }
    return r;
}

/* "__metadata__":{"k":"v",...} with the keys in byte order (ST-WRITE-3). */
/*@ requires st_wbuf_ok(b);
    requires st_wplan_ok(p);
    assigns b.out[0 .. st_wroom(b.out, b.cap) - 1];
    ensures st_wbuf_ok(\result) && \result.out == b.out && \result.cap == b.cap;
*/
static st_wbuf st_wput_metadata(st_wbuf b, const st_wplan *p)
{
    const st_wset *set = p->set;
    st_wbuf r = st_wput_string(b, st_wmeta_name, ST_WMETA_NAME_LEN);
    uint32_t i = 0u;
    /*@ assert st_wset_ok(set) && st_windex_ok(p->meta_order, set->n_meta); */
    /*@ assert \valid_read(set->meta + (0 .. set->n_meta - 1)); */
    /*@ assert \forall integer j; 0 <= j < set->n_meta ==> p->meta_order[j] < set->n_meta; */
    /*@ assert \forall integer j; 0 <= j < set->n_meta ==> st_wmeta_ok(set->meta + j); */
    r = ST_WLIT(r, ":{");
    /*@ loop invariant 0 <= i <= set->n_meta;
        loop invariant st_wbuf_ok(r) && r.out == b.out && r.cap == b.cap;
        loop assigns i, r, b.out[0 .. st_wroom(b.out, b.cap) - 1];
        loop variant set->n_meta - i;
    */
    while ((i < set->n_meta) && !r.over) {
        const st_wmeta *m = &set->meta[p->meta_order[i]];
        /*@ assert st_wmeta_ok(m); */
        if (i > 0u) {
            r = st_wput(r, 0x2Cu);
        }
        r = st_wput_string(r, m->key, m->key_len);
        r = st_wput(r, 0x3Au);
        r = st_wput_string(r, m->value, m->value_len);
        i++;
    }
    r = st_wput(r, 0x7Du);
    return r;
}

/* "name":{"dtype":"F32","shape":[1,2],"data_offsets":[b,e]} (ST-WRITE-3). */
/*@ requires st_wbuf_ok(b);
    requires \valid_read(t) && st_wtensor_ok(t);
    requires begin + t->data_len <= ST_U64_MAX_L;
    assigns b.out[0 .. st_wroom(b.out, b.cap) - 1];
    ensures st_wbuf_ok(\result) && \result.out == b.out && \result.cap == b.cap;
*/
static st_wbuf st_wput_tensor(st_wbuf b, const st_wtensor *t, uint64_t begin)
{
    const char *dname = st_dtype_name((st_dtype)t->dtype);
    const uint32_t dlen = st_dtype_name_len((st_dtype)t->dtype);
    st_wbuf r = st_wput_string(b, t->name, t->name_len);
    uint32_t d = 0u;
    r = ST_WLIT(r, ":{\"dtype\":\"");
    if (dname != NULL) {
        /* the name's bytes from the table, its length from the same table
           (at most 11 of its 12-byte row: no test for the NUL needed) */
        r = st_wput_chars(r, dname, dlen);
    }
    r = ST_WLIT(r, "\",\"shape\":[");
    /*@ loop invariant 0 <= d <= t->rank;
        loop invariant st_wbuf_ok(r) && r.out == b.out && r.cap == b.cap;
        loop assigns d, r, b.out[0 .. st_wroom(b.out, b.cap) - 1];
        loop variant t->rank - d;
    */
    while ((d < t->rank) && !r.over) {
        if (d > 0u) {
            r = st_wput(r, 0x2Cu);
        }
        r = st_wput_u64(r, t->dims[d]);
        d++;
    }
    r = ST_WLIT(r, "],\"data_offsets\":[");
    r = st_wput_u64(r, begin);
    r = st_wput(r, 0x2Cu);
    r = st_wput_u64(r, begin + t->data_len);
    r = ST_WLIT(r, "]}");
    return r;
}

/*
 * ST-WRITE-3: the compact JSON header (no padding). Offsets are the
 * running sum of the data lengths in plan order (ST-WRITE-2). Both callers
 * checked the layout first (st_wlayout_check): every running sum is at
 * most data_len, so none passes 2^64 (U-11 in spec/analysis-notes.md).
 */
/*@ requires st_wbuf_ok(b);
    requires st_wplan_ok(p) && st_wlayout_ok(p);
    assigns b.out[0 .. st_wroom(b.out, b.cap) - 1];
    ensures st_wbuf_ok(\result) && \result.out == b.out && \result.cap == b.cap;
*/
static st_wbuf st_wput_json(st_wbuf b, const st_wplan *p)
{
    const st_wset *set = p->set;
    st_wbuf r = st_wput(b, 0x7Bu);
    uint64_t running = 0u;
    uint32_t i = 0u;
    /*@ assert st_wset_ok(set) && st_windex_ok(p->order, set->n_tensors); */
    /*@ assert \valid_read(set->tensors + (0 .. set->n_tensors - 1)); */
    /*@ assert \forall integer j; 0 <= j < set->n_tensors ==> p->order[j] < set->n_tensors; */
    /*@ assert \forall integer j; 0 <= j < set->n_tensors ==> st_wtensor_ok(set->tensors + j); */
    if (p->has_metadata) {
        r = st_wput_metadata(r, p);
        if (set->n_tensors > 0u) {
            r = st_wput(r, 0x2Cu);
        }
    }
    /*@ loop invariant 0 <= i <= set->n_tensors;
        loop invariant st_wbuf_ok(r) && r.out == b.out && r.cap == b.cap;
        loop invariant running == st_wsum(set->tensors, p->order, i);
        loop assigns i, r, running, b.out[0 .. st_wroom(b.out, b.cap) - 1];
        loop variant 2 * (set->n_tensors - i) + (r.over ? 0 : 1);
    */
    while ((i < set->n_tensors) && !r.over) {
        const st_wtensor *t = &set->tensors[p->order[i]];
        /*@ assert st_wtensor_ok(t); */
        /*@ assert running + t->data_len == st_wsum(set->tensors, p->order, i + 1); */
        /*@ assert running + t->data_len <= p->data_len; */
        if (ST_NEVER(t->data_len > (UINT64_MAX - running))) {
            r.over = true;
        } else {
            if (i > 0u) {
                r = st_wput(r, 0x2Cu);
            }
            r = st_wput_tensor(r, t, running);
            running = running + t->data_len;
            i++;
        }
    }
    r = st_wput(r, 0x7Du);
    return r;
}

/* ST-WRITE-1 (and the duplicate checks of ST-WRITE-6): strict "x sorts
 * before y" for the kind; ties broken by index, so a total order. */
/*@ requires st_wset_ok(set);
    requires x < st_wcount(set, kind) && y < st_wcount(set, kind);
    assigns \nothing;
*/
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

/* ST-WRITE-1: exchange idx[a] and idx[b]. A sort of tensors keeps the
 * sum of their data lengths in index order: the ghost loop walks the
 * running sums, equal to those before the exchange except between a and
 * b, where one length replaces the other. */
/*@ requires st_wset_ok(ws);
    requires a < b < st_wcount(ws, kind);
    requires st_wsort_sep(idx, st_wcount(ws, kind), ws);
    requires \forall integer j; 0 <= j < st_wcount(ws, kind) ==>
               idx[j] < st_wcount(ws, kind);
    assigns idx[a], idx[b];
    ensures st_wset_ok(ws);
    ensures idx[a] == \old(idx[b]) && idx[b] == \old(idx[a]);
    ensures \forall integer j; 0 <= j < st_wcount(ws, kind) ==>
              idx[j] < st_wcount(ws, kind);
    ensures kind != ST_WSORT_META ==>
              st_wsum(ws->tensors, idx, ws->n_tensors) ==
              \old(st_wsum(ws->tensors, idx, ws->n_tensors));
*/
static void st_wswap(uint32_t *idx, uint32_t a, uint32_t b)
    /*@ ghost (st_wsort_kind kind, const st_wset *ws) */
{
    uint32_t tmp = idx[a];
    idx[a] = idx[b];
    idx[b] = tmp;
    /*@ ghost
        uint32_t k = 0u;
        /@ loop invariant 0 <= k <= ws->n_tensors;
           loop invariant kind != ST_WSORT_META ==>
             st_wsum(ws->tensors, idx, k) ==
             st_wsum{Pre}(ws->tensors, idx, k) +
             ((a < k && k <= b) ?
                ws->tensors[\at(idx[b], Pre)].data_len -
                ws->tensors[\at(idx[a], Pre)].data_len : 0);
           loop assigns k;
           loop variant ws->n_tensors - k;
        @/
        while (k < ws->n_tensors) {
            k++;
        }
    */
}

/* ST-WRITE-1: restore the max-heap property below `root` within idx[0..n),
 * n at most the length of idx. */
/*@ requires st_wset_ok(set);
    requires n <= st_wcount(set, kind);
    requires st_wsort_sep(idx, st_wcount(set, kind), set);
    requires \forall integer j; 0 <= j < st_wcount(set, kind) ==>
               idx[j] < st_wcount(set, kind);
    assigns idx[0 .. n - 1];
    ensures st_wset_ok(set);
    ensures \forall integer j; 0 <= j < st_wcount(set, kind) ==>
              idx[j] < st_wcount(set, kind);
    ensures kind != ST_WSORT_META ==>
              st_wsum(set->tensors, idx, set->n_tensors) ==
              \old(st_wsum(set->tensors, idx, set->n_tensors));
*/
static void st_wsift_down(uint32_t *idx, uint32_t root, uint32_t n,
                          st_wsort_kind kind, const st_wset *set)
{
    uint32_t r = root;
    bool done = false;
    /*@ loop invariant st_wset_ok(set);
        loop invariant \forall integer j; 0 <= j < st_wcount(set, kind) ==>
                         idx[j] < st_wcount(set, kind);
        loop invariant kind != ST_WSORT_META ==>
                         st_wsum(set->tensors, idx, set->n_tensors) ==
                         st_wsum{Pre}(set->tensors, idx, set->n_tensors);
        loop assigns r, done, idx[0 .. n - 1];
        loop variant (done ? 0 : 1) + (n - r);
    */
    while (!done && (r < (n / 2u))) {
        uint32_t child = (2u * r) + 1u;
        if (((child + 1u) < n) && st_wless(kind, set, idx[child], idx[child + 1u])) {
            child++;
        }
        if (st_wless(kind, set, idx[r], idx[child])) {
            st_wswap(idx, r, child) /*@ ghost (kind, set) */;
            r = child;
        } else {
            done = true;
        }
    }
}

/* ST-WRITE-1: one step of the heapsort's extraction: the root (the
 * largest of idx[0 .. last]) goes to idx[last], then the heap is restored
 * within idx[0 .. last). */
/*@ requires st_wset_ok(set);
    requires 0 < last < st_wcount(set, kind);
    requires st_wsort_sep(idx, st_wcount(set, kind), set);
    requires \forall integer j; 0 <= j < st_wcount(set, kind) ==>
               idx[j] < st_wcount(set, kind);
    assigns idx[0 .. last];
    ensures st_wset_ok(set);
    ensures \forall integer j; 0 <= j < st_wcount(set, kind) ==>
              idx[j] < st_wcount(set, kind);
    ensures kind != ST_WSORT_META ==>
              st_wsum(set->tensors, idx, set->n_tensors) ==
              \old(st_wsum(set->tensors, idx, set->n_tensors));
*/
static void st_wsort_pop(uint32_t *idx, uint32_t last, st_wsort_kind kind,
                         const st_wset *set)
{
    st_wswap(idx, 0u, last) /*@ ghost (kind, set) */;
    st_wsift_down(idx, 0u, last, kind, set);
}

/* ST-WRITE-1: idx[i] = i, then heapsort ascending by st_wless:
 * O(n log n), in place, no recursion. The data lengths of tensors add up
 * in sorted order to their caller-order sum: a ghost loop starts it from
 * the identity, and every exchange keeps it (st_wswap). */
/*@ requires st_wset_ok(set);
    requires n == st_wcount(set, kind);
    requires st_wsort_sep(idx, n, set);
    assigns idx[0 .. n - 1];
    ensures st_wset_ok(set);
    ensures \forall integer j; 0 <= j < n ==> idx[j] < n;
    ensures kind != ST_WSORT_META ==>
              st_wsum(set->tensors, idx, n) == \old(st_wid(set->tensors, n));
*/
static void st_wsort(uint32_t *idx, uint32_t n, st_wsort_kind kind, const st_wset *set)
{
    uint32_t i = 0u;
    uint32_t end = n;
    /*@ loop invariant 0 <= i <= n;
        loop invariant st_wset_ok(set);
        loop invariant \forall integer j; 0 <= j < i ==> idx[j] == j;
        loop assigns i, idx[0 .. n - 1];
        loop variant n - i;
    */
    while (i < n) {
        idx[i] = i;
        i++;
    }
    /*@ ghost
        uint32_t k = 0u;
        /@ loop invariant 0 <= k <= n;
           loop invariant kind != ST_WSORT_META ==>
             st_wsum(set->tensors, idx, k) == st_wid{Pre}(set->tensors, k);
           loop assigns k;
           loop variant n - k;
        @/
        while (k < n) {
            k++;
        }
    */
    i = n / 2u;
    /*@ loop invariant 0 <= i <= n / 2;
        loop invariant st_wset_ok(set);
        loop invariant \forall integer j; 0 <= j < n ==> idx[j] < n;
        loop invariant kind != ST_WSORT_META ==>
                         st_wsum(set->tensors, idx, n) == st_wid{Pre}(set->tensors, n);
        loop assigns i, idx[0 .. n - 1];
        loop variant i;
    */
    while (i > 0u) {
        i--;
        st_wsift_down(idx, i, n, kind, set);
    }
    /*@ loop invariant 0 <= end <= n;
        loop invariant st_wset_ok(set);
        loop invariant \forall integer j; 0 <= j < n ==> idx[j] < n;
        loop invariant kind != ST_WSORT_META ==>
                         st_wsum(set->tensors, idx, n) == st_wid{Pre}(set->tensors, n);
        loop assigns end, idx[0 .. n - 1];
        loop variant end;
    */
    while (end > 1u) {
        end--;
        st_wsort_pop(idx, end, kind, set);
    }
}

/* ST-WRITE-6: the name a tensor may not take. */
/*@ requires \valid_read(t) && st_wtensor_ok(t);
    assigns \nothing;
*/
static bool st_wis_reserved(const st_wtensor *t)
{
    return st_bytes_cmp(t->name, t->name_len, st_wmeta_name, ST_WMETA_NAME_LEN) == 0;
}

/* ST-WRITE-6 / ST-UTF8-1: the header must be UTF-8, so every name, key and
 * value must be. */
/*@ requires \valid_read(s + (0 .. n - 1));
    assigns \nothing;
    ensures \result ==> st_utf8_prefix(s, n, n);
*/
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
/*@ requires \valid_read(t) && \valid_read(t->dims + (0 .. t->rank - 1));
    assigns \nothing;
*/
static st_werr st_wcheck_size(const st_wtensor *t)
{
    st_werr ret = ST_W_OK;
    uint64_t nelem = 1u;
    uint64_t bits = (uint64_t)st_dtype_bits((st_dtype)t->dtype);
    uint32_t d = 0u;
    /*@ loop invariant 0 <= d <= t->rank;
        loop assigns d, nelem, ret;
        loop variant t->rank - d;
    */
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
/*@ requires \valid_read(set) && \valid(total) && \valid(diag);
    requires \valid_read(set->tensors + (0 .. set->n_tensors - 1));
    requires \forall integer i; 0 <= i < set->n_tensors ==>
               st_wtensor_given(set->tensors + i);
    requires \separated(total, diag, set, set->tensors + (0 .. set->n_tensors - 1));
    assigns *total, diag->subject, diag->index;
    ensures \result == ST_W_OK ==>
              \forall integer i; 0 <= i < set->n_tensors ==> st_wtensor_ok(set->tensors + i);
    ensures \result == ST_W_OK ==> *total == \old(st_wid(set->tensors, set->n_tensors));
*/
static st_werr st_wcheck_tensors(const st_wset *set, uint64_t *total, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    uint64_t sum = 0u;
    uint32_t i = 0u;
    /*@ loop invariant 0 <= i <= set->n_tensors;
        loop invariant \forall integer j; 0 <= j < i ==> st_wtensor_ok(set->tensors + j);
        loop invariant ret != ST_W_OK ==> i < set->n_tensors;
        loop invariant ret == ST_W_OK ==> sum == st_wid{Pre}(set->tensors, i);
        loop assigns i, sum, ret, diag->subject, diag->index;
        loop variant set->n_tensors - i + (ret == ST_W_OK ? 1 : 0);
    */
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
/*@ requires \valid_read(set) && \valid(diag);
    requires \valid_read(set->meta + (0 .. set->n_meta - 1));
    requires \forall integer i; 0 <= i < set->n_meta ==> st_wmeta_given(set->meta + i);
    requires \separated(diag, set, set->meta + (0 .. set->n_meta - 1));
    assigns diag->subject, diag->index;
    ensures \result == ST_W_OK ==>
              \forall integer i; 0 <= i < set->n_meta ==> st_wmeta_ok(set->meta + i);
*/
static st_werr st_wcheck_meta(const st_wset *set, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    uint32_t i = 0u;
    /*@ loop invariant 0 <= i <= set->n_meta;
        loop invariant \forall integer j; 0 <= j < i ==> st_wmeta_ok(set->meta + j);
        loop invariant ret != ST_W_OK ==> i < set->n_meta;
        loop assigns i, ret, diag->subject, diag->index;
        loop variant set->n_meta - i + (ret == ST_W_OK ? 1 : 0);
    */
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
/*@ requires st_wset_ok(set) && \valid(diag);
    requires n == (meta ? set->n_meta : set->n_tensors);
    requires st_windex_ok(idx, n);
    requires \separated(diag, set, idx + (0 .. n - 1),
                        set->tensors + (0 .. set->n_tensors - 1),
                        set->meta + (0 .. set->n_meta - 1));
    assigns diag->subject, diag->index, diag->other;
*/
static st_werr st_wcheck_dups(const st_wset *set, const uint32_t *idx, uint32_t n,
                              bool meta, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    uint32_t i = 1u;
    /*@ loop invariant 1 <= i;
        loop invariant n > 0 ==> i <= n;
        loop invariant ret != ST_W_OK ==> i < n;
        loop assigns i, ret, diag->subject, diag->index, diag->other;
        loop variant n - i + (ret == ST_W_OK ? 1 : 0);
    */
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

/*
 * ST-WRITE-2: the offsets in plan order, recomputed from the data lengths
 * and compared with the plan's data_len. A plan from st_write_plan passes
 * (its layout holds by construction, st_wlay_out); st_write_header checks
 * it before emitting, so a set whose data lengths changed since the plan
 * is refused (U-12).
 */
/*@ requires st_wplan_ok(p);
    assigns \nothing;
    ensures \result ==> st_wlayout_ok(p);
*/
static bool st_wlayout_check(const st_wplan *p)
{
    const st_wset *set = p->set;
    uint64_t running = 0u;
    uint64_t room = p->data_len;   /* p->data_len - running */
    uint32_t i = 0u;
    bool ok = true;
    /*@ loop invariant 0 <= i <= set->n_tensors;
        loop invariant ok ==> running == st_wsum(set->tensors, p->order, i);
        loop invariant ok ==> \forall integer k; 0 <= k <= i ==>
                         st_wsum(set->tensors, p->order, k) <= running;
        loop invariant ok ==> running <= p->data_len && room == p->data_len - running;
        loop assigns i, running, room, ok;
        loop variant set->n_tensors - i + (ok ? 1 : 0);
    */
    while ((i < set->n_tensors) && ok) {
        uint64_t len = set->tensors[p->order[i]].data_len;
        if (len > room) {
            ok = false;
        } else {
            running = running + len;
            room = room - len;
            i++;
        }
    }
    return ok && (room == 0u);
}

/* Clear the layout of a refused plan. */
/*@ requires \valid(plan);
    assigns plan->json_len, plan->header_len, plan->data_len, plan->file_len;
    ensures plan->json_len == 0 && plan->header_len == 0 &&
            plan->data_len == 0 && plan->file_len == 0;
*/
static void st_wplan_clear(st_wplan *plan)
{
    plan->json_len = 0u;
    plan->header_len = 0u;
    plan->data_len = 0u;
    plan->file_len = 0u;
}

/* ST-WRITE-6: the arguments, then the per-tensor and per-pair checks, in
 * caller order; *total is the size of the data section. */
/*@ requires \valid_read(set) && \valid(total) && \valid(diag);
    requires set->tensors != \null ==>
               \valid_read(set->tensors + (0 .. set->n_tensors - 1)) &&
               \forall integer i; 0 <= i < set->n_tensors ==>
                 st_wtensor_given(set->tensors + i);
    requires set->meta != \null ==>
               \valid_read(set->meta + (0 .. set->n_meta - 1)) &&
               \forall integer i; 0 <= i < set->n_meta ==> st_wmeta_given(set->meta + i);
    requires \separated(total, diag, set, set->tensors + (0 .. set->n_tensors - 1),
                        set->meta + (0 .. set->n_meta - 1));
    assigns *total, diag->subject, diag->index;
    ensures \result == ST_W_OK ==> st_wset_ok(set);
    ensures \result == ST_W_OK ==>
              (set->n_tensors > 0 ==> order != \null) &&
              (set->n_meta > 0 ==> meta_order != \null);
    ensures \result == ST_W_OK ==> *total == \old(st_wid(set->tensors, set->n_tensors));
*/
static st_werr st_wcheck_entries(const st_wset *set, const uint32_t *order,
                                 const uint32_t *meta_order, uint64_t *total,
                                 st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    if (((set->n_tensors > 0u) && ((set->tensors == NULL) || (order == NULL))) ||
        ((set->n_meta > 0u) && ((set->meta == NULL) || (meta_order == NULL)))) {
        *total = 0u;
        ret = ST_W_ARGUMENT;
    } else {
        /*@ assert \valid_read(set->tensors + (0 .. set->n_tensors - 1)); */
        /*@ assert \valid_read(set->meta + (0 .. set->n_meta - 1)); */
        ret = st_wcheck_tensors(set, total, diag);
        if (ret == ST_W_OK) {
            ret = st_wcheck_meta(set, diag);
        }
    }
    return ret;
}

/* ST-WRITE-6: sort idx by (bytes, index), then look for equal
 * neighbours: duplicate names (ST_WSORT_NAME) or keys (ST_WSORT_META). */
/*@ requires st_wset_ok(set) && \valid(diag);
    requires kind == ST_WSORT_NAME || kind == ST_WSORT_META;
    requires n == st_wcount(set, kind);
    requires st_wsort_sep(idx, n, set);
    requires \separated(diag, set, idx + (0 .. n - 1),
                        set->tensors + (0 .. set->n_tensors - 1),
                        set->meta + (0 .. set->n_meta - 1));
    assigns diag->subject, diag->index, diag->other, idx[0 .. n - 1];
    ensures st_windex_ok(idx, n) && st_wset_ok(set);
    ensures set->n_tensors == \old(set->n_tensors) && set->n_meta == \old(set->n_meta);
*/
static st_werr st_wunique(const st_wset *set, uint32_t *idx, uint32_t n,
                          st_wsort_kind kind, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    st_wsort(idx, n, kind, set);
    /*@ assert set->n_tensors == \at(set->n_tensors, Pre) &&
               set->n_meta == \at(set->n_meta, Pre); */
    /*@ assert st_wset_ok(set); */
    ret = st_wcheck_dups(set, idx, n, kind == ST_WSORT_META, diag);
    /*@ assert set->n_tensors == \at(set->n_tensors, Pre) &&
               set->n_meta == \at(set->n_meta, Pre); */
    return ret;
}

/* ST-WRITE-6: duplicate names, then duplicate keys; leaves order sorted by
 * name and meta_order by key. */
/*@ requires st_wset_ok(set) && \valid(diag);
    requires st_wsort_sep(order, set->n_tensors, set);
    requires st_wsort_sep(meta_order, set->n_meta, set);
    requires \separated(diag, set, order + (0 .. set->n_tensors - 1),
                        meta_order + (0 .. set->n_meta - 1),
                        set->tensors + (0 .. set->n_tensors - 1),
                        set->meta + (0 .. set->n_meta - 1));
    assigns diag->subject, diag->index, diag->other,
            order[0 .. set->n_tensors - 1], meta_order[0 .. set->n_meta - 1];
    ensures \result == ST_W_OK ==>
              st_windex_ok(order, set->n_tensors) && st_windex_ok(meta_order, set->n_meta);
    ensures set->n_tensors == \old(set->n_tensors) && set->n_meta == \old(set->n_meta);
    ensures st_wset_ok(set);
*/
static st_werr st_wcheck_unique(const st_wset *set, uint32_t *order,
                                uint32_t *meta_order, st_wdiag *diag)
{
    st_werr ret = st_wunique(set, order, set->n_tensors, ST_WSORT_NAME, diag);
    /*@ assert set->n_tensors == \at(set->n_tensors, Pre) &&
               set->n_meta == \at(set->n_meta, Pre); */
    /*@ assert st_windex_ok(order, set->n_tensors); */
    if (ret == ST_W_OK) {
        ret = st_wunique(set, meta_order, set->n_meta, ST_WSORT_META, diag);
        /*@ assert set->n_tensors == \at(set->n_tensors, Pre) &&
                   set->n_meta == \at(set->n_meta, Pre); */
        /*@ assert st_windex_ok(order, set->n_tensors); */
    }
    return ret;
}

/* ST-WRITE-5: json_len padded to a multiple of 8. */
/*@ requires json_len <= ST_HEADER_MAX;
    assigns \nothing;
    ensures json_len <= \result < json_len + 8;
    ensures \result % 8 == 0 && \result <= ST_HEADER_MAX;
*/
static uint64_t st_wpad(uint64_t json_len)
{
    return ((json_len + 7u) / 8u) * 8u;
}

/* The header and file sizes of a plan whose layout was checked. Writing
 * them keeps the layout: the ghost loop walks the running sums, each equal
 * to its value at entry (the fields written lie apart from the data
 * lengths and the order), the induction the provers do not do alone. */
/*@ requires \valid(p) && st_wplan_ok(p) && st_wlayout_ok(p);
    requires \separated(p, p->set, p->set->tensors + (0 .. p->set->n_tensors - 1),
                        p->order + (0 .. p->set->n_tensors - 1));
    assigns p->json_len, p->header_len, p->file_len;
    ensures p->json_len == json_len && p->header_len == header_len &&
            p->file_len == file_len;
    ensures st_wlayout_ok(p);
*/
static void st_wplan_sizes(st_wplan *p, uint64_t json_len, uint64_t header_len,
                           uint64_t file_len)
{
    p->json_len = json_len;
    p->header_len = header_len;
    p->file_len = file_len;
    /*@ ghost
        uint32_t k = 0u;
        /@ loop invariant 0 <= k <= p->set->n_tensors;
           loop invariant \forall integer j; 0 <= j <= k ==>
             st_wsum(p->set->tensors, p->order, j) ==
             st_wsum{Pre}(p->set->tensors, p->order, j);
           loop assigns k;
           loop variant p->set->n_tensors - k;
        @/
        while (k < p->set->n_tensors) {
            k++;
        }
    */
}

/* A refused plan: its layout cleared, the code recorded. */
/*@ requires \valid(plan) && \valid(diag) && \separated(plan, diag);
    assigns plan->json_len, plan->header_len, plan->data_len, plan->file_len,
            diag->code;
    ensures plan->json_len == 0 && plan->header_len == 0 &&
            plan->data_len == 0 && plan->file_len == 0;
    ensures diag->code == e && \result == e;
*/
static st_werr st_wrefuse(st_wplan *plan, st_wdiag *diag, st_werr e)
{
    st_wplan_clear(plan);
    diag->code = e;
    return e;
}

/* ST-WRITE-1, -2, -5: the canonical order, then the measuring pass of the
 * emitter, the header and file sizes. The layout (ST-GUAR-1 for the
 * writer) holds by construction:
 * the sort keeps the caller-order sum of the data lengths (st_wsort), and
 * the ghost loop shows every running sum is at most the last one. A
 * refused plan is cleared. */
/*@ requires \valid(plan) && \valid(diag) && diag->code == ST_W_OK;
    requires plan->set == set && plan->order == order && st_wset_ok(set);
    requires plan->data_len == st_wid(set->tensors, set->n_tensors);
    requires st_wsort_sep(order, set->n_tensors, set);
    requires st_windex_ok(plan->meta_order, set->n_meta);
    requires \separated(plan, diag, set, order + (0 .. set->n_tensors - 1),
                        plan->meta_order + (0 .. set->n_meta - 1),
                        set->tensors + (0 .. set->n_tensors - 1),
                        set->meta + (0 .. set->n_meta - 1));
    assigns order[0 .. set->n_tensors - 1], plan->json_len, plan->header_len,
            plan->data_len, plan->file_len, diag->code;
    ensures diag->code == \result;
    ensures \result == ST_W_OK ==>
              st_wplan_ok(plan) && st_wlayout_ok(plan) && st_wheader_ok(plan);
    ensures \result == ST_W_OK ==> plan->data_len == \old(plan->data_len);
    ensures \result != ST_W_OK ==>
              plan->json_len == 0 && plan->header_len == 0 &&
              plan->data_len == 0 && plan->file_len == 0;
*/
static st_werr st_wlay_out(st_wplan *plan, const st_wset *set, uint32_t *order,
                           st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    const uint64_t data_len = plan->data_len;
    st_wbuf b;
    st_wsort(order, set->n_tensors, ST_WSORT_CANON, set);
    /*@ assert st_wset_ok(set); */
    /*@ assert st_windex_ok(order, set->n_tensors); */
    /*@ assert st_windex_ok(plan->meta_order, set->n_meta); */
    /*@ assert plan->set == set && plan->order == order; */
    /*@ assert st_wplan_ok(plan); */
    /*@ ghost
        uint32_t k = 0u;
        /@ loop invariant 0 <= k <= set->n_tensors;
           loop invariant \forall integer j; 0 <= j <= k ==>
             st_wsum(set->tensors, order, j) <= st_wsum(set->tensors, order, k);
           loop assigns k;
           loop variant set->n_tensors - k;
        @/
        while (k < set->n_tensors) {
            k++;
        }
    */
    /*@ assert st_wlayout_ok(plan); */
    /* Measure: anything over the cap stops the count early. */
    b.out = NULL;
    b.cap = (uint64_t)ST_HEADER_MAX;
    b.pos = 0u;
    b.over = false;
    b = st_wput_json(b, plan);
    if (b.over) {
        ret = st_wrefuse(plan, diag, ST_W_HEADER_TOO_LARGE);
    } else {
        /* json_len <= 1e8, a multiple of 8: padding stays under the cap */
        const uint64_t header_len = st_wpad(b.pos);
        if (data_len > (UINT64_MAX - ((uint64_t)ST_PREFIX_LEN + header_len))) {
            ret = st_wrefuse(plan, diag, ST_W_OVERFLOW);
        } else {
            st_wplan_sizes(plan, b.pos, header_len,
                           (uint64_t)ST_PREFIX_LEN + header_len + data_len);
        }
    }
    return ret;
}

/* ST-WRITE-6: every check of st_write_plan, in its order (contract in
 * st_write.h); on success *total is the size of the data section and the
 * index arrays hold indices in range. */
/*@ requires \valid_read(set) && \valid(total) && \valid(diag);
    requires set->tensors != \null ==>
               \valid_read(set->tensors + (0 .. set->n_tensors - 1)) &&
               \forall integer i; 0 <= i < set->n_tensors ==>
                 st_wtensor_given(set->tensors + i);
    requires set->meta != \null ==>
               \valid_read(set->meta + (0 .. set->n_meta - 1)) &&
               \forall integer i; 0 <= i < set->n_meta ==> st_wmeta_given(set->meta + i);
    requires order != \null ==> \valid(order + (0 .. set->n_tensors - 1));
    requires meta_order != \null ==> \valid(meta_order + (0 .. set->n_meta - 1));
    requires \separated(total, diag, set, order + (0 .. set->n_tensors - 1),
                        meta_order + (0 .. set->n_meta - 1),
                        set->tensors + (0 .. set->n_tensors - 1),
                        set->meta + (0 .. set->n_meta - 1));
    assigns *total, *diag, order[0 .. set->n_tensors - 1],
            meta_order[0 .. set->n_meta - 1];
    ensures diag->code == \result;
    ensures set->n_tensors == \old(set->n_tensors) && set->n_meta == \old(set->n_meta);
    ensures \result == ST_W_OK ==>
              st_wset_ok(set) && st_windex_ok(order, set->n_tensors) &&
              st_windex_ok(meta_order, set->n_meta);
    ensures \result == ST_W_OK ==> st_wsort_sep(order, set->n_tensors, set);
    ensures \result == ST_W_OK ==> *total == \old(st_wid(set->tensors, set->n_tensors));
*/
static st_werr st_wcheck_all(const st_wset *set, uint32_t *order, uint32_t *meta_order,
                             uint64_t *total, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    diag->code = ST_W_OK;
    diag->subject = ST_W_AT_NONE;
    diag->index = 0u;
    diag->other = 0u;
    /*@ assert set->n_tensors == \at(set->n_tensors, Pre) &&
               set->n_meta == \at(set->n_meta, Pre); */
    /* The caller-order sum is unchanged by the writes to diag: the ghost
     * loop walks it, the induction the provers do not do alone. */
    /*@ ghost
        uint32_t k = 0u;
        /@ loop invariant 0 <= k <= set->n_tensors;
           loop invariant st_wid(set->tensors, k) == st_wid{Pre}(set->tensors, k);
           loop assigns k;
           loop variant set->n_tensors - k;
        @/
        while (k < set->n_tensors) {
            k++;
        }
    */
    ret = st_wcheck_entries(set, order, meta_order, total, diag);
    /*@ assert set->n_tensors == \at(set->n_tensors, Pre) &&
               set->n_meta == \at(set->n_meta, Pre); */
    if (ret == ST_W_OK) {
        ret = st_wcheck_unique(set, order, meta_order, diag);
        /*@ assert set->n_tensors == \at(set->n_tensors, Pre) &&
                   set->n_meta == \at(set->n_meta, Pre); */
        /*@ assert ret == ST_W_OK ==> st_wset_ok(set); */
    }
    diag->code = ret;
    /*@ assert set->n_tensors == \at(set->n_tensors, Pre) &&
               set->n_meta == \at(set->n_meta, Pre); */
    return ret;
}

/* The plan's references to its inputs, and an empty layout. */
/*@ requires \valid_read(set) && \valid(plan);
    requires \separated(plan, set, set->tensors + (0 .. set->n_tensors - 1),
                        set->meta + (0 .. set->n_meta - 1));
    assigns plan->set, plan->order, plan->meta_order, plan->has_metadata,
            plan->json_len, plan->header_len, plan->data_len, plan->file_len;
    ensures set->tensors == \old(set->tensors) && set->meta == \old(set->meta);
    ensures set->n_tensors == \old(set->n_tensors) && set->n_meta == \old(set->n_meta);
    ensures \old(st_wset_ok(set)) ==> st_wset_ok(set);
    ensures \forall integer j; 0 <= j < set->n_tensors ==>
              set->tensors[j].data_len == \old(set->tensors[j].data_len);
    ensures plan->set == set && plan->order == order && plan->meta_order == meta_order;
    ensures plan->has_metadata <==> (set->has_metadata || set->n_meta > 0);
    ensures plan->json_len == 0 && plan->header_len == 0 &&
            plan->data_len == 0 && plan->file_len == 0;
*/
static void st_wplan_init(st_wplan *plan, const st_wset *set, const uint32_t *order,
                          const uint32_t *meta_order)
{
    plan->set = set;
    plan->order = order;
    plan->meta_order = meta_order;
    plan->has_metadata = set->has_metadata || (set->n_meta > 0u);
    st_wplan_clear(plan);
}

/* ST-WRITE-1, -2, -5, -6 (contract in st_write.h): checks, then sorts,
 * then the measuring pass of the emitter. */
st_werr st_write_plan(const st_wset *set, uint32_t *order, uint32_t *meta_order,
                      st_wplan *plan, st_wdiag *diag)
{
    st_werr ret = ST_W_OK;
    uint64_t data_len = 0u;
    ret = st_wcheck_all(set, order, meta_order, &data_len, diag);
    st_wplan_init(plan, set, order, meta_order);
    if (ret == ST_W_OK) {
        plan->data_len = data_len;
        /* The caller-order sum is unchanged by the writes since entry (the
         * index arrays, diag, plan): each length is, and the ghost loop
         * walks the sums. */
        /*@ assert \forall integer j; 0 <= j < set->n_tensors ==>
                     set->tensors[j].data_len == \at(set->tensors[j].data_len, Pre); */
        /*@ ghost
            uint32_t k = 0u;
            /@ loop invariant 0 <= k <= set->n_tensors;
               loop invariant st_wid(set->tensors, k) == st_wid{Pre}(set->tensors, k);
               loop assigns k;
               loop variant set->n_tensors - k;
            @/
            while (k < set->n_tensors) {
                k++;
            }
        */
        ret = st_wlay_out(plan, set, order, diag);
    }
    return ret;
}

/* ST-WRITE-3, -4, -5 (contract in st_write.h): the prefix, the writing pass
 * of the emitter, the padding. */
st_werr st_write_header(const st_wplan *plan, uint8_t *out, uint64_t cap,
                        uint64_t *written)
{
    st_werr ret = ST_W_OK;
    uint64_t total = 0u;
    uint64_t w = 0u;
    st_wbuf b;
    uint32_t k = 0u;
    /* A plan st_write_plan cannot have made, or whose data lengths changed
       since (the layout re-checked), is an argument error. */
    if ((plan->header_len > (uint64_t)ST_HEADER_MAX) ||
        (plan->json_len > plan->header_len) || ((plan->header_len % 8u) != 0u) ||
        !st_wlayout_check(plan)) {
        ret = ST_W_ARGUMENT;
    } else if (cap < ((uint64_t)ST_PREFIX_LEN + plan->header_len)) {
        ret = ST_W_STORAGE;
    } else {
        total = (uint64_t)ST_PREFIX_LEN + plan->header_len;
        b.out = out;
        b.cap = total;
        b.pos = 0u;
        b.over = false;
        /* ST-LAYOUT-1: N as 8 little-endian bytes. */
        /*@ loop invariant 0 <= k <= ST_PREFIX_LEN;
            loop invariant st_wbuf_ok(b) && b.out == out && b.cap == total;
            loop invariant b.pos == k && !b.over;
            loop assigns k, b, out[0 .. total - 1];
            loop variant ST_PREFIX_LEN - k;
        */
        while (k < ST_PREFIX_LEN) {
            b = st_wput(b, (uint8_t)((plan->header_len >> (8u * k)) & 0xFFu));
            k++;
        }
        b = st_wput_json(b, plan);
        if (b.over || (b.pos != ((uint64_t)ST_PREFIX_LEN + plan->json_len))) {
            ret = ST_W_ARGUMENT;   /* the set changed since st_write_plan */
        } else {
            /* ST-WRITE-5: spaces up to N. */
            /*@ loop invariant st_wbuf_ok(b) && b.out == out && b.cap == total;
                loop invariant !b.over;
                loop assigns b, out[0 .. total - 1];
                loop variant total - b.pos;
            */
            while (b.pos < total) {
                b = st_wput(b, 0x20u);
            }
            w = b.pos;
        }
    }
    *written = w;
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
    /*@ loop invariant 0 <= k <= i;
        loop invariant running == st_wsum(set->tensors, plan->order, k);
        loop assigns k, running;
        loop variant i - k;
    */
    while (k < i) {
        /*@ assert st_wsum(set->tensors, plan->order, k + 1) <= plan->data_len; */
        running = running + set->tensors[plan->order[k]].data_len;
        k++;
    }
    /*@ assert st_wsum(set->tensors, plan->order, i + 1) <= plan->data_len; */
    /*@ assert st_wsum(set->tensors, plan->order, i + 1) ==
               running + set->tensors[idx].data_len; */
    *begin = running;
    *end = running + set->tensors[idx].data_len;
    return idx;
}

/*
 * The error table: three parallel arrays indexed by code, flat rows of
 * fixed width so that every returned string lies inside its row (each row
 * keeps room for the terminating NUL).
 */
#define ST_WERR_COUNT 12u
#define ST_WERR_NAME_W 24u
#define ST_WERR_RULE_W 12u
#define ST_WERR_MESSAGE_W 64u

static const char st_werr_names[ST_WERR_COUNT][ST_WERR_NAME_W] = {
    "ST_W_OK",
    "ST_W_DUP_NAME",
    "ST_W_RESERVED_NAME",
    "ST_W_DTYPE",
    "ST_W_OVERFLOW",
    "ST_W_MISALIGNED",
    "ST_W_SIZE_MISMATCH",
    "ST_W_UTF8",
    "ST_W_DUP_META_KEY",
    "ST_W_HEADER_TOO_LARGE",
    "ST_W_STORAGE",
    "ST_W_ARGUMENT",
};

static const char st_werr_rules[ST_WERR_COUNT][ST_WERR_RULE_W] = {
    "",
    "ST-WRITE-6",
    "ST-WRITE-6",
    "ST-DTYPE-1",
    "ST-WRITE-6",
    "ST-WRITE-6",
    "ST-WRITE-6",
    "ST-UTF8-1",
    "ST-WRITE-6",
    "ST-WRITE-5",
    "ST-WRITE-5",
    "",
};

static const char st_werr_messages[ST_WERR_COUNT][ST_WERR_MESSAGE_W] = {
    "ok",
    "two tensors have the same name",
    "a tensor may not be named __metadata__",
    "unknown dtype",
    "tensor size or total size does not fit in 64 bits",
    "tensor size is not a whole number of bytes",
    "data length does not match shape and dtype",
    "name, key or value is not valid UTF-8",
    "two metadata entries have the same key",
    "header would exceed 100000000 bytes",
    "output buffer too small for the header",
    "invalid argument",
};

/* The row of a code; codes out of range read as ST_W_ARGUMENT. */
/*@ assigns \nothing;
    ensures \result < ST_WERR_COUNT;
*/
static uint32_t st_werror_find(st_werr e)
{
    uint32_t row = (uint32_t)ST_W_ARGUMENT;
    if ((uint32_t)e < ST_WERR_COUNT) {
        row = (uint32_t)e;
    }
    return row;
}

const char *st_write_error_name(st_werr e)
{
    return st_werr_names[st_werror_find(e)];
}

const char *st_write_error_rule(st_werr e)
{
    return st_werr_rules[st_werror_find(e)];
}

const char *st_write_error_message(st_werr e)
{
    return st_werr_messages[st_werror_find(e)];
}
