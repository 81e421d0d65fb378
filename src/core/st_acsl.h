/*
 * st_acsl.h -- the logic used by the core's ACSL contracts (proofs/README.md).
 * ACSL only: this header declares nothing a C compiler sees. It is included
 * from st_internal.h once the internal types are defined, and every
 * contract in the core refers to the definitions below, so each property
 * is stated once.
 */
#ifndef ST_ACSL_H
#define ST_ACSL_H


/*@
  // ---------------------------------------------------------------- limits

  logic integer ST_U32_MAX_L = 4294967295;
  logic integer ST_U64_MAX_L = 18446744073709551615;

  // ---------------------------------------------------------- ST-DTYPE-1

  // Bit width of each dtype, in declaration order; 0 out of range.
  logic integer st_bits_l(integer d) =
    (d == 0) ? 8 :                      // BOOL
    (d == 1) ? 4 :                      // F4
    (d == 2 || d == 3) ? 6 :            // F6_E2M3, F6_E3M2
    (4 <= d && d <= 10) ? 8 :           // U8 .. F8_E5M2FNUZ
    (11 <= d && d <= 14) ? 16 :         // I16, U16, F16, BF16
    (15 <= d && d <= 17) ? 32 :         // I32, U32, F32
    (18 <= d && d <= 21) ? 64 :         // C64, F64, I64, U64
    0;

  // ------------------------------------------------------------ ST-JSON-*

  predicate st_ws(integer b) = b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D;

  // Bytes of the UTF-8 encoding of code point cp.
  logic integer st_utf8_len_l(integer cp) =
    cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;

  // A cursor over a readable header of at most ST_HEADER_MAX bytes.
  predicate st_cursor_ok{L}(st_cursor *c) =
    \valid(c) && c->pos <= c->n && c->n <= ST_HEADER_MAX &&
    \valid_read(c->h + (0 .. c->n - 1)) &&
    \separated(c, c->h + (0 .. c->n - 1));

  // A string scanned by st_json_string inside a header of n bytes: its raw
  // bytes lie inside, and decoding never lengthens it.
  predicate st_jstring_ok{L}(st_jstring *s, integer n) =
    s->raw_at + s->raw_len < n && s->dec_len <= s->raw_len &&
    (!s->escaped ==> s->dec_len == s->raw_len);

  // ------------------------------------- ST-SCHEMA-*, ST-META-* (st_header.c)

  // The len bytes at p lie inside base[0 .. n).
  predicate st_hdr_in{L}(uint8_t *p, integer len, uint8_t *base, integer n) =
    \base_addr(p) == \base_addr(base) && base <= p && p + len <= base + n;

  // A string kept by the header parser, of decoded length len: in the header
  // h[0 .. n) when it had no escapes, else in the arena; NULL only when it
  // is empty or when the arena (arena_used bytes needed so far) was short.
  predicate st_hdr_str_ok{L}(uint8_t *p, integer len, uint8_t *h, integer n,
                             uint8_t *arena, integer arena_cap, integer arena_used) =
    (p == \null && (len == 0 || arena_cap < arena_used)) ||
    st_hdr_in(p, len, h, n) || st_hdr_in(p, len, arena, arena_cap);

  // The caller's storage as the header parser fills it (a copy of the
  // descriptor): every array valid over its capacity, the arrays pairwise apart.
  predicate st_hdr_store_ok{L}(st_storage s) =
    \valid(s.tensors + (0 .. s.tensor_cap - 1)) &&
    \valid(s.dims + (0 .. s.dim_cap - 1)) &&
    \valid(s.meta + (0 .. s.meta_cap - 1)) &&
    \valid(s.arena + (0 .. s.arena_cap - 1)) &&
    \separated(s.tensors + (0 .. s.tensor_cap - 1), s.dims + (0 .. s.dim_cap - 1),
               s.meta + (0 .. s.meta_cap - 1), s.arena + (0 .. s.arena_cap - 1));

  // The cursor and the header bytes lie apart from the storage arrays.
  predicate st_hdr_store_apart{L}(st_storage s, st_cursor *c) =
    \separated(c, s.tensors + (0 .. s.tensor_cap - 1)) &&
    \separated(c, s.dims + (0 .. s.dim_cap - 1)) &&
    \separated(c, s.meta + (0 .. s.meta_cap - 1)) &&
    \separated(c, s.arena + (0 .. s.arena_cap - 1)) &&
    \separated(c->h + (0 .. c->n - 1), s.tensors + (0 .. s.tensor_cap - 1)) &&
    \separated(c->h + (0 .. c->n - 1), s.dims + (0 .. s.dim_cap - 1)) &&
    \separated(c->h + (0 .. c->n - 1), s.meta + (0 .. s.meta_cap - 1)) &&
    \separated(c->h + (0 .. c->n - 1), s.arena + (0 .. s.arena_cap - 1));

  // A tensor entry as the header parser leaves it, once dims_used dimensions
  // and arena_used arena bytes are counted: its dimensions lie in
  // dims[0 .. dims_used), its dtype is one of the 22, positions are in the header.
  predicate st_hdr_tensor_ok{L}(st_tensor *t, uint8_t *h, integer n, uint8_t *arena,
                                integer arena_cap, integer dims_used, integer arena_used) =
    st_hdr_str_ok(t->name, t->name_len, h, n, arena, arena_cap, arena_used) &&
    t->dims_at + t->rank <= dims_used && t->dtype < ST_DTYPE_COUNT &&
    t->key_pos < n && t->offsets_pos <= n && !t->dropped;

  // A metadata pair as the header parser leaves it.
  predicate st_hdr_meta_ok{L}(st_meta *m, uint8_t *h, integer n, uint8_t *arena,
                              integer arena_cap, integer arena_used) =
    st_hdr_str_ok(m->key, m->key_len, h, n, arena, arena_cap, arena_used) &&
    st_hdr_str_ok(m->value, m->value_len, h, n, arena, arena_cap, arena_used) &&
    m->key_pos < n && !m->dropped;

  // The first count tensor entries, as far as they fit the storage.
  predicate st_hdr_tensors_ok{L}(st_storage s, uint8_t *h, integer n, integer count,
                                 integer dims_used, integer arena_used) =
    \forall integer i; 0 <= i < count && i < s.tensor_cap ==>
      st_hdr_tensor_ok(s.tensors + i, h, n, s.arena, s.arena_cap, dims_used, arena_used);

  // The first count metadata pairs, as far as they fit the storage.
  predicate st_hdr_metas_ok{L}(st_storage s, uint8_t *h, integer n, integer count,
                               integer arena_used) =
    \forall integer i; 0 <= i < count && i < s.meta_cap ==>
      st_hdr_meta_ok(s.meta + i, h, n, s.arena, s.arena_cap, arena_used);

  // Between labels L1 and L2 the first count entries kept every field the
  // two predicates above read: a frame, stated once, so that a caller
  // carries the entries across a call with one equality per field.
  predicate st_tensors_same{L1,L2}(st_tensor *t, integer count) =
    \forall integer i; 0 <= i < count ==>
      \at(t[i].name, L1) == \at(t[i].name, L2) &&
      \at(t[i].name_len, L1) == \at(t[i].name_len, L2) &&
      \at(t[i].rank, L1) == \at(t[i].rank, L2) &&
      \at(t[i].dims_at, L1) == \at(t[i].dims_at, L2) &&
      \at(t[i].dtype, L1) == \at(t[i].dtype, L2) &&
      \at(t[i].key_pos, L1) == \at(t[i].key_pos, L2) &&
      \at(t[i].offsets_pos, L1) == \at(t[i].offsets_pos, L2) &&
      \at(t[i].dropped, L1) == \at(t[i].dropped, L2);

  predicate st_metas_same{L1,L2}(st_meta *m, integer count) =
    \forall integer i; 0 <= i < count ==>
      \at(m[i].key, L1) == \at(m[i].key, L2) &&
      \at(m[i].key_len, L1) == \at(m[i].key_len, L2) &&
      \at(m[i].value, L1) == \at(m[i].value, L2) &&
      \at(m[i].value_len, L1) == \at(m[i].value_len, L2) &&
      \at(m[i].key_pos, L1) == \at(m[i].key_pos, L2) &&
      \at(m[i].dropped, L1) == \at(m[i].dropped, L2);

  // ------------------------------------------------------------ ST-UTF8-1

  predicate st_utf8_cont(integer b) = 0x80 <= b <= 0xBF;

  // s[i .. i+len) is one well-formed UTF-8 sequence inside s[0 .. n)
  // (The Unicode Standard, Table 3-7).
  predicate st_utf8_seq_ok{L}(uint8_t *s, integer n, integer i, integer len) =
    0 <= i && i + len <= n &&
    ((len == 1 && s[i] <= 0x7F) ||
     (len == 2 && 0xC2 <= s[i] <= 0xDF && st_utf8_cont(s[i+1])) ||
     (len == 3 && st_utf8_cont(s[i+2]) &&
        ((s[i] == 0xE0 && 0xA0 <= s[i+1] <= 0xBF) ||
         (0xE1 <= s[i] <= 0xEC && st_utf8_cont(s[i+1])) ||
         (s[i] == 0xED && 0x80 <= s[i+1] <= 0x9F) ||
         (0xEE <= s[i] <= 0xEF && st_utf8_cont(s[i+1])))) ||
     (len == 4 && st_utf8_cont(s[i+2]) && st_utf8_cont(s[i+3]) &&
        ((s[i] == 0xF0 && 0x90 <= s[i+1] <= 0xBF) ||
         (0xF1 <= s[i] <= 0xF3 && st_utf8_cont(s[i+1])) ||
         (s[i] == 0xF4 && 0x80 <= s[i+1] <= 0x8F))));

  // some well-formed sequence starts at s[i]
  predicate st_utf8_starts{L}(uint8_t *s, integer n, integer i) =
    st_utf8_seq_ok(s, n, i, 1) || st_utf8_seq_ok(s, n, i, 2) ||
    st_utf8_seq_ok(s, n, i, 3) || st_utf8_seq_ok(s, n, i, 4);

  // s[0 .. i) is a sequence of well-formed UTF-8 sequences.
  inductive st_utf8_prefix{L}(uint8_t *s, integer n, integer i) {
    case st_utf8_prefix_empty{L}:
      \forall uint8_t *s, integer n; st_utf8_prefix(s, n, 0);
    case st_utf8_prefix_step{L}:
      \forall uint8_t *s, integer n, i, len;
        st_utf8_prefix(s, n, i) && 1 <= len <= 4 && st_utf8_seq_ok(s, n, i, len) ==>
        st_utf8_prefix(s, n, i + len);
  }
*/

/*@
  // ---------------------------------------------------- storage (ST-API-1)

  // The caller's storage: every array readable and writable over its
  // capacity, and no two of them (nor the descriptor) overlapping.
  predicate st_storage_valid{L}(st_storage *s) =
    \valid_read(s) &&
    \valid(s->tensors + (0 .. s->tensor_cap - 1)) &&
    \valid(s->order + (0 .. s->tensor_cap - 1)) &&
    \valid(s->by_name + (0 .. s->tensor_cap - 1)) &&
    \valid(s->dims + (0 .. s->dim_cap - 1)) &&
    \valid(s->meta + (0 .. s->meta_cap - 1)) &&
    \valid(s->meta_order + (0 .. s->meta_cap - 1)) &&
    \valid(s->arena + (0 .. s->arena_cap - 1)) &&
    (s->scratch != \null ==> \valid(s->scratch + (0 .. s->tensor_cap - 1)));

  predicate st_storage_sep{L}(st_storage *s) =
    \separated(s, s->tensors + (0 .. s->tensor_cap - 1),
               s->order + (0 .. s->tensor_cap - 1),
               s->by_name + (0 .. s->tensor_cap - 1),
               s->dims + (0 .. s->dim_cap - 1),
               s->meta + (0 .. s->meta_cap - 1),
               s->meta_order + (0 .. s->meta_cap - 1),
               s->arena + (0 .. s->arena_cap - 1)) &&
    \separated(s->scratch + (0 .. s->tensor_cap - 1), s) &&
    \separated(s->scratch + (0 .. s->tensor_cap - 1), s->tensors + (0 .. s->tensor_cap - 1)) &&
    \separated(s->scratch + (0 .. s->tensor_cap - 1), s->order + (0 .. s->tensor_cap - 1)) &&
    \separated(s->scratch + (0 .. s->tensor_cap - 1), s->by_name + (0 .. s->tensor_cap - 1)) &&
    \separated(s->scratch + (0 .. s->tensor_cap - 1), s->dims + (0 .. s->dim_cap - 1)) &&
    \separated(s->scratch + (0 .. s->tensor_cap - 1), s->meta + (0 .. s->meta_cap - 1)) &&
    \separated(s->scratch + (0 .. s->tensor_cap - 1), s->meta_order + (0 .. s->meta_cap - 1)) &&
    \separated(s->scratch + (0 .. s->tensor_cap - 1), s->arena + (0 .. s->arena_cap - 1));

  predicate st_storage_ok{L}(st_storage *s) =
    st_storage_valid(s) && st_storage_sep(s);

  // The caller's descriptor p lies apart from the arrays of its copy s:
  // a fact about values only, so no write can change it.
  predicate st_desc_apart(st_storage *p, st_storage s) =
    \separated(p, s.tensors + (0 .. s.tensor_cap - 1)) &&
    \separated(p, s.order + (0 .. s.tensor_cap - 1)) &&
    \separated(p, s.by_name + (0 .. s.tensor_cap - 1)) &&
    \separated(p, s.dims + (0 .. s.dim_cap - 1)) &&
    \separated(p, s.meta + (0 .. s.meta_cap - 1)) &&
    \separated(p, s.meta_order + (0 .. s.meta_cap - 1)) &&
    \separated(p, s.arena + (0 .. s.arena_cap - 1)) &&
    \separated(p, s.scratch + (0 .. s.tensor_cap - 1));

  // The caller's descriptor still describes the arrays of its copy s.
  predicate st_desc_is{L}(st_storage *p, st_storage s) =
    p->tensors == s.tensors && p->order == s.order && p->by_name == s.by_name &&
    p->dims == s.dims && p->meta == s.meta && p->meta_order == s.meta_order &&
    p->arena == s.arena && p->scratch == s.scratch &&
    p->tensor_cap == s.tensor_cap && p->dim_cap == s.dim_cap &&
    p->meta_cap == s.meta_cap && p->arena_cap == s.arena_cap;

  // What the checks after the header pass keep of the result f: where it
  // points, and the counts and lengths the header pass wrote.
  predicate st_file_front_kept{L1,L2}(st_file *f) =
    \at(f->st, L1) == \at(f->st, L2) && \at(f->buf, L1) == \at(f->buf, L2) &&
    \at(f->len, L1) == \at(f->len, L2) &&
    \at(f->header_len, L1) == \at(f->header_len, L2) &&
    \at(f->data_len, L1) == \at(f->data_len, L2) &&
    \at(f->n_entries, L1) == \at(f->n_entries, L2) &&
    \at(f->n_meta_entries, L1) == \at(f->n_meta_entries, L2);

  predicate st_file_kept{L1,L2}(st_file *f) =
    st_file_front_kept{L1,L2}(f) &&
    \at(f->n_tensors, L1) == \at(f->n_tensors, L2) &&
    \at(f->n_meta, L1) == \at(f->n_meta, L2);

  // loc lies apart from the storage descriptor and all its arrays.
  predicate st_apart_file{L}(st_storage *s, st_file *p) =
    \separated(p, s) &&
    \separated(p, s->tensors + (0 .. s->tensor_cap - 1)) &&
    \separated(p, s->order + (0 .. s->tensor_cap - 1)) &&
    \separated(p, s->by_name + (0 .. s->tensor_cap - 1)) &&
    \separated(p, s->dims + (0 .. s->dim_cap - 1)) &&
    \separated(p, s->meta + (0 .. s->meta_cap - 1)) &&
    \separated(p, s->meta_order + (0 .. s->meta_cap - 1)) &&
    \separated(p, s->arena + (0 .. s->arena_cap - 1)) &&
    \separated(p, s->scratch + (0 .. s->tensor_cap - 1));

  predicate st_apart_diag{L}(st_storage *s, st_diag *p) =
    \separated(p, s) &&
    \separated(p, s->tensors + (0 .. s->tensor_cap - 1)) &&
    \separated(p, s->order + (0 .. s->tensor_cap - 1)) &&
    \separated(p, s->by_name + (0 .. s->tensor_cap - 1)) &&
    \separated(p, s->dims + (0 .. s->dim_cap - 1)) &&
    \separated(p, s->meta + (0 .. s->meta_cap - 1)) &&
    \separated(p, s->meta_order + (0 .. s->meta_cap - 1)) &&
    \separated(p, s->arena + (0 .. s->arena_cap - 1)) &&
    \separated(p, s->scratch + (0 .. s->tensor_cap - 1));

  predicate st_apart_bytes{L}(st_storage *s, uint8_t *p, integer n) =
    \separated(p + (0 .. n - 1), s) &&
    \separated(p + (0 .. n - 1), s->tensors + (0 .. s->tensor_cap - 1)) &&
    \separated(p + (0 .. n - 1), s->order + (0 .. s->tensor_cap - 1)) &&
    \separated(p + (0 .. n - 1), s->by_name + (0 .. s->tensor_cap - 1)) &&
    \separated(p + (0 .. n - 1), s->dims + (0 .. s->dim_cap - 1)) &&
    \separated(p + (0 .. n - 1), s->meta + (0 .. s->meta_cap - 1)) &&
    \separated(p + (0 .. n - 1), s->meta_order + (0 .. s->meta_cap - 1)) &&
    \separated(p + (0 .. n - 1), s->arena + (0 .. s->arena_cap - 1)) &&
    \separated(p + (0 .. n - 1), s->scratch + (0 .. s->tensor_cap - 1));

  // Nothing of the storage overlaps the file buffer, the result or the
  // diagnostics.
  predicate st_storage_apart{L}(st_storage *s, uint8_t *buf, integer len,
                                st_file *f, st_diag *d) =
    \separated(f, d, buf + (0 .. len - 1)) &&
    st_apart_file(s, f) && st_apart_diag(s, d) && st_apart_bytes(s, buf, len);

  // Entries t[0 .. n) whose names are readable.
  predicate st_names_ok{L}(st_tensor *t, integer n) =
    \forall integer x; 0 <= x < n ==>
      \valid_read(t + x) && \valid_read(t[x].name + (0 .. t[x].name_len - 1));

  // Pairs m[0 .. n) whose keys are readable.
  predicate st_keys_ok{L}(st_meta *m, integer n) =
    \forall integer x; 0 <= x < n ==>
      \valid_read(m + x) && \valid_read(m[x].key + (0 .. m[x].key_len - 1));

  // Entries t[0 .. n) whose shapes lie inside dims[0 .. nd).
  predicate st_dims_in{L}(st_tensor *t, integer n, integer nd) =
    \forall integer i; 0 <= i < n ==> t[i].dims_at + t[i].rank <= nd;

  // What the header parse leaves in storage for nt tensor entries and nm
  // metadata pairs: names and keys readable, shapes inside dims[0 .. nd).
  predicate st_entries_ok{L}(st_storage *s, integer nt, integer nm, integer nd) =
    st_names_ok(s->tensors, nt) && st_keys_ok(s->meta, nm) &&
    st_dims_in(s->tensors, nt, nd);

  // ------------------------------------------------- sorting (ST-VALID-1)

  // The bases stored names are read from (st_str_cmp): each readable over
  // its length.
  predicate st_strs_ok(st_strs s) =
    \valid_read(s.hdr + (0 .. s.hdr_len - 1)) &&
    \valid_read(s.arena + (0 .. s.arena_len - 1)) &&
    \valid_read(s.key + (0 .. s.key_len - 1));

  // Entry x can be compared by st_less for this kind of sort.
  predicate st_sort_entry_ok{L}(st_sort_kind kind, st_tensor *t, st_meta *m,
                                integer x) =
    0 <= x &&
    (kind == ST_SORT_META_KEY ==>
       \valid_read(m + x) && \valid_read(m[x].key + (0 .. m[x].key_len - 1))) &&
    (kind != ST_SORT_META_KEY ==>
       \valid_read(t + x) && \valid_read(t[x].name + (0 .. t[x].name_len - 1)));

  predicate st_sort_ok{L}(st_sort_kind kind, st_tensor *t, st_meta *m,
                          integer bound) =
    (kind == ST_SORT_TENSOR_NAME || kind == ST_SORT_TENSOR_OFFSET ||
     kind == ST_SORT_META_KEY) &&
    (kind == ST_SORT_META_KEY ==> st_keys_ok(m, bound)) &&
    (kind != ST_SORT_META_KEY ==> st_names_ok(t, bound));

  // idx[0 .. n) does not overlap the entries being compared.
  predicate st_sort_apart{L}(uint32_t *idx, integer n, st_sort_kind kind,
                             st_tensor *t, st_meta *m, integer bound) =
    \forall integer x; 0 <= x < bound ==>
      (kind == ST_SORT_META_KEY ==> \separated(idx + (0 .. n - 1), &m[x].key_len)) &&
      (kind != ST_SORT_META_KEY ==> \separated(idx + (0 .. n - 1), &t[x].name_len));

  // idx[0 .. n) holds entry indices below bound.
  predicate st_idx_below{L}(uint32_t *idx, integer n, integer bound) =
    \forall integer k; 0 <= k < n ==> idx[k] < bound;

  // ------------------------------------------- ST-GUAR-1: layout theorem

  // Product of dims[at .. at + r), taken left to right, exact.
  logic integer st_nelem_l{L}(uint64_t *dims, integer at, integer r) =
    r <= 0 ? 1 : st_nelem_l(dims, at, r - 1) * dims[at + r - 1];

  // Bit count of a tensor: element count times dtype width, exact.
  logic integer st_nbits_l{L}(st_tensor *t, uint64_t *dims) =
    st_nelem_l(dims, t->dims_at, t->rank) * st_bits_l(t->dtype);

  // ST-VALID-1 .. -5 for one tensor: every partial product of the shape
  // (ST-VALID-2, left to right) and the bit count (ST-VALID-3) fit in 64
  // bits, the bit count is whole bytes (ST-VALID-4), and the byte range has
  // exactly that many bytes (ST-VALID-5).
  predicate st_size_ok{L}(st_tensor *t, uint64_t *dims) =
    (\forall integer j; 0 <= j <= t->rank ==>
       st_nelem_l(dims, t->dims_at, j) <= ST_U64_MAX_L) &&
    st_nbits_l(t, dims) <= ST_U64_MAX_L &&
    st_nbits_l(t, dims) % 8 == 0 &&
    t->begin <= t->end &&
    t->end - t->begin == st_nbits_l(t, dims) / 8;

  // The i-th live tensor in offset order (what st_tensor_at returns).
  logic st_tensor *st_live_l{L}(st_file *f, integer i) =
    f->st->tensors + f->st->order[i];

  // A parsed file's storage is readable as st_parse left it: the arrays
  // valid, the index arrays holding entry indices.
  predicate st_file_ok{L}(st_file *f) =
    \valid_read(f) && st_storage_valid(f->st) &&
    \valid_read(f->buf + (0 .. f->len - 1)) &&
    ST_PREFIX_LEN + f->header_len <= f->len &&
    f->n_tensors <= f->n_entries <= f->st->tensor_cap &&
    f->n_meta <= f->n_meta_entries <= f->st->meta_cap &&
    st_entries_ok(f->st, f->n_entries, f->n_meta_entries, f->st->dim_cap) &&
    st_idx_below(f->st->order, f->n_tensors, f->n_entries) &&
    st_idx_below(f->st->by_name, f->n_tensors, f->n_entries) &&
    st_idx_below(f->st->meta_order, f->n_meta, f->n_meta_entries);

  // ST-VALID-1 .. -6 over plain arrays: the tensors t[order[0 .. n)], in
  // that order, are contiguous from 0 and end exactly at len (len = 0 when
  // n = 0), each inside [0, len) with its exact size (st_size_ok).
  predicate st_runs_ok{L}(st_tensor *t, uint32_t *order, integer n, uint64_t *dims,
                          integer len) =
    (n == 0 ==> len == 0) &&
    (n > 0 ==> (t + order[0])->begin == 0 && (t + order[n - 1])->end == len) &&
    (\forall integer i; 0 <= i < n - 1 ==>
       (t + order[i + 1])->begin == (t + order[i])->end) &&
    (\forall integer i; 0 <= i < n ==>
       (t + order[i])->begin <= (t + order[i])->end <= len &&
       st_size_ok(t + order[i], dims));

  // ST-GUAR-1, the layout theorem, for the live tensors t_1 .. t_k in the
  // order of ST-VALID-1 (k = f->n_tensors, D = f->data_len):
  // (1) every [begin, end) lies inside [0, D), so [8+N+begin, 8+N+end)
  //     lies inside the file; (2) the ranges are contiguous from 0 and end
  //     exactly at D (D = 0 when k = 0); (3) exact sizes, no overflow.
  // (st_live_l(f, i) is f->st->tensors + f->st->order[i].)
  predicate st_layout_ok{L}(st_file *f) =
    f->header_len <= ST_HEADER_MAX &&
    ST_PREFIX_LEN + f->header_len <= f->len &&
    f->data_len == f->len - ST_PREFIX_LEN - f->header_len &&
    st_runs_ok(f->st->tensors, f->st->order, f->n_tensors, f->st->dims, f->data_len);

  // The writer states the same layout for the plan it computes, over its
  // own types: st_wlayout_ok and st_wheader_ok in st_write.h.

  // t is one of the live tensors of f.
  predicate st_live_of{L}(st_file *f, st_tensor *t) =
    \exists integer i; 0 <= i < f->n_tensors && t == st_live_l(f, i);

  // t is one of the entries of f (live or dropped).
  predicate st_entry_of{L}(st_file *f, st_tensor *t) =
    \exists integer j; 0 <= j < f->n_entries && t == f->st->tensors + j;

  // What the accessors use of a live tensor t of a parsed file: t readable,
  // its shape inside dims, its byte range inside the data section, sizes exact.
  predicate st_live_ok{L}(st_file *f, st_tensor *t) =
    \valid_read(t) && t->dims_at + t->rank <= f->st->dim_cap &&
    t->begin <= t->end <= f->data_len && st_size_ok(t, f->st->dims);
*/

#endif /* ST_ACSL_H */
