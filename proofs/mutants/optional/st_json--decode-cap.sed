# st_decode_bounded: drop the check that an escape's UTF-8 bytes still fit
# in the room left (`left`) before copying them.
# Expected: the RTE goal of `left -= len` (unsigned overflow) fails
# (checked with -wp-fct st_decode_bounded: 66 of 67 goals).
s/if ((used == 0u) || (left < len)) {/if (used == 0u) {/
