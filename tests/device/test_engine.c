/*
 * test_engine.c -- the copy engine end to end on the backend under test
 * (the host backend here; DT_DEVICE=cuda:0 on a GPU machine): every dtype,
 * zero-size tensors, row and column shards, chunk splitting, many small
 * tensors, pipeline options, several files, indexes, tensor parallelism.
 * Every loaded tensor is copied back and compared with an element-wise
 * gather from the file as written.
 */
#define _POSIX_C_SOURCE 200809L

#include "dt.h"
#include "st_index.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

TestSuite(engine, .fini = dt_fini);

static const char *const dtype_names[ST_DTYPE_COUNT] = {
    "t_bool", "t_f4",  "t_f6a", "t_f6b", "t_u8",  "t_i8",  "t_f8a", "t_f8b",
    "t_f8c",  "t_f8d", "t_f8e", "t_i16", "t_u16", "t_f16", "t_bf16", "t_i32",
    "t_u32",  "t_f32", "t_c64", "t_f64", "t_i64", "t_u64",
};

/* Every dtype as a 3 x 8 matrix: 8 columns keep sub-byte rows whole bytes. */
static void all_dtypes_file(dt_file *f, dt_tensor *ts)
{
    uint32_t d;
    for (d = 0u; d < (uint32_t)ST_DTYPE_COUNT; d++) {
        ts[d].name = dtype_names[d];
        ts[d].dtype = (st_dtype)d;
        ts[d].rank = 2u;
        ts[d].dims[0] = 3u;
        ts[d].dims[1] = 8u;
    }
    dt_write(f, "dtypes.safetensors", ts, ST_DTYPE_COUNT, 1u);
}

Test(engine, every_dtype_whole)
{
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    dt_tensor ts[ST_DTYPE_COUNT];
    dt_file f;
    const char *paths[1];
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    all_dtypes_file(&f, ts);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 64u, 2u, 1u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.n_items == (uint32_t)ST_DTYPE_COUNT);
    dt_check_all(&L, &f, 1u);
    dt_finish(&L, b, &hf);
    dt_file_free(&f);
}

/* Row [1, 3) and column [4, 8) shards of every dtype, through --shard style selection. */
Test(engine, every_dtype_sharded)
{
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    dt_tensor ts[ST_DTYPE_COUNT];
    st_select sel[ST_DTYPE_COUNT];
    dt_file f;
    const char *paths[1];
    uint32_t d;
    int pass;
    all_dtypes_file(&f, ts);
    paths[0] = f.path;
    for (pass = 0; pass < 2; pass++) {
        memset(&hf, 0, sizeof hf);
        memset(&req, 0, sizeof req);
        for (d = 0u; d < (uint32_t)ST_DTYPE_COUNT; d++) {
            sel[d].name = dtype_names[d];
            sel[d].shard = (pass == 0) ? ST_SHARD_ROWS : ST_SHARD_COLS;
            sel[d].start = (pass == 0) ? 1u : 4u;
            sel[d].stop = (pass == 0) ? 3u : 8u;
        }
        req.paths = paths;
        req.n_paths = 1u;
        req.select = sel;
        req.n_select = ST_DTYPE_COUNT;
        b = dt_backend(&hf);
        dt_opts(&o, 16u, 3u, 2u);
        dt_load_ok(&L, b, &req, &o);
        cr_assert(L.n_items == (uint32_t)ST_DTYPE_COUNT);
        for (d = 0u; d < L.n_items; d++) {
            cr_assert(L.items[d].shard == (uint32_t)sel[0].shard);
        }
        dt_check_all(&L, &f, 1u);
        dt_finish(&L, b, &hf);
    }
    dt_file_free(&f);
}

/* Sub-byte selections that do not fall on byte boundaries are refused, by name. */
Test(engine, sub_byte_boundaries_refused)
{
    static const struct {
        const char *name;
        st_shard_kind kind;
        uint64_t start, stop;
    } bad[] = {
        {"t_f4", ST_SHARD_COLS, 1u, 4u},  /* 4 bits in: half a byte */
        {"t_f4", ST_SHARD_COLS, 0u, 3u},
        {"t_f6a", ST_SHARD_COLS, 2u, 8u}, /* 12 bits in */
        {"t_f6b", ST_SHARD_COLS, 0u, 1u},
        {"t_u8", ST_SHARD_COLS, 0u, 9u},  /* past the last column */
        {"t_u8", ST_SHARD_ROWS, 2u, 4u},  /* past the last row */
        {"t_u8", ST_SHARD_ROWS, 2u, 1u},  /* start > stop */
    };
    dt_tensor ts[ST_DTYPE_COUNT];
    dt_file f;
    size_t i;
    all_dtypes_file(&f, ts);
    for (i = 0u; i < (sizeof bad / sizeof bad[0]); i++) {
        st_host_faults hf;
        st_backend *b;
        st_load L;
        st_request req;
        st_engine_opts o;
        st_select sel;
        const char *paths[1] = {f.path};
        st_dev_err rc;
        memset(&hf, 0, sizeof hf);
        memset(&req, 0, sizeof req);
        sel.name = bad[i].name;
        sel.shard = bad[i].kind;
        sel.start = bad[i].start;
        sel.stop = bad[i].stop;
        req.paths = paths;
        req.n_paths = 1u;
        req.select = &sel;
        req.n_select = 1u;
        b = dt_backend(&hf);
        dt_opts(&o, 64u, 2u, 1u);
        rc = st_load_plan(&L, b, &req, &o);
        cr_assert(rc == ST_DEV_E_SELECT, "case %zu: %s", i, st_dev_err_name(rc));
        cr_assert(strstr(L.err, bad[i].name) != NULL, "message lacks the name: %s", L.err);
        cr_assert(strstr(L.err, "ST-PLAN-1") != NULL, "%s", L.err);
        dt_finish(&L, b, &hf);
    }
    dt_file_free(&f);
}

Test(engine, zero_size_tensors)
{
    dt_tensor ts[] = {
        {"a", ST_F32, 1u, {0u}},       {"b", ST_U8, 2u, {3u, 5u}},
        {"c", ST_BF16, 2u, {0u, 5u}},  {"d", ST_F16, 2u, {5u, 0u}},
        {"e", ST_I64, 3u, {2u, 0u, 3u}}, {"f", ST_F4, 2u, {4u, 2u}},
        {"g", ST_F64, 0u, {0u}},       {"h", ST_F6_E2M3, 1u, {0u}},
    };
    st_select sel[] = {
        {"c", ST_SHARD_ROWS, 0u, 0u}, {"d", ST_SHARD_COLS, 0u, 0u},
        {"b", ST_SHARD_ROWS, 2u, 2u}, {"a", ST_SHARD_NONE, 0u, 0u},
        {"g", ST_SHARD_NONE, 0u, 0u}, {"f", ST_SHARD_COLS, 0u, 2u},
    };
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    dt_file f;
    const char *paths[1];
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    dt_write(&f, "zero.safetensors", ts, sizeof ts / sizeof ts[0], 2u);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 8u, 2u, 1u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.n_items == 8u);
    dt_check_all(&L, &f, 1u);
    dt_finish(&L, b, &hf);

    /* empty selections: nothing selected has bytes except the scalar and f */
    memset(&hf, 0, sizeof hf);
    req.select = sel;
    req.n_select = sizeof sel / sizeof sel[0];
    b = dt_backend(&hf);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.n_items == 6u);
    cr_assert(L.stats.bytes == 8u + 4u, "bytes %llu", (unsigned long long)L.stats.bytes);
    dt_check_all(&L, &f, 1u);
    dt_finish(&L, b, &hf);
    dt_file_free(&f);
}

Test(engine, only_zero_size_means_no_allocation)
{
    dt_tensor ts[] = {{"a", ST_F32, 1u, {0u}}, {"b", ST_U8, 2u, {0u, 7u}}};
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    dt_file f;
    const char *paths[1];
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    dt_write(&f, "empty.safetensors", ts, 2u, 3u);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 1024u, 3u, 2u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.total == 0u);
    cr_assert(L.device == NULL);
    cr_assert(L.stats.batches == 0u);
    if (dt_on_host()) {
        cr_assert(hf.dev_allocs == 0u);
        cr_assert(hf.host_allocs == 0u);
        cr_assert(hf.streams_created == 0u);
    }
    dt_finish(&L, b, &hf);
    dt_file_free(&f);
}

/* Row and column ranges of 2-D and 3-D tensors, with chunks smaller than a
   run, between runs, and larger than the tensor. */
Test(engine, row_and_column_shards)
{
    dt_tensor ts[] = {
        {"m", ST_F32, 2u, {37u, 29u}},
        {"k", ST_BF16, 3u, {4u, 6u, 50u}},
        {"v", ST_U8, 1u, {1000u}},
        {"w", ST_F4, 2u, {10u, 64u}},
    };
    static const uint64_t chunks[] = {1u, 7u, 100u, 116u, 4096u, 1u << 20};
    dt_file f;
    size_t ci;
    uint64_t state = 42u;
    const char *paths[1];
    dt_write(&f, "shards.safetensors", ts, sizeof ts / sizeof ts[0], 4u);
    paths[0] = f.path;
    for (ci = 0u; ci < (sizeof chunks / sizeof chunks[0]); ci++) {
        int round;
        for (round = 0; round < 4; round++) {
            st_host_faults hf;
            st_backend *b;
            st_load L;
            st_request req;
            st_engine_opts o;
            st_select sel[4];
            uint64_t rows[4] = {37u, 24u, 1u, 10u};
            uint64_t cols[4] = {29u, 50u, 1000u, 64u};
            size_t i;
            memset(&hf, 0, sizeof hf);
            memset(&req, 0, sizeof req);
            for (i = 0u; i < 4u; i++) {
                bool by_rows = ((dt_rand(&state) & 1u) == 0u) && (i != 2u);
                uint64_t lim = by_rows ? rows[i] : cols[i];
                uint64_t a = dt_rand(&state) % (lim + 1u);
                uint64_t z = a + (dt_rand(&state) % (lim - a + 1u));
                if (i == 3u && !by_rows) {
                    a &= ~(uint64_t)1u; /* F4: even columns only */
                    z &= ~(uint64_t)1u;
                    if (z < a) {
                        z = a;
                    }
                }
                sel[i].name = ts[i].name;
                sel[i].shard = by_rows ? ST_SHARD_ROWS : ST_SHARD_COLS;
                sel[i].start = a;
                sel[i].stop = z;
            }
            req.paths = paths;
            req.n_paths = 1u;
            req.select = sel;
            req.n_select = 4u;
            b = dt_backend(&hf);
            dt_opts(&o, chunks[ci], 1u + (uint32_t)(round % 3), 1u + (uint32_t)(round % 2));
            o.mmap_source = (round >= 2);
            dt_load_ok(&L, b, &req, &o);
            dt_check_all(&L, &f, 1u);
            dt_finish(&L, b, &hf);
        }
    }
    dt_file_free(&f);
}

/* One tensor of 300 000 bytes through 4 KiB staging buffers. */
Test(engine, tensor_larger_than_a_chunk)
{
    dt_tensor ts[] = {{"big", ST_F16, 2u, {300u, 500u}}, {"tail", ST_U8, 1u, {3u}}};
    dt_file f;
    const char *paths[1];
    uint32_t nb;
    dt_write(&f, "big.safetensors", ts, 2u, 5u);
    paths[0] = f.path;
    for (nb = 1u; nb <= 4u; nb++) {
        st_host_faults hf;
        st_backend *b;
        st_load L;
        st_request req;
        st_engine_opts o;
        memset(&hf, 0, sizeof hf);
        memset(&req, 0, sizeof req);
        req.paths = paths;
        req.n_paths = 1u;
        b = dt_backend(&hf);
        dt_opts(&o, 4096u, nb, 1u);
        dt_load_ok(&L, b, &req, &o);
        cr_assert(L.stats.chunks >= (300000u / 4096u), "chunks %llu",
                  (unsigned long long)L.stats.chunks);
        cr_assert(L.stats.buffers == nb);
        cr_assert(L.stats.staging == 4096u);
        dt_check_all(&L, &f, 1u);
        if (dt_on_host()) {
            cr_assert(hf.copies == L.stats.batches);
            cr_assert(hf.host_allocs == nb, "staging buffers %llu", (unsigned long long)hf.host_allocs);
        }
        dt_finish(&L, b, &hf);
    }
    dt_file_free(&f);
}

/* 3000 small tensors of every dtype: batches gather many tensors each. */
Test(engine, thousands_of_small_tensors)
{
    enum { N = 3000 };
    dt_tensor *ts = calloc(N, sizeof *ts);
    char (*names)[24] = calloc(N, sizeof *names);
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    dt_file f;
    const char *paths[1];
    uint64_t state = 7u;
    size_t i;
    cr_assert((ts != NULL) && (names != NULL));
    for (i = 0u; i < N; i++) {
        (void)snprintf(names[i], sizeof names[i], "layer.%zu.w", i);
        ts[i].name = names[i];
        ts[i].dtype = (st_dtype)(dt_rand(&state) % ST_DTYPE_COUNT);
        ts[i].rank = 1u;
        /* a multiple of 4 elements keeps 4- and 6-bit tensors whole bytes */
        ts[i].dims[0] = 4u * (dt_rand(&state) % 9u);
    }
    dt_write(&f, "many.safetensors", ts, N, 6u);
    paths[0] = f.path;
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    req.paths = paths;
    req.n_paths = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 64u << 10, 3u, 2u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.n_items == N);
    cr_assert(L.stats.batches * 10u < L.stats.chunks, "%llu copies for %llu chunks",
              (unsigned long long)L.stats.batches, (unsigned long long)L.stats.chunks);
    dt_check_all(&L, &f, 1u);
    dt_finish(&L, b, &hf);
    dt_file_free(&f);
    free(ts);
    free(names);
}

/*
 * The pipeline options on a 6 MiB file with 2 MiB chunks (so several
 * readers share a batch), row-major and column-sharded tensors. On the host
 * backend the stream thread sleeps before each copy: a staging buffer
 * refilled before its copy ran would be copied with the wrong bytes.
 */
Test(engine, pipeline_options, .timeout = 120)
{
    dt_tensor ts[] = {
        {"emb", ST_BF16, 2u, {1024u, 1024u}},
        {"narrow", ST_U8, 2u, {8192u, 256u}},
        {"wide", ST_F32, 2u, {16u, 32768u}},
    };
    st_select sel[] = {
        {"emb", ST_SHARD_NONE, 0u, 0u},
        {"narrow", ST_SHARD_COLS, 100u, 164u}, /* 64-byte runs: read a block at a time */
        {"wide", ST_SHARD_COLS, 1000u, 30000u}, /* 116 000-byte runs */
    };
    dt_file f;
    const char *paths[1];
    uint32_t nb;
    uint32_t th;
    int src;
    dt_write(&f, "pipe.safetensors", ts, 3u, 8u);
    paths[0] = f.path;
    for (nb = 1u; nb <= 4u; nb++) {
        for (th = 1u; th <= 3u; th++) {
            for (src = 0; src < 3; src++) {
                st_host_faults hf;
                st_backend *b;
                st_load L;
                st_request req;
                st_engine_opts o;
                memset(&hf, 0, sizeof hf);
                hf.copy_delay_us = 300u;
                memset(&req, 0, sizeof req);
                req.paths = paths;
                req.n_paths = 1u;
                req.select = sel;
                req.n_select = 3u;
                b = dt_backend(&hf);
                dt_opts(&o, 2u << 20, nb, th);
                o.mmap_source = (src == 1);
                o.register_staging = (src == 2);
                dt_load_ok(&L, b, &req, &o);
                /* a 2 MiB batch is worth at most two readers of >= 1 MiB */
                cr_assert(L.stats.threads == ((th < 2u) ? th : 2u), "%u readers",
                          L.stats.threads);
                dt_check_all(&L, &f, 1u);
                if (dt_on_host() && (src == 2)) {
                    cr_assert(hf.registers == L.stats.buffers);
                    cr_assert(hf.host_allocs == 0u);
                }
                dt_finish(&L, b, &hf);
            }
        }
    }
    dt_file_free(&f);
}

/* Runs whose row pitch is larger than the read-ahead block: one read per run. */
Test(engine, column_shard_of_very_wide_rows)
{
    dt_tensor ts[] = {{"w", ST_U8, 2u, {3u, 5000000u}}};
    st_select sel[] = {{"w", ST_SHARD_COLS, 1000u, 3000u}};
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    dt_file f;
    const char *paths[1];
    dt_write(&f, "wide.safetensors", ts, 1u, 9u);
    paths[0] = f.path;
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    req.paths = paths;
    req.n_paths = 1u;
    req.select = sel;
    req.n_select = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 1u << 20, 2u, 1u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.stats.bytes == 6000u);
    dt_check_all(&L, &f, 1u);
    if (dt_on_host()) {
        cr_assert(hf.reads == 3u, "reads %llu", (unsigned long long)hf.reads);
    }
    dt_finish(&L, b, &hf);
    dt_file_free(&f);
}

Test(engine, alignments)
{
    static const uint64_t aligns[] = {1u, 2u, 64u, 256u, 4096u, 1u << 20};
    dt_tensor ts[] = {
        {"a", ST_U8, 1u, {3u}}, {"b", ST_F32, 1u, {5u}}, {"c", ST_F64, 2u, {2u, 3u}},
        {"d", ST_U8, 1u, {0u}}, {"e", ST_BOOL, 1u, {1u}},
    };
    dt_file f;
    const char *paths[1];
    size_t i;
    dt_write(&f, "align.safetensors", ts, 5u, 10u);
    paths[0] = f.path;
    for (i = 0u; i < (sizeof aligns / sizeof aligns[0]); i++) {
        st_host_faults hf;
        st_backend *b;
        st_load L;
        st_request req;
        st_engine_opts o;
        uint32_t k;
        uint64_t end = 0u;
        memset(&hf, 0, sizeof hf);
        memset(&req, 0, sizeof req);
        req.paths = paths;
        req.n_paths = 1u;
        b = dt_backend(&hf);
        dt_opts(&o, 5u, 2u, 1u);
        o.align = aligns[i];
        dt_load_ok(&L, b, &req, &o);
        for (k = 0u; k < L.n_items; k++) {
            cr_assert((L.items[k].dst % aligns[i]) == 0u);
            cr_assert(L.items[k].dst >= end, "overlap at tensor %u", k);
            end = L.items[k].dst + L.items[k].bytes;
        }
        cr_assert(L.total == end);
        dt_check_all(&L, &f, 1u);
        dt_finish(&L, b, &hf);
    }
    dt_file_free(&f);
}

/* Several files into one allocation; the same name twice is refused. */
Test(engine, several_files)
{
    dt_tensor t1[] = {{"x", ST_F32, 2u, {10u, 10u}}, {"y", ST_U8, 1u, {7u}}};
    dt_tensor t2[] = {{"z", ST_I16, 2u, {3u, 4u}}, {"w", ST_F16, 1u, {9u}}};
    dt_tensor t3[] = {{"y", ST_U8, 1u, {2u}}};
    dt_file f[3];
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    const char *paths[3];
    st_dev_err rc;
    dt_write(&f[0], "one.safetensors", t1, 2u, 11u);
    dt_write(&f[1], "two.safetensors", t2, 2u, 12u);
    dt_write(&f[2], "three.safetensors", t3, 1u, 13u);
    paths[0] = f[0].path;
    paths[1] = f[1].path;
    paths[2] = f[2].path;
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    req.paths = paths;
    req.n_paths = 2u;
    b = dt_backend(&hf);
    dt_opts(&o, 32u, 2u, 1u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.n_items == 4u);
    cr_assert(L.n_files == 2u);
    dt_check_all(&L, f, 2u);
    if (dt_on_host()) {
        cr_assert(hf.dev_allocs == 1u, "one allocation for both files");
    }
    dt_finish(&L, b, &hf);

    memset(&hf, 0, sizeof hf);
    req.n_paths = 3u;
    b = dt_backend(&hf);
    rc = st_load_plan(&L, b, &req, &o);
    cr_assert(rc == ST_DEV_E_SELECT, "%s", st_dev_err_name(rc));
    cr_assert(strstr(L.err, "\"y\"") != NULL, "%s", L.err);
    cr_assert(strstr(L.err, "three.safetensors") != NULL, "%s", L.err);
    dt_finish(&L, b, &hf);
    dt_file_free(&f[0]);
    dt_file_free(&f[1]);
    dt_file_free(&f[2]);
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "wb");
    cr_assert(fp != NULL);
    cr_assert(fputs(text, fp) >= 0);
    cr_assert(fclose(fp) == 0);
}

/* A sharded checkpoint: the weight_map decides what is loaded. */
Test(engine, sharded_checkpoint_index)
{
    dt_tensor t1[] = {{"model.embed", ST_BF16, 2u, {64u, 32u}}, {"model.l0.q", ST_F32, 2u, {8u, 8u}},
                      {"extra.not.in.map", ST_U8, 1u, {5u}}};
    dt_tensor t2[] = {{"model.l0.o", ST_F32, 2u, {8u, 8u}}, {"model.norm", ST_F16, 1u, {32u}}};
    dt_file f[2];
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    st_select sel[] = {{"model.norm", ST_SHARD_NONE, 0u, 0u},
                       {"model.embed", ST_SHARD_ROWS, 10u, 20u}};
    const char *paths[1];
    dt_write(&f[0], "model-00001-of-00002.safetensors", t1, 3u, 21u);
    dt_write(&f[1], "model-00002-of-00002.safetensors", t2, 2u, 22u);
    write_text(dt_path("model.safetensors.index.json"),
               "{\"metadata\": {\"total_size\": 12345, \"nested\": [1, 2.5e3, {\"a\": null}]},\n"
               " \"weight_map\": {\n"
               "  \"model.embed\": \"model-00001-of-00002.safetensors\",\n"
               "  \"model.l0.q\": \"model-00001-of-00002.safetensors\",\n"
               "  \"model.l0.o\": \"model-00002-of-00002.safetensors\",\n"
               "  \"model.\\u006eorm\": \"model-00002-of-00002.safetensors\"}}\n");
    paths[0] = dt_path("model.safetensors.index.json");
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    req.paths = paths;
    req.n_paths = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 1024u, 2u, 2u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.n_files == 2u);
    cr_assert(L.n_items == 4u, "%u tensors", L.n_items);
    cr_assert(st_load_find(&L, "extra.not.in.map") < 0);
    cr_assert(st_load_find(&L, "model.norm") >= 0);
    dt_check_all(&L, f, 2u);
    dt_finish(&L, b, &hf);

    /* a subset by name, one of them sharded */
    memset(&hf, 0, sizeof hf);
    req.select = sel;
    req.n_select = 2u;
    b = dt_backend(&hf);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.n_items == 2u);
    cr_assert(L.items[st_load_find(&L, "model.embed")].bytes == 10u * 32u * 2u);
    dt_check_all(&L, f, 2u);
    dt_finish(&L, b, &hf);
    dt_file_free(&f[0]);
    dt_file_free(&f[1]);
}

static void expect_plan_error(const st_request *req, st_dev_err want, const char *needle)
{
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_engine_opts o;
    st_dev_err rc;
    memset(&hf, 0, sizeof hf);
    b = dt_backend(&hf);
    dt_opts(&o, 1024u, 2u, 1u);
    rc = st_load_plan(&L, b, req, &o);
    cr_assert(rc == want, "got %s (%s), want %s", st_dev_err_name(rc), L.err, st_dev_err_name(want));
    cr_assert(strstr(L.err, needle) != NULL, "message \"%s\" lacks \"%s\"", L.err, needle);
    dt_finish(&L, b, &hf);
}

Test(engine, index_errors)
{
    dt_tensor t1[] = {{"a", ST_F32, 1u, {4u}}};
    dt_file f;
    st_request req;
    const char *paths[2];
    dt_write(&f, "s1.safetensors", t1, 1u, 31u);
    memset(&req, 0, sizeof req);
    req.paths = paths;
    req.n_paths = 1u;

    write_text(dt_path("missing.index.json"),
               "{\"weight_map\": {\"a\": \"s1.safetensors\", \"b\": \"s1.safetensors\"}}");
    paths[0] = dt_path("missing.index.json");
    expect_plan_error(&req, ST_DEV_E_SELECT, "\"b\"");

    write_text(dt_path("bad.index.json"), "{\"weight_map\": {\"a\": \"s1.safetensors\",}}");
    paths[0] = dt_path("bad.index.json");
    expect_plan_error(&req, ST_DEV_E_INDEX, "bad.index.json");

    write_text(dt_path("escape.index.json"), "{\"weight_map\": {\"a\": \"../s1.safetensors\"}}");
    paths[0] = dt_path("escape.index.json");
    expect_plan_error(&req, ST_DEV_E_INDEX, "plain name");

    write_text(dt_path("nofile.index.json"), "{\"weight_map\": {\"a\": \"absent.safetensors\"}}");
    paths[0] = dt_path("nofile.index.json");
    expect_plan_error(&req, ST_DEV_E_FILE, "absent.safetensors");

    /* an index with other files */
    paths[0] = f.path;
    paths[1] = dt_path("missing.index.json");
    req.n_paths = 2u;
    expect_plan_error(&req, ST_DEV_E_USAGE, "only file");
    dt_file_free(&f);
}

Test(engine, request_errors)
{
    dt_tensor t1[] = {{"a", ST_F32, 1u, {4u}}, {"b", ST_U8, 1u, {4u}}};
    dt_file f;
    st_request req;
    st_select sel[2] = {{"a", ST_SHARD_NONE, 0u, 0u}, {"a", ST_SHARD_NONE, 0u, 0u}};
    st_select nope = {"nope", ST_SHARD_NONE, 0u, 0u};
    const char *paths[1];
    dt_write(&f, "r.safetensors", t1, 2u, 32u);
    memset(&req, 0, sizeof req);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    req.select = &nope;
    req.n_select = 1u;
    expect_plan_error(&req, ST_DEV_E_SELECT, "no tensor named \"nope\"");
    req.select = sel;
    req.n_select = 2u;
    expect_plan_error(&req, ST_DEV_E_SELECT, "twice");
    req.select = NULL;
    req.n_select = 0u;
    req.tp_world = 2u;
    req.tp_rank = 2u;
    expect_plan_error(&req, ST_DEV_E_USAGE, "rank");
    req.tp_world = 0u;
    req.tp_rank = 0u;
    paths[0] = dt_path("does-not-exist.safetensors");
    expect_plan_error(&req, ST_DEV_E_FILE, "does-not-exist.safetensors");
    write_text(dt_path("broken.safetensors"), "\x10\x00\x00\x00\x00\x00\x00\x00{\"a\":1}         ");
    paths[0] = dt_path("broken.safetensors");
    expect_plan_error(&req, ST_DEV_E_FORMAT, "broken.safetensors");
    req.n_paths = 0u;
    expect_plan_error(&req, ST_DEV_E_USAGE, "no file");
    dt_file_free(&f);
}

Test(engine, option_errors)
{
    dt_tensor t1[] = {{"a", ST_F32, 1u, {4u}}};
    dt_file f;
    st_request req;
    const char *paths[1];
    struct {
        uint64_t chunk;
        uint32_t buffers, threads;
        uint64_t align;
        const char *needle;
    } bad[] = {
        {0u, 2u, 1u, 256u, "chunk"},
        {(uint64_t)ST_PLAN_CHUNK_MAX + 1u, 2u, 1u, 256u, "chunk"},
        {1024u, 0u, 1u, 256u, "buffers"},
        {1024u, ST_ENGINE_MAX_BUFFERS + 1u, 1u, 256u, "buffers"},
        {1024u, 2u, 0u, 256u, "threads"},
        {1024u, 2u, ST_ENGINE_MAX_THREADS + 1u, 256u, "threads"},
        {1024u, 2u, 1u, 0u, "alignment"},
        {1024u, 2u, 1u, 384u, "alignment"},
        {1024u, 2u, 1u, (uint64_t)ST_PLAN_ALIGN_MAX * 2u, "alignment"},
    };
    size_t i;
    dt_write(&f, "o.safetensors", t1, 1u, 33u);
    memset(&req, 0, sizeof req);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    for (i = 0u; i < (sizeof bad / sizeof bad[0]); i++) {
        st_host_faults hf;
        st_backend *b;
        st_load L;
        st_engine_opts o;
        st_dev_err rc;
        memset(&hf, 0, sizeof hf);
        b = dt_backend(&hf);
        dt_opts(&o, bad[i].chunk, bad[i].buffers, bad[i].threads);
        o.align = bad[i].align;
        rc = st_load_plan(&L, b, &req, &o);
        cr_assert(rc == ST_DEV_E_USAGE, "case %zu: %s", i, st_dev_err_name(rc));
        cr_assert(strstr(L.err, bad[i].needle) != NULL, "%s", L.err);
        cr_assert(st_load_run(&L) == ST_DEV_E_USAGE, "run after a failed plan keeps the error");
        dt_finish(&L, b, &hf);
    }
    dt_file_free(&f);
}

Test(engine, run_once)
{
    dt_tensor t1[] = {{"a", ST_F32, 1u, {4u}}};
    dt_file f;
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    const char *paths[1];
    dt_write(&f, "once.safetensors", t1, 1u, 34u);
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 1024u, 2u, 1u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(st_load_run(&L) == ST_DEV_E_STATE);
    cr_assert(strstr(L.err, "once") != NULL, "%s", L.err);
    dt_finish(&L, b, &hf);
    dt_file_free(&f);
}

/* The tensor-parallel helper: shards from the formula of ST-PLAN-4, the
   split chosen by the first matching pattern, dim 0 by default. */
Test(engine, tensor_parallel_ranks)
{
    dt_tensor ts[] = {
        {"layers.0.attn.wq", ST_BF16, 2u, {10u, 12u}},  /* default: rows */
        {"layers.0.attn.wo", ST_BF16, 2u, {12u, 10u}},  /* cols by rule */
        {"layers.0.norm", ST_F32, 1u, {12u}},            /* whole by rule */
        {"layers.0.bias", ST_F32, 1u, {11u}},            /* rank 1: split */
        {"conv", ST_F16, 3u, {5u, 3u, 4u}},              /* dim 0 of a 3-D tensor */
        {"scale", ST_F32, 0u, {0u}},                     /* scalar: whole */
        {"tiny", ST_U8, 2u, {2u, 3u}},                   /* fewer rows than ranks */
    };
    st_tp_rule rules[] = {{"*.wo", ST_TP_COLS}, {"*norm*", ST_TP_WHOLE}};
    dt_file f;
    const char *paths[1];
    uint32_t world;
    dt_write(&f, "tp.safetensors", ts, sizeof ts / sizeof ts[0], 40u);
    paths[0] = f.path;
    for (world = 1u; world <= 4u; world++) {
        uint64_t rowsum[7] = {0u};
        uint32_t rank;
        for (rank = 0u; rank < world; rank++) {
            st_host_faults hf;
            st_backend *b;
            st_load L;
            st_request req;
            st_engine_opts o;
            size_t k;
            memset(&hf, 0, sizeof hf);
            memset(&req, 0, sizeof req);
            req.paths = paths;
            req.n_paths = 1u;
            req.tp_rank = rank;
            req.tp_world = world;
            req.tp_rules = rules;
            req.n_tp_rules = 2u;
            b = dt_backend(&hf);
            dt_opts(&o, 16u, 2u, 1u);
            dt_load_ok(&L, b, &req, &o);
            for (k = 0u; k < (sizeof ts / sizeof ts[0]); k++) {
                int64_t i = st_load_find(&L, ts[k].name);
                const st_plan_item *it;
                uint64_t size;
                uint64_t base;
                uint64_t extra;
                uint64_t s;
                uint64_t e;
                uint64_t inner = 1u;
                cr_assert(i >= 0);
                it = &L.items[i];
                if (world == 1u || k == 2u || k == 5u) {
                    cr_assert(it->shard == (uint32_t)ST_SHARD_NONE, "%s", ts[k].name);
                    continue;
                }
                size = (k == 1u) ? ts[k].dims[1] : ts[k].dims[0];
                base = size / world;
                extra = size % world;
                s = (rank * base) + ((rank < extra) ? rank : extra);
                e = s + base + ((rank < extra) ? 1u : 0u);
                if (k == 4u) {
                    inner = ts[k].dims[1];
                }
                cr_assert(it->shard == (uint32_t)(((k == 1u) || (k == 3u)) ? ST_SHARD_COLS
                                                                            : ST_SHARD_ROWS),
                          "%s", ts[k].name);
                cr_assert((it->start == s * inner) && (it->stop == e * inner),
                          "%s rank %u/%u: [%llu, %llu) want [%llu, %llu)", ts[k].name, rank,
                          world, (unsigned long long)it->start, (unsigned long long)it->stop,
                          (unsigned long long)(s * inner), (unsigned long long)(e * inner));
                rowsum[k] += it->bytes;
            }
            dt_check_all(&L, &f, 1u);
            dt_finish(&L, b, &hf);
        }
        if (world > 1u) {
            size_t k;
            for (k = 0u; k < (sizeof ts / sizeof ts[0]); k++) {
                if (k != 2u && k != 5u) {
                    cr_assert(rowsum[k] == dt_bytes(&ts[k]), "%s: ranks cover %llu of %llu bytes",
                              ts[k].name, (unsigned long long)rowsum[k],
                              (unsigned long long)dt_bytes(&ts[k]));
                }
            }
        }
    }
    dt_file_free(&f);
}

/* A device copy that differs from the file is found and named. */
Test(engine, verify_finds_a_difference)
{
    dt_tensor ts[] = {{"a", ST_F32, 1u, {64u}}, {"b", ST_U8, 2u, {8u, 8u}}};
    st_select sel[] = {{"a", ST_SHARD_NONE, 0u, 0u}, {"b", ST_SHARD_COLS, 2u, 5u}};
    dt_file f;
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    const char *paths[1];
    uint64_t compared = 0u;
    uint8_t *dev;
    if (!dt_on_host()) {
        cr_skip_test("writes the device memory directly: host backend only");
    }
    dt_write(&f, "v.safetensors", ts, 2u, 41u);
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    req.select = sel;
    req.n_select = 2u;
    b = dt_backend(&hf);
    dt_opts(&o, 1024u, 2u, 1u);
    dt_load_ok(&L, b, &req, &o);
    dev = (uint8_t *)L.device;
    dev[L.items[1].dst + 13u] ^= 0x40u;
    cr_assert(st_load_verify(&L, &compared) == ST_DEV_E_VERIFY);
    cr_assert(strstr(L.err, "\"b\"") != NULL, "%s", L.err);
    cr_assert(strstr(L.err, "byte 13 ") != NULL, "%s", L.err);
    cr_assert(compared == 256u, "compared %llu", (unsigned long long)compared);
    dt_finish(&L, b, &hf);
    dt_file_free(&f);
}

/* A file truncated between planning and copying: a read error, named. */
Test(engine, file_truncated_after_planning)
{
    dt_tensor ts[] = {{"a", ST_F32, 2u, {64u, 64u}}, {"b", ST_F32, 2u, {64u, 64u}}};
    dt_file f;
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    const char *paths[1];
    st_dev_err rc;
    dt_write(&f, "t.safetensors", ts, 2u, 42u);
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 4096u, 2u, 1u);
    o.open_flags = ST_OPEN_NO_MMAP; /* a mapping would fault on the lost pages */
    rc = st_load_plan(&L, b, &req, &o);
    cr_assert(rc == ST_DEV_OK, "%s", L.err);
    cr_assert(truncate(f.path, (off_t)(f.data_start + 20000u)) == 0);
    rc = st_load_run(&L);
    cr_assert(rc == ST_DEV_E_READ, "%s: %s", st_dev_err_name(rc), L.err);
    cr_assert(strstr(L.err, "\"b\"") != NULL, "%s", L.err);
    cr_assert(strstr(L.err, "ended early") != NULL, "%s", L.err);
    cr_assert(L.device == NULL);
    if (dt_on_host()) {
        cr_assert(st_host_faults_live(&hf) == 0u);
    }
    dt_finish(&L, b, &hf);
    dt_file_free(&f);
}

/* Names with quotes, control characters and non-ASCII letters load and print safely. */
Test(engine, unusual_names)
{
    dt_tensor ts[] = {{"caf\xc3\xa9", ST_U8, 1u, {3u}}, {"q\\\"uote", ST_U8, 1u, {2u}},
                      {"tab\\tname", ST_U8, 1u, {1u}}};
    st_select sel = {"missing\x01name", ST_SHARD_NONE, 0u, 0u};
    dt_file f;
    st_host_faults hf;
    st_backend *b;
    st_load L;
    st_request req;
    st_engine_opts o;
    const char *paths[1];
    dt_write(&f, "names.safetensors", ts, 3u, 43u);
    memset(&hf, 0, sizeof hf);
    memset(&req, 0, sizeof req);
    paths[0] = f.path;
    req.paths = paths;
    req.n_paths = 1u;
    b = dt_backend(&hf);
    dt_opts(&o, 1024u, 2u, 1u);
    dt_load_ok(&L, b, &req, &o);
    cr_assert(L.n_items == 3u);
    cr_assert(st_load_find(&L, "caf\xc3\xa9") >= 0);
    cr_assert(st_load_find(&L, "q\"uote") >= 0);
    cr_assert(st_load_find(&L, "tab\tname") >= 0);
    dt_finish(&L, b, &hf);
    req.select = &sel;
    req.n_select = 1u;
    expect_plan_error(&req, ST_DEV_E_SELECT, "missing\\x01name");
    dt_file_free(&f);
}
