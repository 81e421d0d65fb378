# st_error_name: index the table with i == ST_ERROR_COUNT (not found).
# Expected: the RTE goal of st_error_names[i] fails.
/^const char \*st_error_name(/,/^}/s/(i < ST_ERROR_COUNT)/(i <= ST_ERROR_COUNT)/
