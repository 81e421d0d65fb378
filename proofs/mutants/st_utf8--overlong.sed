# st_utf8_seq: accept the overlong lead bytes C0 and C1 (drop the lower
# end of the range check). Memory-safe, but wrong.
# Expected: the postcondition (st_utf8_seq_ok, Table 3-7) fails.
s/(b0 >= 0xC2u) \&\& (b0 <= 0xDFu)/(b0 >= 0xC0u) \&\& (b0 <= 0xDFu)/
