"""The SQL functions Amazon Redshift provides (its SQL reference, "SQL functions reference":
compute-node functions, by family), the names a model may call.

A name missing here is refused by the local twin with the function's name, file and line:
DuckDB would run many functions Redshift lacks (``arg_max``, ``count_if``, ``strftime``...),
so a model using one would build on a laptop and fail in AWS. To allow a function Redshift
has and this list misses, add it here (with its family) and check that sqlglot translates it
to DuckDB (``tests/warehouse/test_redshift_sql.py``).
"""

from __future__ import annotations

_FAMILIES = {
    "aggregate": """
        any_value approximate avg count listagg max median min percentile_cont
        percentile_disc stddev stddev_samp stddev_pop sum variance var_samp var_pop
    """,
    "bitwise and boolean aggregate": "bit_and bit_or bool_and bool_or",
    "window": """
        cume_dist dense_rank first_value lag last_value lead nth_value ntile percent_rank
        rank ratio_to_report row_number
    """,
    "conditional": "coalesce decode greatest least nvl nvl2 nullif",
    "date and time": """
        add_months convert_timezone current_date current_timestamp date_cmp
        date_cmp_timestamp date_cmp_timestamptz dateadd datediff date_part date_part_year
        datepart pgdate_part date_trunc extract getdate interval_cmp last_day months_between
        next_day sysdate timeofday timestamp_cmp timestamp_cmp_date
        timestamp_cmp_timestamptz timestamptz_cmp timestamptz_cmp_date
        timestamptz_cmp_timestamp timezone to_timestamp trunc
    """,
    "math": """
        abs acos asin atan atan2 cbrt ceil ceiling cos cot degrees dexp dlog1 dlog10 exp
        floor ln log mod pi power pow radians random round sign sin sqrt tan
    """,
    "string": """
        ascii bpcharcmp btrim bttext_pattern_cmp char_length character_length charindex chr
        collate concat crc32 difference initcap left len length lower lpad ltrim
        octet_length octetindex position quote_ident quote_literal regexp_count
        regexp_instr regexp_replace regexp_substr repeat replace replicate reverse right
        rpad rtrim soundex split_part strpos strtol substr substring textlen translate trim
        upper
    """,
    "type conversion and formatting": """
        cast convert to_char to_date to_number texttoint_alt text_to_int_alt
        text_to_numeric_alt
    """,
    "hash": """
        checksum farmfingerprint64 func_sha1 fnv_hash md5 murmur3_32_hash sha sha1 sha2
    """,
    "json": """
        can_json_parse is_valid_json is_valid_json_array json_array_length
        json_extract_array_element_text json_extract_path_text json_parse json_serialize
        json_serialize_to_varbyte json_typeof
    """,
    "super and arrays": """
        array array_concat array_contains array_distinct array_except array_flatten
        array_intersection array_position array_positions array_sort array_union
        get_array_length split_to_array subarray is_array is_bigint is_boolean is_char
        is_decimal is_float is_integer is_object is_scalar is_smallint is_varchar object
        object_transform size
    """,
    "hyperloglog": "hll hll_cardinality hll_combine hll_combine_sketches hll_create_sketch",
    "system information": """
        current_database current_schema current_user current_user_id session_user user
        version
    """,
    "syntax": "case exists",
}

REDSHIFT_FUNCTIONS = frozenset(
    name.upper() for names in _FAMILIES.values() for name in names.split()
)
