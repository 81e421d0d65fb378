/*
 * st_write.h -- the canonical writer: lay out a set of tensors the way the
 * reference writer does (ST-WRITE-1 .. ST-WRITE-6) and emit the header.
 *
 * Conventions (in addition to those of tensorproof.h):
 *
 *  - Freestanding like the rest of the core: no allocation, no recursion,
 *    no I/O. The caller describes the tensors and metadata pairs in its own
 *    arrays (st_wset) and lends two index arrays for the sort; the plan
 *    (st_wplan) points into both, so they must outlive it unchanged.
 *  - Writing a file is three steps: st_write_plan (validate, order, lay out,
 *    measure), st_write_header into a buffer of plan.header_len + 8 bytes,
 *    then the tensor bytes, in plan order (st_write_tensor_at), each
 *    exactly data_len bytes long, with nothing in between (ST-WRITE-2).
 *    The data never passes through the core: it streams from wherever the
 *    caller keeps it (the POSIX layer does this in st_posix_write.h).
 *  - Names, keys and values are raw UTF-8 bytes with explicit lengths; they
 *    may contain any code point, NUL included. They are escaped on output
 *    exactly as the reference's JSON library escapes them (ST-WRITE-4).
 *  - The output is byte-identical to the reference writer (safetensors
 *    0.8.0) for every input the reference writes deterministically and
 *    correctly. Where the reference writes nonsense or panics, the writer
 *    refuses (ST-WRITE-6), and where the reference is not deterministic
 *    (several metadata keys, HashMap order) the writer sorts keys by bytes.
 */
#ifndef ST_WRITE_H
#define ST_WRITE_H

#include "tensorproof.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Writer errors. Stable numbers: never renumber, only append. */
typedef enum st_werr {
    ST_W_OK = 0,
    ST_W_DUP_NAME = 1,         /* ST-WRITE-6: two tensors share a name */
    ST_W_RESERVED_NAME = 2,    /* ST-WRITE-6: a tensor named __metadata__ */
    ST_W_DTYPE = 3,            /* dtype is not one of the 22 (ST-DTYPE-1) */
    ST_W_OVERFLOW = 4,         /* element count, bit count or total size
                                  does not fit in 64 bits */
    ST_W_MISALIGNED = 5,       /* ST-WRITE-6: shape x bits not a whole
                                  number of bytes (sub-byte dtypes) */
    ST_W_SIZE_MISMATCH = 6,    /* ST-WRITE-6: data_len != shape x dtype */
    ST_W_UTF8 = 7,             /* a name, key or value is not UTF-8 */
    ST_W_DUP_META_KEY = 8,     /* ST-WRITE-6: two metadata pairs share a key */
    ST_W_HEADER_TOO_LARGE = 9, /* ST-WRITE-5: padded header over 1e8 bytes */
    ST_W_STORAGE = 10,         /* output buffer smaller than 8 + header_len */
    ST_W_ARGUMENT = 11         /* NULL array with a non-zero count, or a
                                  plan that does not match its inputs */
} st_werr;

/* One tensor to write. The descriptor says what the data is; the bytes
 * themselves are the caller's business (see the conventions above). */
typedef struct st_wtensor {
    const uint8_t *name;   /* UTF-8; may be NULL when name_len == 0 */
    uint32_t name_len;
    uint32_t rank;         /* number of dimensions; 0 = scalar */
    const uint64_t *dims;  /* rank entries; may be NULL when rank == 0 */
    uint8_t dtype;         /* st_dtype */
    uint64_t data_len;     /* bytes the caller will supply for it */
} st_wtensor;

/* One metadata pair ("__metadata__" member). */
typedef struct st_wmeta {
    const uint8_t *key;    /* UTF-8; may be NULL when key_len == 0 */
    uint32_t key_len;
    uint32_t value_len;
    const uint8_t *value;  /* UTF-8; may be NULL when value_len == 0 */
} st_wmeta;

/* What to write. `has_metadata` asks for a "__metadata__" member even
 * when there are no pairs ("__metadata__":{}, as the reference writes for
 * an empty map); it is implied when n_meta > 0. */
typedef struct st_wset {
    const st_wtensor *tensors;
    uint32_t n_tensors;
    uint32_t n_meta;
    const st_wmeta *meta;
    bool has_metadata;
} st_wset;

/* The layout computed by st_write_plan. */
typedef struct st_wplan {
    const st_wset *set;        /* the caller's description */
    const uint32_t *order;     /* tensors in file order (ST-WRITE-1) */
    const uint32_t *meta_order; /* metadata pairs in key byte order */
    bool has_metadata;         /* "__metadata__" is written */
    uint64_t json_len;         /* header bytes before padding */
    uint64_t header_len;       /* N: json_len padded to a multiple of 8 */
    uint64_t data_len;         /* bytes in the data section */
    uint64_t file_len;         /* 8 + N + data_len */
} st_wplan;

/*@
  // ------------------------------------------- the writer's logic (ACSL)

  // A tensor descriptor whose name and dims can be read.
  predicate st_wtensor_ok{L}(st_wtensor *t) =
    \valid_read(t->name + (0 .. t->name_len - 1)) &&
    \valid_read(t->dims + (0 .. t->rank - 1));

  // As given to st_write_plan: a NULL name or dims is refused there.
  predicate st_wtensor_given{L}(st_wtensor *t) =
    (t->name != \null ==> \valid_read(t->name + (0 .. t->name_len - 1))) &&
    (t->dims != \null ==> \valid_read(t->dims + (0 .. t->rank - 1)));

  predicate st_wmeta_ok{L}(st_wmeta *m) =
    \valid_read(m->key + (0 .. m->key_len - 1)) &&
    \valid_read(m->value + (0 .. m->value_len - 1));

  predicate st_wmeta_given{L}(st_wmeta *m) =
    (m->key != \null ==> \valid_read(m->key + (0 .. m->key_len - 1))) &&
    (m->value != \null ==> \valid_read(m->value + (0 .. m->value_len - 1)));

  // Every descriptor of the set can be read.
  predicate st_wset_ok{L}(st_wset *s) =
    \valid_read(s) &&
    \valid_read(s->tensors + (0 .. s->n_tensors - 1)) &&
    \valid_read(s->meta + (0 .. s->n_meta - 1)) &&
    (\forall integer i; 0 <= i < s->n_tensors ==> st_wtensor_ok(s->tensors + i)) &&
    (\forall integer i; 0 <= i < s->n_meta ==> st_wmeta_ok(s->meta + i));

  // idx[0 .. n) are indices below n.
  predicate st_windex_ok{L}(uint32_t *idx, integer n) =
    \valid_read(idx + (0 .. n - 1)) &&
    \forall integer i; 0 <= i < n ==> idx[i] < n;

  // A plan whose set and index arrays can be read and agree.
  predicate st_wplan_ok{L}(st_wplan *p) =
    \valid_read(p) && st_wset_ok(p->set) &&
    st_windex_ok(p->order, p->set->n_tensors) &&
    st_windex_ok(p->meta_order, p->set->n_meta);

  // ST-WRITE-2: bytes of the data section before the k-th tensor in
  // plan order (the running sum of data_len).
  logic integer st_wsum{L}(st_wtensor *t, uint32_t *order, integer k) =
    k <= 0 ? 0 : st_wsum(t, order, k - 1) + t[order[k - 1]].data_len;

  // ST-WRITE-2: the data lengths of t[0 .. k), in caller order. The plan
  // order is a permutation of it, so the running sum in plan order ends
  // at this sum (the data section's size).
  logic integer st_wid{L}(st_wtensor *t, integer k) =
    k <= 0 ? 0 : st_wid(t, k - 1) + t[k - 1].data_len;

  // ST-WRITE-2, ST-GUAR-1 for the writer: the i-th tensor in plan order
  // occupies [st_wsum(i), st_wsum(i + 1)) of the data section, so the
  // ranges start at 0, follow each other without a gap, each is exactly
  // its tensor's data_len long, and together they end at data_len; no
  // offset exceeds data_len (< 2^64: nothing overflows).
  predicate st_wlayout_ok{L}(st_wplan *p) =
    st_wsum(p->set->tensors, p->order, p->set->n_tensors) == p->data_len &&
    \forall integer k; 0 <= k <= p->set->n_tensors ==>
      st_wsum(p->set->tensors, p->order, k) <= p->data_len;

  // ST-WRITE-5, ST-LAYOUT-2: the header is the JSON padded to a multiple
  // of 8, at most ST_HEADER_MAX bytes, and the file is prefix + header +
  // data.
  predicate st_wheader_ok{L}(st_wplan *p) =
    p->json_len <= p->header_len < p->json_len + 8 &&
    p->header_len % 8 == 0 && p->header_len <= ST_HEADER_MAX &&
    p->file_len == ST_PREFIX_LEN + p->header_len + p->data_len;
*/

/* What st_write_plan found wrong. */
typedef enum st_wsubject {
    ST_W_AT_NONE = 0,          /* the set as a whole */
    ST_W_AT_TENSOR = 1,        /* set->tensors[index] */
    ST_W_AT_META = 2           /* set->meta[index] */
} st_wsubject;

typedef struct st_wdiag {
    st_werr code;
    st_wsubject subject;
    uint32_t index;            /* caller's index of the entry concerned;
                                  for duplicates, the later of the two */
    uint32_t other;            /* for duplicates, the earlier of the two */
} st_wdiag;

/*
 * ST-WRITE-1, ST-WRITE-2, ST-WRITE-5, ST-WRITE-6: check the set, sort it
 * into canonical order and compute the file's layout.
 *
 * Refusals, checked in this order: a NULL array with a non-zero count
 * (ST_W_ARGUMENT); then each tensor in caller order: name not UTF-8, name
 * "__metadata__", dtype out of range, shape x bits overflowing, bits not a
 * multiple of 8, data_len different from shape x dtype, total data size
 * overflowing; then each metadata pair: key or value not UTF-8; then
 * duplicate tensor names; duplicate metadata keys; finally a padded header
 * over ST_HEADER_MAX bytes, or a file size over 2^64 - 1.
 *
 * `order` needs set->n_tensors entries and `meta_order` set->n_meta
 * entries (either may be NULL when its count is 0); on ST_W_OK they hold
 * the file order of tensors (dtype in descending declaration order, then
 * name bytes) and metadata keys (bytes). Sorting is O(n log n).
 * `set`, `plan` and `diag` never NULL.
 */
/*@ requires \valid_read(set) && \valid(plan) && \valid(diag);
    requires set->tensors != \null ==>
               \valid_read(set->tensors + (0 .. set->n_tensors - 1)) &&
               \forall integer i; 0 <= i < set->n_tensors ==>
                 st_wtensor_given(set->tensors + i);
    requires set->meta != \null ==>
               \valid_read(set->meta + (0 .. set->n_meta - 1)) &&
               \forall integer i; 0 <= i < set->n_meta ==> st_wmeta_given(set->meta + i);
    requires order != \null ==> \valid(order + (0 .. set->n_tensors - 1));
    requires meta_order != \null ==> \valid(meta_order + (0 .. set->n_meta - 1));
    requires \separated(plan, diag, set, order + (0 .. set->n_tensors - 1),
                        meta_order + (0 .. set->n_meta - 1),
                        set->tensors + (0 .. set->n_tensors - 1),
                        set->meta + (0 .. set->n_meta - 1));
    assigns *plan, *diag, order[0 .. set->n_tensors - 1],
            meta_order[0 .. set->n_meta - 1];
    ensures diag->code == \result;
    ensures plan->set == set && plan->order == order && plan->meta_order == meta_order;
    ensures \result == ST_W_OK ==>
              st_wplan_ok(plan) && st_wlayout_ok(plan) && st_wheader_ok(plan);
    ensures \result == ST_W_OK ==>
              (plan->has_metadata <==> (set->has_metadata || set->n_meta > 0));
    ensures \result == ST_W_OK ==>
              plan->data_len == \old(st_wid(set->tensors, set->n_tensors));
    ensures \result != ST_W_OK ==>
              plan->json_len == 0 && plan->header_len == 0 &&
              plan->data_len == 0 && plan->file_len == 0;
*/
st_werr st_write_plan(const st_wset *set, uint32_t *order, uint32_t *meta_order,
                      st_wplan *plan, st_wdiag *diag);

/*
 * ST-WRITE-3, ST-WRITE-4, ST-WRITE-5: write the 8-byte little-endian
 * length N, the compact JSON header and its space padding into
 * out[0 .. 8 + plan->header_len). Refuses with ST_W_STORAGE, writing
 * nothing, when cap is smaller than that; never writes beyond it. On
 * ST_W_OK *written = 8 + plan->header_len. The header holds, in this
 * order: "__metadata__" (when plan->has_metadata) with its keys in byte
 * order, then one entry per tensor in plan order with the fields dtype,
 * shape, data_offsets. `plan` must come from st_write_plan, with the set
 * and index arrays unchanged since. `plan`, `out`, `written` never NULL.
 * A plan whose set changed anyway is refused with ST_W_ARGUMENT, writing
 * nothing, when the data lengths in plan order no longer add up to
 * plan->data_len, or when the JSON no longer measures plan->json_len.
 */
/*@ requires st_wplan_ok(plan);
    requires \valid(out + (0 .. cap - 1)) && \valid(written);
    requires \separated(written, plan);
    assigns *written, out[0 .. ST_PREFIX_LEN + plan->header_len - 1];
    ensures \result == ST_W_OK || \result == ST_W_STORAGE || \result == ST_W_ARGUMENT;
    behavior refused:
      assumes plan->header_len > ST_HEADER_MAX ||
              plan->json_len > plan->header_len || plan->header_len % 8 != 0 ||
              cap < ST_PREFIX_LEN + plan->header_len;
      assigns *written;
      ensures \result != ST_W_OK && *written == 0;
    behavior emits:
      assumes plan->header_len <= ST_HEADER_MAX &&
              plan->json_len <= plan->header_len && plan->header_len % 8 == 0 &&
              cap >= ST_PREFIX_LEN + plan->header_len;
      assigns *written, out[0 .. ST_PREFIX_LEN + plan->header_len - 1];
      ensures \result == ST_W_OK || \result == ST_W_ARGUMENT;
      ensures \result == ST_W_OK ==> *written == ST_PREFIX_LEN + plan->header_len;
      ensures \result == ST_W_OK ==> \old(st_wlayout_ok(plan));
      ensures \result != ST_W_OK ==> *written == 0;
    complete behaviors;
    disjoint behaviors;
*/
st_werr st_write_header(const st_wplan *plan, uint8_t *out, uint64_t cap,
                        uint64_t *written);

/* ST-WRITE-1, ST-WRITE-2: the i-th tensor in file order (i < n_tensors):
 * its caller index, and its data offsets relative to the data section.
 * O(i): a caller walking the file keeps its own running offset instead. */
/*@ requires st_wplan_ok(plan) && st_wlayout_ok(plan);
    requires i < plan->set->n_tensors;
    requires \valid(begin) && \valid(end);
    requires \separated(begin, end, plan, plan->set,
                        plan->set->tensors + (0 .. plan->set->n_tensors - 1),
                        plan->order + (0 .. plan->set->n_tensors - 1));
    assigns *begin, *end;
    ensures \result == \old(plan->order[i]) && \result < plan->set->n_tensors;
    ensures *begin == \old(st_wsum(plan->set->tensors, plan->order, i));
    ensures *end == \old(st_wsum(plan->set->tensors, plan->order, i + 1));
    ensures *end - *begin == plan->set->tensors[\result].data_len;
    ensures *end <= plan->data_len;
*/
uint32_t st_write_tensor_at(const st_wplan *plan, uint32_t i,
                            uint64_t *begin, uint64_t *end);

/* Name ("ST_W_DUP_NAME"), requirement id and one-line message of a code. */
/*@ assigns \nothing;
    ensures \valid_read(\result);
*/
const char *st_write_error_name(st_werr e);
/*@ assigns \nothing;
    ensures \valid_read(\result);
*/
const char *st_write_error_rule(st_werr e);
/*@ assigns \nothing;
    ensures \valid_read(\result);
*/
const char *st_write_error_message(st_werr e);

#ifdef __cplusplus
}
#endif
#endif /* ST_WRITE_H */
