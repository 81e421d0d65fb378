/*
 * st_layout.c -- ordering and the layout rules: duplicate resolution
 * (ST-SCHEMA-7, ST-META-3, ST-STRICT-3, ST-STRICT-4) and validation
 * (ST-VALID-1 .. ST-VALID-7). Sorting works on index arrays, O(n log n) in
 * the worst case, without recursion or allocation: a bottom-up merge sort
 * for the name order (the offset-order array is its scratch space, free at
 * that point) and an in-place heapsort for the offset order and metadata.
 *
 * The sorts' contracts state what the layout theorem (ST-GUAR-1) needs of
 * them: every index they leave is one of the indices they were given a
 * bound for. The order itself is checked afterwards, tensor by tensor, by
 * st_validate_layout, so the theorem does not rest on the sort's order.
 */
#include "st_internal.h"

/* a * b fits in 64 bits: the test before the planner's checked products.
   The validator (ST-VALID-2, -3) and the element count use st_mul_u64
   below, which returns the product with the test. */
bool st_fits_mul(uint64_t a, uint64_t b)
{
    return (a == 0u) || (b <= (UINT64_MAX / a));
}

/* a * b and whether it fits in 64 bits, computed on 32-bit halves: every
   intermediate value is below 2^64 by the range of its operands alone, so
   no check before it has to be remembered to see that nothing wraps (the
   validator's products, ST-VALID-2 and -3, and the element count). With
   a = ah * 2^32 + al and b = bh * 2^32 + bl: when both high halves are
   non-zero the product is at least 2^64; when one is zero the product is
   cross * 2^32 + al * bl, cross being the one non-zero cross term. */
#define ST_TWO32 4294967296u
st_prod st_mul_u64(uint64_t a, uint64_t b)
{
    st_prod r;
    const uint64_t ah = a / ST_TWO32;
    const uint64_t al = a % ST_TWO32;
    const uint64_t bh = b / ST_TWO32;
    const uint64_t bl = b % ST_TWO32;
    r.value = 0u;
    r.fits = false;
    /*@ assert a == ah * 4294967296 + al && b == bh * 4294967296 + bl; */
    /*@ assert al <= 4294967295 && bl <= 4294967295; */
    /*@ assert al * bl <= 4294967295 * bl; */
    /*@ assert al * bl <= 4294967295 * 4294967295; */
    if ((ah == 0u) && (bh == 0u)) {
        r.value = al * bl;
        r.fits = true;
    } else if ((ah != 0u) && (bh != 0u)) {
        /*@ assert a >= 4294967296 && b >= 4294967296; */
        /*@ assert a * b >= 4294967296 * 4294967296; */
        r.fits = false;
    } else {
        uint64_t cross = 0u;
        if (ah == 0u) {
            /*@ assert al * bh <= 4294967295 * 4294967295; */
            cross = al * bh;
            /*@ assert a * b == cross * 4294967296 + al * bl; */
        } else {
            /*@ assert ah * bl <= 4294967295 * 4294967295; */
            cross = ah * bl;
            /*@ assert a * b == cross * 4294967296 + al * bl; */
        }
        if (cross < ST_TWO32) {
            const uint64_t hi = cross * ST_TWO32;
            const uint64_t lo = al * bl;
            if (lo <= (UINT64_MAX - hi)) {
                r.value = hi + lo;
                r.fits = true;
            }
        } else {
            /*@ assert cross * 4294967296 >= 4294967296 * 4294967296; */
        }
    }
    return r;
}

/* Lexicographic byte comparison; a proper prefix sorts first. */
int st_bytes_cmp(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn)
{
    uint32_t n = (an < bn) ? an : bn;
    uint32_t k = 0u;
    int ret = 0;
    /*@ loop invariant 0 <= k <= n;
        loop invariant \forall integer j; 0 <= j < k ==> a[j] == b[j];
        loop assigns k;
        loop variant n - k;
    */
    while ((k < n) && (a[k] == b[k])) {
        k++;
    }
    if (k < n) {
        ret = (a[k] < b[k]) ? -1 : 1;
    } else if (an != bn) {
        ret = (an < bn) ? -1 : 1;
    } else {
        ret = 0;
    }
    return ret;
}

/*
 * Byte i of the stored string x, or -1 when its position lies outside x's
 * base. The test is per byte and per base, so every read is checked
 * against the length of the buffer it is made in (what Eva needs to find
 * the read in bounds, with no relation between an entry and a buffer).
 */
/*@ requires st_strs_ok(names);
    assigns \nothing;
    ensures -1 <= \result <= 255;
*/
static int st_str_byte(st_strs names, st_str x, uint32_t i)
{
    const uint64_t q = (uint64_t)x.start + (uint64_t)i;
    int b = -1;
    if (x.base == ST_STR_ARENA) {
        if (q < names.arena_len) {
            b = (int)names.arena[q];
        }
    } else if (x.base == ST_STR_KEY) {
        if (q < names.key_len) {
            b = (int)names.key[q];
        }
    } else {
        if (q < names.hdr_len) {
            b = (int)names.hdr[q];
        }
    }
    return b;
}

int st_str_cmp(st_strs names, st_str a, st_str b)
{
    const uint32_t n = (a.len < b.len) ? a.len : b.len;
    uint32_t k = 0u;
    int ret = 0;
    /*@ loop invariant 0 <= k <= n;
        loop invariant -1 <= ret <= 1;
        loop assigns k, ret;
        loop variant n - k;
    */
    while ((k < n) && (ret == 0)) {
        const int ca = st_str_byte(names, a, k);
        const int cb = st_str_byte(names, b, k);
        if (ca != cb) {
            ret = (ca < cb) ? -1 : 1;
        }
        k++;
    }
    if ((ret == 0) && (a.len != b.len)) {
        ret = (a.len < b.len) ? -1 : 1;
    }
    return ret;
}

/* A stored string: len bytes at start, in the arena or in the header. */
/*@ assigns \nothing;
*/
static st_str st_stored(uint32_t start, uint32_t len, bool in_arena)
{
    st_str x;
    x.start = start;
    x.len = len;
    x.base = ST_STR_HDR;
    if (in_arena) {
        x.base = ST_STR_ARENA;
    }
    return x;
}

/* Names of tensor entries x and y compared (st_str_cmp). */
int st_names_cmp(st_strs names, const st_tensor *t, uint32_t x, uint32_t y)
{
    return st_str_cmp(names, st_stored(t[x].name_start, t[x].name_len, t[x].name_in_arena),
                      st_stored(t[y].name_start, t[y].name_len, t[y].name_in_arena));
}

/* Keys of metadata pairs x and y compared (st_str_cmp). */
int st_keys_cmp(st_strs names, const st_meta *m, uint32_t x, uint32_t y)
{
    return st_str_cmp(names, st_stored(m[x].key_start, m[x].key_len, m[x].key_in_arena),
                      st_stored(m[y].key_start, m[y].key_len, m[y].key_in_arena));
}

/* Tensor entry t's name compared with the caller's name, names.key[0 .. key_len). */
int st_name_cmp_key(st_strs names, const st_tensor *t)
{
    st_str q;
    q.start = 0u;
    q.len = (uint32_t)names.key_len;
    q.base = ST_STR_KEY;
    return st_str_cmp(names, st_stored(t->name_start, t->name_len, t->name_in_arena), q);
}

/* Strict "x sorts before y" for the given kind; x, y are entry indices. */
/*@ requires st_strs_ok(names);
    requires kind == ST_SORT_TENSOR_NAME || kind == ST_SORT_TENSOR_OFFSET ||
             kind == ST_SORT_META_KEY;
    requires st_sort_entry_ok(kind, t, m, x) && st_sort_entry_ok(kind, t, m, y);
    assigns \nothing;
*/
static bool st_less(st_sort_kind kind, const st_tensor *t, const st_meta *m,
                    uint32_t x, uint32_t y, st_strs names)
{
    bool less = false;
    int c = 0;
    if (kind == ST_SORT_TENSOR_NAME) {
        c = st_names_cmp(names, t, x, y);
        less = (c < 0) || ((c == 0) && (x < y));
    } else if (kind == ST_SORT_TENSOR_OFFSET) {
        if (t[x].begin != t[y].begin) {
            less = t[x].begin < t[y].begin;
        } else if (t[x].end != t[y].end) {
            less = t[x].end < t[y].end;
        } else {
            c = st_names_cmp(names, t, x, y);
            less = (c < 0) || ((c == 0) && (x < y));
        }
    } else {
        c = st_keys_cmp(names, m, x, y);
        less = (c < 0) || ((c == 0) && (x < y));
    }
    return less;
}

/* Restore the max-heap property below `root` within idx[0..n). */
/*@ requires st_strs_ok(names);
    requires st_sort_ok(kind, t, m, bound);
    requires \valid(idx + (0 .. n - 1)) && st_idx_below(idx, n, bound);
    requires st_sort_apart(idx, n, kind, t, m, bound);
    requires root <= n;
    assigns idx[0 .. n - 1];
    ensures st_idx_below(idx, n, bound);
*/
static void st_sift_down(uint32_t *idx, uint32_t root, uint32_t n,
                         st_sort_kind kind, const st_tensor *t, const st_meta *m,
                         st_strs names)
    /*@ ghost (uint32_t bound) */
{
    uint32_t r = root;
    bool done = false;
    /*@ loop invariant st_idx_below(idx, n, bound);
        loop invariant r <= n;
        loop assigns r, done, idx[0 .. n - 1];
        loop variant (n - r) + (done ? 0 : 1);
    */
    while (!done && (r < (n / 2u))) {
        uint32_t child = (2u * r) + 1u;
        if (((child + 1u) < n) && st_less(kind, t, m, idx[child], idx[child + 1u], names)) {
            child++;
        }
        if (st_less(kind, t, m, idx[r], idx[child], names)) {
            uint32_t tmp = idx[r];
            idx[r] = idx[child];
            idx[child] = tmp;
            r = child;
        } else {
            done = true;
        }
    }
}

/* Sort idx[0..n) ascending by st_less (a total order: ties broken by index). */
void st_heapsort(uint32_t *idx, uint32_t n, st_sort_kind kind,
                 const st_tensor *t, const st_meta *m, st_strs names) /*@ ghost (uint32_t bound) */
{
    uint32_t i = 0u;
    uint32_t end = n;
    bool sorted = true;
    /* Headers are usually written in order already: one linear pass
       detects that and skips the O(n log n) work. */
    /*@ loop invariant i < n || (i == 0 && n == 0);
        loop assigns i, sorted;
        loop variant n - i;
    */
    while (sorted && ((i + 1u) < n)) {
        sorted = st_less(kind, t, m, idx[i], idx[i + 1u], names);
        i++;
    }
    i = sorted ? 0u : (n / 2u);
    end = sorted ? 0u : n;
    /*@ loop invariant i <= n && st_idx_below(idx, n, bound);
        loop assigns i, idx[0 .. n - 1];
        loop variant i;
    */
    while (i > 0u) {
        i--;
        st_sift_down(idx, i, n, kind, t, m, names) /*@ ghost (bound) */;
    }
    /*@ loop invariant end <= n && st_idx_below(idx, n, bound);
        loop assigns end, idx[0 .. n - 1];
        loop variant end;
    */
    while (end > 1u) {
        uint32_t tmp;
        end--;
        tmp = idx[0];
        idx[0] = idx[end];
        idx[end] = tmp;
        st_sift_down(idx, 0u, end, kind, t, m, names) /*@ ghost (bound) */;
    }
}

/* Merge the ordered runs src[lo..mid) and src[mid..hi) into dst[lo..hi). */
/*@ requires st_strs_ok(names);
    requires kind != ST_SORT_META_KEY && st_sort_ok(kind, t, \null, bound);
    requires lo <= mid <= hi <= n;
    requires \valid_read(src + (0 .. n - 1)) && \valid(dst + (0 .. n - 1));
    requires \separated(src + (0 .. n - 1), dst + (0 .. n - 1));
    requires st_sort_apart(dst, n, kind, t, \null, bound);
    requires st_idx_below(src, n, bound);
    assigns dst[lo .. hi - 1];
    ensures \forall integer k; lo <= k < hi ==> dst[k] < bound;
*/
static void st_merge(const uint32_t *src, uint32_t *dst, uint32_t lo, uint32_t mid,
                     uint32_t hi, st_sort_kind kind, const st_tensor *t, st_strs names)
    /*@ ghost (uint32_t n, uint32_t bound) */
{
    uint32_t a = lo;
    uint32_t b = mid;
    uint32_t o = lo;
    /*@ loop invariant lo <= a <= mid <= b <= hi;
        loop invariant o == a + (b - mid);
        loop invariant \forall integer k; lo <= k < o ==> dst[k] < bound;
        loop invariant st_idx_below(src, n, bound);
        loop assigns a, b, o, dst[lo .. hi - 1];
        loop variant hi - o;
    */
    while (o < hi) {
        if ((a < mid) && ((b >= hi) || !st_less(kind, t, NULL, src[b], src[a], names))) {
            /*@ assert src[a] < bound; */
            dst[o] = src[a];
            a++;
        } else {
            /*@ assert src[b] < bound; */
            dst[o] = src[b];
            b++;
        }
        o++;
    }
}

/*
 * One level of the merge sort: the runs of `width` in src[0..n) are merged
 * pairwise into dst[0..n); a pair already in order is copied.
 */
/*@ requires st_strs_ok(names);
    requires kind != ST_SORT_META_KEY && st_sort_ok(kind, t, \null, bound);
    requires 1 <= width < n;
    requires \valid_read(src + (0 .. n - 1)) && \valid(dst + (0 .. n - 1));
    requires \separated(src + (0 .. n - 1), dst + (0 .. n - 1));
    requires st_sort_apart(dst, n, kind, t, \null, bound);
    requires st_idx_below(src, n, bound);
    assigns dst[0 .. n - 1];
    ensures st_idx_below(dst, n, bound);
*/
static void st_merge_pass(const uint32_t *src, uint32_t *dst, uint32_t n, uint64_t width,
                          st_sort_kind kind, const st_tensor *t, st_strs names)
    /*@ ghost (uint32_t bound) */
{
    uint32_t lo = 0u;
    uint32_t i;
    /*@ loop invariant lo <= n;
        loop invariant st_idx_below(dst, lo, bound);
        loop invariant st_idx_below(src, n, bound);
        loop assigns lo, i, dst[0 .. n - 1];
        loop variant n - lo;
    */
    while (lo < n) {
        uint32_t mid = (((uint64_t)n - (uint64_t)lo) > width) ? (lo + (uint32_t)width) : n;
        uint32_t hi = (((uint64_t)n - (uint64_t)mid) > width) ? (mid + (uint32_t)width) : n;
        if ((mid < hi) && st_less(kind, t, NULL, src[mid], src[mid - 1u], names)) {
            st_merge(src, dst, lo, mid, hi, kind, t, names) /*@ ghost (n, bound) */;
        } else {
            /*@ loop invariant lo <= i <= hi;
                loop invariant st_idx_below(dst, i, bound);
                loop invariant st_idx_below(src, n, bound);
                loop assigns i, dst[lo .. hi - 1];
                loop variant hi - i;
            */
            for (i = lo; i < hi; i++) {
                dst[i] = src[i];
            }
        }
        lo = hi;
    }
}

/*
 * Sort idx[0..n) ascending by st_less, using tmp[0..n) as scratch.
 * Bottom-up: runs of width 1, 2, 4, ... are merged pairwise, alternating
 * between the two arrays; a pair already in order is copied, so input that
 * is sorted or nearly so costs little more than one pass per level.
 */
void st_mergesort(uint32_t *idx, uint32_t *tmp, uint32_t n, st_sort_kind kind,
                  const st_tensor *t, st_strs names) /*@ ghost (uint32_t bound) */
{
    uint64_t width = 1u;
    uint32_t *src = idx;
    uint32_t *dst = tmp;
    uint32_t i;
    /*@ loop invariant (src == idx && dst == tmp) || (src == tmp && dst == idx);
        loop invariant 1 <= width <= 2 * ST_U32_MAX_L;
        loop invariant st_idx_below(src, n, bound);
        loop assigns width, src, dst, idx[0 .. n - 1], tmp[0 .. n - 1];
        loop variant n - width;
    */
    while (width < (uint64_t)n) {
        uint32_t *swap;
        st_merge_pass(src, dst, n, width, kind, t, names) /*@ ghost (bound) */;
        swap = src;
        src = dst;
        dst = swap;
        width = width * 2u;
    }
    if (src != idx) {
        /*@ loop invariant 0 <= i <= n;
            loop invariant st_idx_below(idx, i, bound) && st_idx_below(tmp, n, bound);
            loop assigns i, idx[0 .. n - 1];
            loop variant n - i;
        */
        for (i = 0u; i < n; i++) {
            idx[i] = src[i];
        }
    }
}
