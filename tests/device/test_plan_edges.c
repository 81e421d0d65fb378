/*
 * test_plan_edges.c -- the copy planner (ST-PLAN-1, ST-PLAN-2) at the edges
 * that valid files do not reach: tensors and items that did not come from a
 * validated file (a forged st_tensor, an item written by hand) must be
 * refused with ST_E_ARGUMENT wherever a product or a sum would overflow or a
 * range would leave the tensor; and the one sub-byte case a valid file does
 * reach, a column range of rows that are not whole bytes.
 */
#define _POSIX_C_SOURCE 200809L

#include "dt.h"
#include "st_plan.h"

#include <stdlib.h>
#include <string.h>

TestSuite(plan_edges, .fini = dt_fini);

#define P2(k) ((uint64_t)1 << (k))

/* A file view with one forged tensor: dims in the storage, header length. */
typedef struct forged {
    uint64_t dims[4];
    st_storage st;
    st_file file;
    st_tensor t;
} forged;

static void forge(forged *g, st_dtype dtype, uint32_t rank, const uint64_t *dims,
                  uint64_t header_len, uint64_t begin, uint64_t end)
{
    uint32_t d;
    memset(g, 0, sizeof *g);
    for (d = 0u; d < rank; d++) {
        g->dims[d] = dims[d];
    }
    g->st.dims = g->dims;
    g->st.dim_cap = rank;
    g->file.st = &g->st;
    g->file.header_len = header_len;
    g->t.dtype = (uint8_t)dtype;
    g->t.rank = rank;
    g->t.dims_at = 0u;
    g->t.begin = begin;
    g->t.end = end;
}

/* ST-PLAN-1: a consistent forged tensor is planned like a real one */
Test(plan_edges, forged_consistent_tensor_accepted)
{
    static const uint64_t dims[] = {2u, 4u};
    forged g;
    st_plan_item it;
    forge(&g, ST_U16, 2u, dims, 24u, 8u, 24u);
    cr_assert(st_plan_item_init(&g.file, &g.t, ST_SHARD_NONE, 0u, 0u, &it) == ST_OK);
    cr_assert(it.src_begin == 8u + 24u + 8u && it.src_bytes == 16u);
    cr_assert(it.rows == 2u && it.cols == 4u && it.bits == 16u);
    cr_assert(it.start == 0u && it.stop == 2u);
}

/* ST-PLAN-1: a tensor whose recorded sizes do not add up is refused */
Test(plan_edges, forged_tensor_refused)
{
    typedef struct bad {
        const char *what;
        st_dtype dtype;
        uint32_t rank;
        uint64_t dims[4];
        uint64_t header_len;
        uint64_t begin;
        uint64_t end;
    } bad;
    static const bad cases[] = {
        {"rows product overflows", ST_U8, 4u, {P2(40), P2(40), 2u, 1u}, 16u, 0u, 0u},
        {"unknown dtype (0 bits)", (st_dtype)200, 1u, {4u}, 16u, 0u, 4u},
        {"rows x cols overflows", ST_U8, 2u, {P2(40), P2(40)}, 16u, 0u, 0u},
        {"elements x bits overflows", ST_F64, 1u, {P2(62)}, 16u, 0u, 0u},
        {"bit count not whole bytes", ST_F4, 1u, {1u}, 16u, 0u, 0u},
        {"byte range differs from the shape", ST_U8, 1u, {4u}, 16u, 0u, 3u},
        {"begin after end", ST_U8, 1u, {P2(61) - 1u}, 16u, UINT64_MAX, P2(61) - 2u},
        {"prefix + header + begin overflows", ST_U8, 1u, {1u}, UINT64_MAX - 8u, 1u, 2u},
        {"first byte + size overflows", ST_U8, 1u, {100u}, UINT64_MAX - 19u, 0u, 100u},
    };
    size_t i;
    for (i = 0u; i < sizeof cases / sizeof cases[0]; i++) {
        const bad *b = &cases[i];
        forged g;
        st_plan_item it;
        st_shard_kind k;
        forge(&g, b->dtype, b->rank, b->dims, b->header_len, b->begin, b->end);
        for (k = ST_SHARD_NONE; k <= ST_SHARD_COLS; k = (st_shard_kind)((int)k + 1)) {
            memset(&it, 0xA5, sizeof it);
            cr_assert(st_plan_item_init(&g.file, &g.t, k, 0u, 0u, &it) == ST_E_ARGUMENT,
                      "%s (selection kind %d) accepted", b->what, (int)k);
        }
    }
}

/* ST-PLAN-1: a column range of a sub-byte tensor with more than one row
   needs rows that are whole bytes (F4 [2, 3]: a row is 12 bits) */
Test(plan_edges, sub_byte_columns_need_whole_byte_rows)
{
    static const char hdr[] = "{\"a\":{\"dtype\":\"F4\",\"shape\":[2,3],\"data_offsets\":[0,3]},"
                              "\"b\":{\"dtype\":\"F4\",\"shape\":[1,4],\"data_offsets\":[3,5]}}";
    const size_t hlen = sizeof hdr - 1u;
    uint8_t *buf = calloc(8u + hlen + 5u, 1u);
    uint64_t dims[4];
    st_tensor tensors[2];
    uint32_t order[2];
    uint32_t by_name[2];
    st_storage st;
    st_file f;
    st_diag diag;
    st_plan_item it;
    const st_tensor *a;
    const st_tensor *b;
    uint32_t k;
    cr_assert_not_null(buf);
    for (k = 0u; k < 8u; k++) {
        buf[k] = (uint8_t)((uint64_t)hlen >> (8u * k));
    }
    memcpy(&buf[8], hdr, hlen);
    memset(&st, 0, sizeof st);
    st.tensors = tensors;
    st.order = order;
    st.by_name = by_name;
    st.tensor_cap = 2u;
    st.dims = dims;
    st.dim_cap = 4u;
    cr_assert(st_parse(buf, 8u + hlen + 5u, ST_MODE_STRICT, &st, &f, &diag) == ST_OK, "%s",
              st_error_name(diag.code));
    a = st_find(&f, (const uint8_t *)"a", 1u);
    b = st_find(&f, (const uint8_t *)"b", 1u);
    cr_assert(a != NULL && b != NULL);
    /* columns [0, 2) of "a" start and end on byte boundaries, but the
       second row begins in the middle of a byte */
    cr_assert(st_plan_item_init(&f, a, ST_SHARD_COLS, 0u, 2u, &it) == ST_E_ARGUMENT);
    /* rows of "a" are fine; so are columns of the one-row "b" */
    cr_assert(st_plan_item_init(&f, a, ST_SHARD_ROWS, 0u, 2u, &it) == ST_OK);
    cr_assert(it.src_bytes == 3u);
    cr_assert(st_plan_item_init(&f, b, ST_SHARD_COLS, 2u, 4u, &it) == ST_OK);
    cr_assert(st_plan_layout(&it, 1u, 1u, &(uint64_t){0u}) == ST_OK);
    cr_assert(it.width == 1u && it.height == 1u && it.src == 8u + hlen + 3u + 1u);
    free(buf);
}

/* An item written by hand (not by st_plan_item_init). */
static st_plan_item hand(uint64_t src_begin, uint64_t src_bytes, uint64_t rows, uint64_t cols,
                         uint32_t bits, st_shard_kind shard, uint64_t start, uint64_t stop)
{
    st_plan_item it;
    memset(&it, 0, sizeof it);
    it.src_begin = src_begin;
    it.src_bytes = src_bytes;
    it.rows = rows;
    it.cols = cols;
    it.bits = bits;
    it.shard = (uint32_t)shard;
    it.start = start;
    it.stop = stop;
    return it;
}

/* ST-PLAN-2: items whose runs cannot be computed or leave the tensor */
Test(plan_edges, hand_written_items_refused)
{
    typedef struct bad {
        const char *what;
        st_plan_item it;
    } bad;
    const bad cases[] = {
        {"start after stop", hand(0u, 16u, 16u, 1u, 8u, ST_SHARD_ROWS, 3u, 1u)},
        {"bits per row overflow", hand(0u, 16u, 1u, P2(63), 8u, ST_SHARD_ROWS, 0u, 1u)},
        {"start x unit overflows", hand(0u, 16u, P2(63), 1u, 8u, ST_SHARD_ROWS, P2(62), P2(62) + 1u)},
        {"range x unit overflows", hand(0u, 16u, P2(63), 1u, 8u, ST_SHARD_ROWS, 0u, P2(62))},
        {"first byte overflows", hand(UINT64_MAX - 1u, 1u, 16u, 1u, 8u, ST_SHARD_ROWS, 8u, 9u)},
        {"row bits overflow (columns)", hand(0u, 16u, 1u, P2(62), 8u, ST_SHARD_COLS, 0u, 1u)},
        {"width x height overflows", hand(0u, 16u, P2(40), P2(30), 8u, ST_SHARD_COLS, 0u, P2(30))},
        {"tensor end overflows", hand(P2(63), P2(63), 1u, P2(63), 8u, ST_SHARD_NONE, 0u, 0u)},
        {"last run offset overflows", hand(0u, 16u, P2(34), P2(33), 8u, ST_SHARD_COLS, 0u, 1u)},
        {"last run end overflows",
         hand(0u, 0u, 9u, P2(61) - 1u, 8u, ST_SHARD_COLS, P2(61) - 10u, P2(61) - 1u)},
        {"last byte address overflows",
         hand(UINT64_MAX - P2(59) + 1u, P2(59) - 1u, 2u, P2(60), 8u, ST_SHARD_COLS, 0u, 1u)},
        {"runs past the tensor", hand(0u, 16u, 4u, 4u, 8u, ST_SHARD_COLS, 2u, 6u)},
        {"runs wider than their pitch", hand(0u, 100u, 3u, 2u, 8u, ST_SHARD_COLS, 0u, 4u)},
    };
    size_t i;
    for (i = 0u; i < sizeof cases / sizeof cases[0]; i++) {
        st_plan_item it = cases[i].it;
        uint64_t total = 99u;
        cr_assert(st_plan_layout(&it, 1u, 1u, &total) == ST_E_ARGUMENT, "%s: accepted",
                  cases[i].what);
        cr_assert(total == 0u, "%s: total set on refusal", cases[i].what);
    }
}

/* ST-PLAN-2: a column range of zero rows copies nothing; a layout whose
   alignment step would pass 2^64 is refused */
Test(plan_edges, empty_runs_and_alignment_overflow)
{
    st_plan_item it[2];
    uint64_t total = 99u;
    it[0] = hand(0u, 0u, 0u, 4u, 8u, ST_SHARD_COLS, 0u, 2u);
    cr_assert(st_plan_layout(it, 1u, 16u, &total) == ST_OK);
    cr_assert(it[0].height == 0u && it[0].bytes == 0u && total == 0u);
    it[0] = hand(0u, UINT64_MAX - 9u, 1u, UINT64_MAX - 9u, 8u, ST_SHARD_NONE, 0u, 0u);
    it[1] = hand(0u, 1u, 1u, 1u, 8u, ST_SHARD_NONE, 0u, 0u);
    cr_assert(st_plan_layout(it, 1u, 16u, &total) == ST_OK);
    cr_assert(total == UINT64_MAX - 9u);
    cr_assert(st_plan_layout(it, 2u, 1u, &total) == ST_OK, "alignment 1 fits");
    cr_assert(total == UINT64_MAX - 8u);
    cr_assert(st_plan_layout(it, 2u, 16u, &total) == ST_E_ARGUMENT,
              "rounding the second item's offset up to 16 passes 2^64");
    cr_assert(total == 0u);
}

/* ST-PLAN-1: a column range of a tensor with no rows selects nothing and is
   accepted, even where its columns are wider than any byte count (a valid
   file: shape [0, 2^62], F64, offsets [0, 0]); the layout copies 0 bytes */
Test(plan_edges, column_range_of_zero_rows_accepted)
{
    static const uint64_t dims[] = {0u, P2(62)};
    static const uint64_t ranges[][2] = {{0u, P2(62)}, {P2(59), P2(62)}, {1u, 2u}, {5u, 5u}};
    size_t k;
    for (k = 0u; k < sizeof ranges / sizeof ranges[0]; k++) {
        forged g;
        st_plan_item it;
        uint64_t total = 0u;
        forge(&g, ST_F64, 2u, dims, 24u, 0u, 0u);
        cr_assert(st_plan_item_init(&g.file, &g.t, ST_SHARD_COLS, ranges[k][0], ranges[k][1],
                                    &it) == ST_OK,
                  "columns [%llu, %llu)", (unsigned long long)ranges[k][0],
                  (unsigned long long)ranges[k][1]);
        cr_assert(it.rows == 0u && it.cols == P2(62) && it.src_bytes == 0u);
        cr_assert(st_plan_layout(&it, 1u, 256u, &total) == ST_OK);
        cr_assert(it.bytes == 0u && total == 0u, "bytes %llu total %llu",
                  (unsigned long long)it.bytes, (unsigned long long)total);
    }
    /* past the last column is still refused */
    {
        forged g;
        st_plan_item it;
        forge(&g, ST_F64, 2u, dims, 24u, 0u, 0u);
        cr_assert(st_plan_item_init(&g.file, &g.t, ST_SHARD_COLS, 0u, P2(62) + 1u, &it) ==
                  ST_E_ARGUMENT);
    }
}
