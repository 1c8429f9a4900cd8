-- grain: one row per row of the lake's articles files (lake_file, lake_row), any version: the
-- wide columns, read only for rows already chosen by their locator (stg_lake__articles).
-- Unfiltered on purpose: consumers semi-join it to the chosen locators, so the Parquet scan
-- stays the probe side and bodies and signatures never fill a hash table.
with source as (
    select * from {{ lake_table('articles', row_locators=true) }}
),

renamed as (
    select
        filename as lake_file,
        file_row_number as lake_row,
        article_id,
        capture_id,
        body_text,
        minhash,
        topic_minhash
    from source
)

select * from renamed
