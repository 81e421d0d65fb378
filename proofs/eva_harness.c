/*
 * proofs/eva_harness.c -- the entry point of the Eva pass (proofs/README.md).
 *
 * Calls every public function of the core (tensorproof.h, st_write.h,
 * st_plan.h) on inputs Eva treats as unknown: buffers of any content and of
 * any length up to a small bound, unknown modes, capacities, indices and
 * selections. Eva then explores all of those inputs at once and reports
 * every operation that could be undefined (out-of-bounds access, overflow,
 * uninitialised read, invalid shift, ...) for any of them.
 *
 * The bounds below keep the analysis finite and quick; they are a limit of
 * this pass, not of the core: WP proves the same absence of runtime errors
 * for every length, Eva checks the composition of all the functions on
 * every input up to these bounds.
 *
 * Build only with Frama-C (proofs/run_eva.sh): __fc_builtin.h is Frama-C's.
 */
#include "__fc_builtin.h"

#include "st_plan.h"
#include "st_write.h"
#include "tensorproof.h"

/* Largest file st_parse sees: the 8-byte prefix and a header of up to
   EVA_FILE_MAX - 8 bytes, followed by whatever remains as data. */
#define EVA_FILE_MAX 32u
/* Caller storage for the parse (the sizes are capacities, any may be 0). */
#define EVA_TENSORS 4u
#define EVA_DIMS 8u
#define EVA_META 4u
#define EVA_ARENA 32u
/* Longest name looked up with st_find. */
#define EVA_NAME_MAX 16u
/* Writer: tensors, metadata pairs, bytes per name/key/value, rank. */
#define EVA_WTENSORS 3u
#define EVA_WMETA 2u
#define EVA_WSTR 8u
#define EVA_WRANK 3u
#define EVA_WOUT 512u
/* Planner: items laid out at once. */
#define EVA_ITEMS 3u

static uint8_t eva_file[EVA_FILE_MAX];
static st_tensor eva_tensors[EVA_TENSORS];
static uint32_t eva_order[EVA_TENSORS];
static uint32_t eva_by_name[EVA_TENSORS];
static uint32_t eva_scratch[EVA_TENSORS];
static uint64_t eva_dims[EVA_DIMS];
static st_meta eva_meta[EVA_META];
static uint32_t eva_meta_order[EVA_META];
static uint8_t eva_arena[EVA_ARENA];
static uint8_t eva_name[EVA_NAME_MAX];

/* Any value of the type. */
static uint32_t eva_u32(void)
{
    return Frama_C_unsigned_int_interval(0u, 4294967295u);
}

/* A capacity in 0..max, with its array or (capacity 0 only) NULL. */
static uint32_t eva_cap(uint32_t max)
{
    return Frama_C_unsigned_int_interval(0u, max);
}

/*
 * The accessors of a parsed file, on every tensor and metadata pair and on
 * out-of-range indices. The pointers they return are not dereferenced
 * here: that they lie inside the file buffer is the layout theorem, which
 * this pass does not attempt (see proofs/README.md).
 */
static void eva_read_file(const st_file *f)
{
    uint32_t i;
    uint32_t n_name = Frama_C_unsigned_int_interval(0u, EVA_NAME_MAX);
    const st_tensor *t;
    Frama_C_make_unknown((char *)eva_name, EVA_NAME_MAX);
    for (i = 0u; i < f->n_tensors; i++) {
        uint64_t size = 0u;
        uint32_t d;
        t = st_tensor_at(f, i);
        if (t != NULL) {
            (void)st_tensor_data(f, t, &size);
            (void)st_tensor_nelem(f, t);
            for (d = 0u; d < t->rank; d++) {
                (void)st_dim(f, t, d);
            }
            (void)st_dim(f, t, eva_u32());
        }
    }
    (void)st_tensor_at(f, eva_u32());
    for (i = 0u; i < f->n_meta; i++) {
        (void)st_meta_at(f, i);
    }
    (void)st_meta_at(f, eva_u32());
    (void)st_find(f, eva_name, n_name);
}

/*
 * One parse of an unknown file of unknown length into storage of the given
 * capacities (each array present exactly when its capacity is non-zero),
 * then the accessors. The length is one interval, not split: Eva then
 * keeps the relation "header length <= file length - 8" on the accepted
 * path, which a merge of per-length states loses. The mode is a constant
 * per call for the same reason.
 */
static void eva_parse_with(st_mode mode, uint32_t tensor_cap, uint32_t dim_cap,
                           uint32_t meta_cap, uint32_t arena_cap, bool scratch)
{
    st_storage s;
    st_file f;
    st_diag diag;
    uint64_t len = (uint64_t)Frama_C_interval(0, (int)EVA_FILE_MAX);
    st_err e;
    Frama_C_make_unknown((char *)eva_file, EVA_FILE_MAX);
    s.tensor_cap = tensor_cap;
    s.tensors = (tensor_cap > 0u) ? eva_tensors : NULL;
    s.order = (tensor_cap > 0u) ? eva_order : NULL;
    s.by_name = (tensor_cap > 0u) ? eva_by_name : NULL;
    s.scratch = scratch ? eva_scratch : NULL;
    s.dim_cap = dim_cap;
    s.dims = (dim_cap > 0u) ? eva_dims : NULL;
    s.meta_cap = meta_cap;
    s.meta = (meta_cap > 0u) ? eva_meta : NULL;
    s.meta_order = (meta_cap > 0u) ? eva_meta_order : NULL;
    s.arena_cap = arena_cap;
    s.arena = (arena_cap > 0u) ? eva_arena : NULL;
    e = st_parse(eva_file, len, mode, &s, &f, &diag);
    (void)st_error_name(diag.code);
    if (e == ST_OK) {
        eva_read_file(&f);
    }
}

static void eva_parse(void)
{
    /* measuring pass: no storage at all */
    eva_parse_with(ST_MODE_COMPAT, 0u, 0u, 0u, 0u, false);
    /* full storage, offsets merge-sorted (strict), then heap-sorted (compat) */
    eva_parse_with(ST_MODE_STRICT, EVA_TENSORS, EVA_DIMS, EVA_META, EVA_ARENA, true);
    eva_parse_with(ST_MODE_COMPAT, EVA_TENSORS, EVA_DIMS, EVA_META, EVA_ARENA, false);
    /* a mode that is neither */
    eva_parse_with((st_mode)Frama_C_interval(2, 100), 0u, 0u, 0u, 0u, false);
}

/*
 * The planner on a file description with bounded sizes: up to EVA_ITEMS
 * tensors of rank <= EVA_PRANK, dimensions <= EVA_PDIM, any dtype code,
 * data offsets and header length <= EVA_POFF, any selection. The values
 * are bounded so that the planner's own overflow checks are what Eva
 * sees, not the imprecision of sums over the whole 64-bit range.
 */
#define EVA_PRANK 3u
#define EVA_PDIM 16u
#define EVA_POFF 4096u
static uint64_t eva_pdims[EVA_ITEMS * EVA_PRANK];
static st_tensor eva_ptensors[EVA_ITEMS];

static void eva_plan(void)
{
    st_storage s;
    st_file f;
    st_plan_item items[EVA_ITEMS];
    st_chunk_iter it;
    st_chunk c;
    uint64_t total = 0u;
    uint64_t align = 0u;
    uint32_t n = 0u;
    uint32_t i;
    for (i = 0u; i < (EVA_ITEMS * EVA_PRANK); i++) {
        eva_pdims[i] = Frama_C_unsigned_long_long_interval(0u, EVA_PDIM);
    }
    s.tensors = eva_ptensors;
    s.order = NULL;
    s.by_name = NULL;
    s.tensor_cap = EVA_ITEMS;
    s.dim_cap = EVA_ITEMS * EVA_PRANK;
    s.dims = eva_pdims;
    s.meta = NULL;
    s.meta_order = NULL;
    s.meta_cap = 0u;
    s.arena_cap = 0u;
    s.arena = NULL;
    s.scratch = NULL;
    f.buf = eva_file;
    f.header_len = Frama_C_unsigned_long_long_interval(0u, EVA_POFF);
    f.data_len = Frama_C_unsigned_long_long_interval(0u, EVA_POFF);
    f.len = ST_PREFIX_LEN + f.header_len + f.data_len;
    f.st = &s;
    f.n_entries = EVA_ITEMS;
    f.n_tensors = EVA_ITEMS;
    f.n_meta_entries = 0u;
    f.n_meta = 0u;
    f.has_metadata = false;
    f.mode = ST_MODE_STRICT;
    for (i = 0u; i < EVA_ITEMS; i++) {
        st_tensor *t = &eva_ptensors[i];
        t->name = NULL;
        t->name_len = 0u;
        t->name_start = 0u;
        t->name_in_arena = false;
        t->rank = Frama_C_unsigned_int_interval(0u, EVA_PRANK);
        t->dims_at = i * EVA_PRANK;
        t->key_pos = 0u;
        t->offsets_pos = 0u;
        t->dtype = Frama_C_unsigned_char_interval(0u, 255u);
        t->dropped = false;
        t->begin = Frama_C_unsigned_long_long_interval(0u, EVA_POFF);
        t->end = Frama_C_unsigned_long_long_interval(0u, EVA_POFF);
    }
    for (i = 0u; i < EVA_ITEMS; i++) {
        uint32_t shard = Frama_C_unsigned_int_interval(0u, 3u);
        items[i].src_begin = 0u;
        items[i].src_bytes = 0u;
        items[i].rows = 0u;
        items[i].cols = 0u;
        items[i].bits = 0u;
        items[i].shard = 0u;
        items[i].start = 0u;
        items[i].stop = 0u;
        items[i].src = 0u;
        items[i].pitch = 0u;
        items[i].width = 0u;
        items[i].height = 0u;
        items[i].bytes = 0u;
        items[i].dst = 0u;
        if (st_plan_item_init(&f, &eva_ptensors[i], (st_shard_kind)shard,
                              Frama_C_unsigned_long_long_interval(0u, EVA_PDIM + 1u),
                              Frama_C_unsigned_long_long_interval(0u, EVA_PDIM + 1u),
                              &items[n]) == ST_OK) {
            n++;
        }
    }
    /* Any alignment up to 4096, one state per value (split-limit in
       run_eva.sh): st_align_down's `up - up % align` is in range only by
       up >= align - 1, a relation Eva keeps for a known align only. */
    align = Frama_C_unsigned_long_long_interval(0u, 4096u);
    //@ split align;
    if (st_plan_layout(items, n, align, &total) == ST_OK) {
        uint32_t guard = 0u;
        st_plan_iter_init(&it, items, n, Frama_C_unsigned_long_long_interval(0u, 64u));
        while ((guard < 4u) && st_plan_next(&it, &c)) {
            guard++;
        }
    }
}

/* The error table and the dtype table on any code. */
static void eva_tables(void)
{
    st_err e = (st_err)Frama_C_interval(0, 100);
    st_dtype d = (st_dtype)Frama_C_interval(0, 30);
    st_werr we = (st_werr)Frama_C_interval(0, 20);
    uint8_t name[16];
    uint32_t n = Frama_C_unsigned_int_interval(0u, 16u);
    st_dtype out = ST_BOOL;
    const char *p;
    p = st_error_name(e);
    (void)p[0];
    p = st_error_reference_kind(e);
    if (p != NULL) {
        (void)p[0];
    }
    p = st_error_rule(e);
    (void)p[0];
    p = st_error_message(e);
    (void)p[0];
    p = st_dtype_name(d);
    if (p != NULL) {
        (void)p[0];
    }
    (void)st_dtype_bits(d);
    Frama_C_make_unknown((char *)name, sizeof name);
    if (st_dtype_parse(name, n, &out)) {
        (void)st_dtype_bits(out);
    }
    p = st_write_error_name(we);
    (void)p[0];
    p = st_write_error_rule(we);
    (void)p[0];
    p = st_write_error_message(we);
    (void)p[0];
}

/*
 * The writer on an unknown set: up to EVA_WTENSORS tensors and EVA_WMETA
 * metadata pairs (the pairs of counts of eva_write), names, keys and values of
 * unknown bytes and length <= EVA_WSTR, rank <= EVA_WRANK, any dtype code,
 * dimensions <= EVA_WDIM and data lengths <= EVA_WDATA, so that the
 * products and sums stay far below 2^64 (the overflow refusals themselves
 * are covered by WP and the unit tests, not here).
 */
#define EVA_WDIM 65536u
#define EVA_WDATA 18014398509481984u /* 2^54 */
static uint8_t eva_wnames[EVA_WTENSORS][EVA_WSTR];
static uint64_t eva_wdims[EVA_WTENSORS][EVA_WRANK];
static uint8_t eva_wkeys[EVA_WMETA][EVA_WSTR];
static uint8_t eva_wvalues[EVA_WMETA][EVA_WSTR];
static uint8_t eva_wout[EVA_WOUT];

static void eva_write_n(uint32_t n_tensors, uint32_t n_meta)
{
    st_wtensor ts[EVA_WTENSORS];
    st_wmeta ms[EVA_WMETA];
    uint32_t order[EVA_WTENSORS];
    uint32_t meta_order[EVA_WMETA];
    st_wset set;
    st_wplan plan;
    st_wdiag diag;
    uint32_t i;
    uint32_t k;
    Frama_C_make_unknown((char *)eva_wnames, sizeof eva_wnames);
    Frama_C_make_unknown((char *)eva_wkeys, sizeof eva_wkeys);
    Frama_C_make_unknown((char *)eva_wvalues, sizeof eva_wvalues);
    for (i = 0u; i < EVA_WTENSORS; i++) {
        for (k = 0u; k < EVA_WRANK; k++) {
            eva_wdims[i][k] = Frama_C_unsigned_long_long_interval(0u, EVA_WDIM);
        }
        ts[i].name_len = Frama_C_unsigned_int_interval(0u, EVA_WSTR);
        ts[i].name = eva_wnames[i];
        ts[i].rank = Frama_C_unsigned_int_interval(0u, EVA_WRANK);
        ts[i].dims = eva_wdims[i];
        ts[i].dtype = Frama_C_unsigned_char_interval(0u, 255u);
        ts[i].data_len = Frama_C_unsigned_long_long_interval(0u, EVA_WDATA);
    }
    for (i = 0u; i < EVA_WMETA; i++) {
        ms[i].key_len = Frama_C_unsigned_int_interval(0u, EVA_WSTR);
        ms[i].key = eva_wkeys[i];
        ms[i].value_len = Frama_C_unsigned_int_interval(0u, EVA_WSTR);
        ms[i].value = eva_wvalues[i];
    }
    set.n_tensors = n_tensors;
    set.tensors = ts;
    set.n_meta = n_meta;
    set.meta = ms;
    set.has_metadata = Frama_C_nondet(0, 1) != 0;
    if (st_write_plan(&set, order, meta_order, &plan, &diag) == ST_W_OK) {
        uint64_t written = 0u;
        uint64_t cap = Frama_C_unsigned_long_long_interval(0u, EVA_WOUT);
        if (st_write_header(&plan, eva_wout, cap, &written) == ST_W_OK) {
            uint64_t begin = 0u;
            uint64_t end = 0u;
            for (i = 0u; i < set.n_tensors; i++) {
                (void)st_write_tensor_at(&plan, i, &begin, &end);
            }
        }
    }
    (void)st_write_error_name(diag.code);
}

/* Each pair of counts as its own call (not one interval of counts), so
   that Eva knows which entries of the tensor index array st_write_plan has
   filled (the metadata index array still reads as possibly unset). Every
   tensor count 0..EVA_WTENSORS and every metadata count 0..EVA_WMETA
   occurs, each with a zero and a non-zero other count. */
static void eva_write(void)
{
    eva_write_n(0u, 0u);
    eva_write_n(1u, 2u);
    eva_write_n(2u, 1u);
    eva_write_n(3u, 0u);
    eva_write_n(3u, 2u);
}

/*
 * The writer's argument refusals: a NULL array with a non-zero count. The
 * contract of st_write_plan asks every array it names to lie apart from
 * the others, so at most one of them is NULL at a time here (two NULL
 * arrays with non-zero counts would name the same location twice).
 */
static void eva_write_null_case(bool no_tensors, bool no_order, bool no_meta,
                                bool no_meta_order)
{
    st_wtensor t;
    st_wmeta m;
    uint32_t order[1];
    uint32_t meta_order[1];
    st_wset set;
    st_wplan plan;
    st_wdiag diag;
    t.name = NULL;
    t.name_len = Frama_C_unsigned_int_interval(0u, 1u);
    t.rank = Frama_C_unsigned_int_interval(0u, 1u);
    t.dims = NULL;
    t.dtype = (uint8_t)ST_U8;
    t.data_len = 1u;
    m.key = NULL;
    m.key_len = Frama_C_unsigned_int_interval(0u, 1u);
    m.value = NULL;
    m.value_len = Frama_C_unsigned_int_interval(0u, 1u);
    set.tensors = no_tensors ? NULL : &t;
    set.n_tensors = 1u;
    set.meta = no_meta ? NULL : &m;
    set.n_meta = 1u;
    set.has_metadata = false;
    (void)st_write_plan(&set, no_order ? NULL : order, no_meta_order ? NULL : meta_order,
                        &plan, &diag);
}

static void eva_write_null(void)
{
    eva_write_null_case(true, false, false, false);
    eva_write_null_case(false, true, false, false);
    eva_write_null_case(false, false, true, false);
    eva_write_null_case(false, false, false, true);
}

/* The tensor-parallel split on any sizes. */
static void eva_tp(void)
{
    uint64_t start = 0u;
    uint64_t stop = 0u;
    uint32_t world = (uint32_t)Frama_C_interval_split(0, 8);
    uint32_t rank = Frama_C_unsigned_int_interval(0u, 9u);
    /* sizes up to 2^63: the sum start + size / world stays below 2^64 in
       Eva's interval arithmetic */
    st_plan_tp_range(Frama_C_unsigned_long_long_interval(0u, 9223372036854775808u), rank,
                     world, &start, &stop);
}

void eva_main(void)
{
    eva_tables();
    eva_parse();
    eva_plan();
    eva_write();
    eva_write_null();
    eva_tp();
}
