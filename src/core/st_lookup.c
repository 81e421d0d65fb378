/*
 * st_lookup.c -- read access to a parsed file: iteration in offset order,
 * lookup by name (binary search over the name-sorted index), and the data
 * accessor, whose pointer and length lie inside the file buffer because
 * st_parse proved begin <= end <= data_len (spec section "Guarantees").
 * Contracts: st_internal.h (st_tensor_data's is the layout theorem, ST-GUAR-1,
 * turned into a bound on the pointer and length it returns).
 */
#include "st_cover.h"
#include "st_internal.h"

/* What the accessors use of a live tensor (ST-GUAR-1): a ghost function,
   proven like any other, called where the fact is needed. Stated as a
   global lemma, it would be a hypothesis of every goal of the core, and its
   quantifiers made Z3 fail on unrelated goals. */
/*@ ghost
/@ requires st_file_ok(f) && st_layout_ok(f) && st_live_of(f, t);
   assigns \nothing;
   ensures st_live_ok(f, t);
@/
static void st_live_fact(const st_file *f, const st_tensor *t)
{
    /@ assert \forall integer i; 0 <= i < f->n_tensors ==> st_live_ok(f, st_live_l(f, i)); @/
}
*/

const st_tensor *st_tensor_at(const st_file *f, uint32_t i)
{
    const st_tensor *ret = NULL;
    if (i < f->n_tensors) {
        ret = &f->st->tensors[f->st->order[i]];
    }
    return ret;
}

const st_meta *st_meta_at(const st_file *f, uint32_t i)
{
    const st_meta *ret = NULL;
    if (i < f->n_meta) {
        ret = &f->st->meta[f->st->meta_order[i]];
    }
    return ret;
}

const st_tensor *st_find(const st_file *f, const uint8_t *name, uint32_t name_len)
{
    const st_tensor *ret = NULL;
    uint32_t lo = 0u;               /* candidates: by_name[lo .. lo + span) */
    uint32_t span = f->n_tensors;
    st_strs names;
    /* the stored names by position; the caller's name is the third base */
    names.hdr = &f->buf[ST_PREFIX_LEN];
    names.hdr_len = f->header_len;
    names.arena = f->st->arena;
    names.arena_len = f->st->arena_cap;
    names.key = name;
    names.key_len = name_len;
    /*@ assert st_strs_ok(names); */
    /*@ loop invariant 0 <= lo && lo + span <= f->n_tensors;
        loop invariant ret == \null ||
          (\exists integer i; 0 <= i < f->n_tensors &&
             ret == f->st->tensors + f->st->by_name[i]);
        loop assigns lo, span, ret;
        loop variant span + (ret == \null ? 1 : 0);
    */
    while ((span > 0u) && (ret == NULL)) {
        const uint32_t mid = lo + (span / 2u);
        /* the middle candidate lies in the index (U-17 in
           spec/analysis-notes.md) */
        /*@ assert mid < f->n_tensors; */
        if (ST_ALWAYS(mid < f->n_tensors)) {
            const st_tensor *t = &f->st->tensors[f->st->by_name[mid]];
            int c = st_name_cmp_key(names, t);
            if (c == 0) {
                ret = t;
            } else if (c < 0) {
                /* the upper part: span - span / 2 - 1 candidates */
                lo = mid + 1u;
                span = (span - 1u) / 2u;
            } else {
                span = span / 2u;
            }
        } else {
            span = 0u;
        }
    }
    return ret;
}

uint64_t st_dim(const st_file *f, const st_tensor *t, uint32_t d)
{
    uint64_t ret = 0u;
    if (d < t->rank) {
        const uint32_t k = t->dims_at + d;
        /* the shape lies in dims[0 .. dim_cap) (U-16 in spec/analysis-notes.md) */
        /*@ assert k < f->st->dim_cap; */
        if (ST_ALWAYS(k < f->st->dim_cap)) {
            ret = f->st->dims[k];
        }
    }
    return ret;
}

const uint8_t *st_tensor_data(const st_file *f, const st_tensor *t, uint64_t *size)
{
    const uint64_t begin = t->begin;
    const uint64_t end = t->end;
    const uint8_t *ret = NULL;
    /*@ ghost st_live_fact(f, t); */
    /*@ assert st_live_ok(f, t); */
    /* the tensor lies in the data section (ST-GUAR-1; U-16) */
    /*@ assert begin <= end <= f->data_len; */
    *size = 0u;
    if (ST_ALWAYS((begin <= end) && (end <= f->data_len))) {
        *size = end - begin;
        ret = &f->buf[ST_PREFIX_LEN + f->header_len + begin];
    }
    return ret;
}

uint64_t st_tensor_nelem(const st_file *f, const st_tensor *t)
{
    uint64_t nelem = 1u;
    uint32_t d;
    /*@ ghost st_live_fact(f, t); */
    /*@ assert st_live_ok(f, t); */
    /*@ loop invariant 0 <= d <= t->rank;
        loop invariant nelem == st_nelem_l(f->st->dims, t->dims_at, d);
        loop assigns d, nelem;
        loop variant t->rank - d;
    */
    for (d = 0u; d < t->rank; d++) {
        const uint32_t k = t->dims_at + d;
        uint64_t dim = 0u;
        st_prod p;
        /*@ assert k < f->st->dim_cap; */
        if (ST_ALWAYS(k < f->st->dim_cap)) {
            dim = f->st->dims[k];
        }
        /*@ assert st_nelem_l(f->st->dims, t->dims_at, d + 1) == nelem * dim; */
        /*@ assert nelem * dim <= ST_U64_MAX_L; */
        p = st_mul_u64(nelem, dim);
        nelem = p.value;
    }
    return nelem;
}
