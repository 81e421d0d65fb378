# st_utf8_seq: read the continuation byte of a 2-byte sequence without
# checking that it is inside the buffer.
# Expected: the RTE goal of s[i + 1] fails.
s/if ((avail >= 2u) \&\& ST_UTF8_CONT(s\[i + 1u\]))/if (ST_UTF8_CONT(s[i + 1u]))/
