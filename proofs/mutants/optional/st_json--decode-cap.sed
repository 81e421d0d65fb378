# st_decode_bounded: drop the check that an escape's UTF-8 bytes still fit
# under `limit` before writing them.
# Expected: the precondition of st_put_utf8 (\valid dst range) fails.
s/if ((used == 0u) || ((limit - o) < len)) {/if (used == 0u) {/
