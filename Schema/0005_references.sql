-- Human reference numbers, one function for every module: `PREFIX-NNNNNNN` (a national series)
-- and `PREFIX-YYYY-NNNNNN` (a series per year). Each series is a sequence: nextval is outside
-- transactions, so a number is never issued twice, even to concurrent requests, and a request
-- that rolls back leaves a gap (acceptable; a reused number is not). A yearly series gets its
-- sequence on first use; the function runs with its owner's rights, so the application role
-- needs only EXECUTE, not CREATE.
CREATE FUNCTION ifcd_reference(prefix text, digits integer, year integer) RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
    name text;
    series regclass;
    n text;
BEGIN
    IF prefix IS NULL OR prefix !~ '^[A-Z]{2,4}$' THEN
        RAISE EXCEPTION 'reference prefix must be 2 to 4 capital letters, not %', prefix USING ERRCODE = '22023';
    END IF;
    IF digits IS NULL OR digits NOT BETWEEN 4 AND 12 THEN
        RAISE EXCEPTION 'reference digits must be 4 to 12' USING ERRCODE = '22023';
    END IF;
    IF year IS NOT NULL AND year NOT BETWEEN 1900 AND 9999 THEN
        RAISE EXCEPTION 'reference year % is out of range', year USING ERRCODE = '22023';
    END IF;
    name := 'reference_' || lower(prefix) || coalesce('_' || year::text, '');
    series := to_regclass(name);
    IF series IS NULL THEN
        BEGIN
            EXECUTE format('CREATE SEQUENCE %I', name);
        EXCEPTION WHEN unique_violation OR duplicate_table THEN
            NULL; -- a concurrent first use made it (and has committed: we waited for it)
        END;
        series := to_regclass(name);
    END IF;
    n := nextval(series)::text;
    -- Never truncated: past the padding the number simply grows.
    RETURN prefix || '-' || coalesce(year::text || '-', '') || CASE WHEN length(n) >= digits THEN n ELSE lpad(n, digits, '0') END;
END $$;
REVOKE ALL ON FUNCTION ifcd_reference(text, integer, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION ifcd_reference(text, integer, integer) TO ifcd_app;

-- The registry's series move under the shared naming, keeping their numbers.
ALTER SEQUENCE firearm_reference_seq RENAME TO reference_fa;
ALTER SEQUENCE holder_reference_seq RENAME TO reference_ho;
