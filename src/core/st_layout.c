/*
 * st_layout.c -- ordering and the layout rules: duplicate resolution
 * (ST-SCHEMA-7, ST-META-3, ST-STRICT-3, ST-STRICT-4) and validation
 * (ST-VALID-1 .. ST-VALID-7). Sorting is an in-place heapsort over index
 * arrays: O(n log n), no recursion, no allocation.
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
    uint32_t i = n / 2u;
    uint32_t end = n;
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
