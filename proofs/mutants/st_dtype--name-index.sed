# st_dtype_name: accept d == ST_DTYPE_COUNT (one row past the table).
# Expected: the RTE goal of st_dtype_names[d] fails.
0,/(uint32_t)d < (uint32_t)ST_DTYPE_COUNT/s//(uint32_t)d <= (uint32_t)ST_DTYPE_COUNT/
