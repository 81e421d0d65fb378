/*
 * st_layout.c -- ordering and the layout rules: duplicate resolution
 * (ST-SCHEMA-7, ST-META-3, ST-STRICT-3, ST-STRICT-4) and validation
 * (ST-VALID-1 .. ST-VALID-7). Sorting works on index arrays, O(n log n) in
 * the worst case, without recursion or allocation: a bottom-up merge sort
 * for the name order (the offset-order array is its scratch space, free at
 * that point) and an in-place heapsort for the offset order and metadata.
 */
#include "st_internal.h"

/* Lexicographic byte comparison; a proper prefix sorts first. */
int st_bytes_cmp(const uint8_t *a, uint32_t an, const uint8_t *b, uint32_t bn)
{
    uint32_t n = (an < bn) ? an : bn;
    uint32_t k = 0u;
    int ret = 0;
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

/* Strict "x sorts before y" for the given kind; x, y are entry indices. */
static bool st_less(st_sort_kind kind, const st_tensor *t, const st_meta *m,
                    uint32_t x, uint32_t y)
{
    bool less = false;
    int c = 0;
    if (kind == ST_SORT_TENSOR_NAME) {
        c = st_bytes_cmp(t[x].name, t[x].name_len, t[y].name, t[y].name_len);
        less = (c < 0) || ((c == 0) && (x < y));
    } else if (kind == ST_SORT_TENSOR_OFFSET) {
        if (t[x].begin != t[y].begin) {
            less = t[x].begin < t[y].begin;
        } else if (t[x].end != t[y].end) {
            less = t[x].end < t[y].end;
        } else {
            c = st_bytes_cmp(t[x].name, t[x].name_len, t[y].name, t[y].name_len);
            less = (c < 0) || ((c == 0) && (x < y));
        }
    } else {
        c = st_bytes_cmp(m[x].key, m[x].key_len, m[y].key, m[y].key_len);
        less = (c < 0) || ((c == 0) && (x < y));
    }
    return less;
}

/* Restore the max-heap property below `root` within idx[0..n). */
static void st_sift_down(uint32_t *idx, uint32_t root, uint32_t n,
                         st_sort_kind kind, const st_tensor *t, const st_meta *m)
{
    uint32_t r = root;
    bool done = false;
    while (!done && (r < (n / 2u))) {
        uint32_t child = (2u * r) + 1u;
        if (((child + 1u) < n) && st_less(kind, t, m, idx[child], idx[child + 1u])) {
            child++;
        }
        if (st_less(kind, t, m, idx[r], idx[child])) {
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
                 const st_tensor *t, const st_meta *m)
{
    uint32_t i = 0u;
    uint32_t end = n;
    bool sorted = true;
    /* Headers are usually written in order already: one linear pass
       detects that and skips the O(n log n) work. */
    while (sorted && ((i + 1u) < n)) {
        sorted = st_less(kind, t, m, idx[i], idx[i + 1u]);
        i++;
    }
    i = sorted ? 0u : (n / 2u);
    end = sorted ? 0u : n;
    while (i > 0u) {
        i--;
        st_sift_down(idx, i, n, kind, t, m);
    }
    while (end > 1u) {
        uint32_t tmp;
        end--;
        tmp = idx[0];
        idx[0] = idx[end];
        idx[end] = tmp;
        st_sift_down(idx, 0u, end, kind, t, m);
    }
}

/* Merge the ordered runs src[lo..mid) and src[mid..hi) into dst[lo..hi). */
static void st_merge(const uint32_t *src, uint32_t *dst, uint32_t lo, uint32_t mid,
                     uint32_t hi, st_sort_kind kind, const st_tensor *t)
{
    uint32_t a = lo;
    uint32_t b = mid;
    uint32_t o = lo;
    while (o < hi) {
        if ((a < mid) && ((b >= hi) || !st_less(kind, t, NULL, src[b], src[a]))) {
            dst[o] = src[a];
            a++;
        } else {
            dst[o] = src[b];
            b++;
        }
        o++;
    }
}

/*
 * Sort idx[0..n) ascending by st_less, using tmp[0..n) as scratch.
 * Bottom-up: runs of width 1, 2, 4, ... are merged pairwise, alternating
 * between the two arrays; a pair already in order is copied, so input that
 * is sorted or nearly so costs little more than one pass per level.
 */
void st_mergesort(uint32_t *idx, uint32_t *tmp, uint32_t n, st_sort_kind kind,
                  const st_tensor *t)
{
    uint64_t width = 1u;
    uint32_t *src = idx;
    uint32_t *dst = tmp;
    uint32_t i;
    while (width < (uint64_t)n) {
        uint32_t lo = 0u;
        uint32_t *swap;
        while (lo < n) {
            uint32_t mid = ((uint64_t)(n - lo) > width) ? (lo + (uint32_t)width) : n;
            uint32_t hi = ((uint64_t)(n - mid) > width) ? (mid + (uint32_t)width) : n;
            if ((mid < hi) && st_less(kind, t, NULL, src[mid], src[mid - 1u])) {
                st_merge(src, dst, lo, mid, hi, kind, t);
            } else {
                for (i = lo; i < hi; i++) {
                    dst[i] = src[i];
                }
            }
            lo = hi;
        }
        swap = src;
        src = dst;
        dst = swap;
        width = width * 2u;
    }
    if (src != idx) {
        for (i = 0u; i < n; i++) {
            idx[i] = src[i];
        }
    }
}
