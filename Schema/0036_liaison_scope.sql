-- What a liaison officer sees (issue 24): one who reads cases only through tracing (holding
-- neither analyst nor examiner) sees a case when they are on its team (an examiner adds them to
-- ask for a trace) or when a trace they may see was made from it; its exhibits follow the case;
-- a seizure when a trace they may see names it or a case they may see names it. A seizure named
-- by no case carries no case's need-to-know: it stays readable, so that it can be traced.

-- Published by the tracing module, like a view: is the case or seizure named by a trace the
-- viewer may see?
CREATE INDEX traces_case ON traces (case_id) WHERE case_id IS NOT NULL;
CREATE FUNCTION trace_links_visible(case_id uuid, seizure_id uuid, viewer uuid, clearance text) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT EXISTS (SELECT 1 FROM traces t
                   WHERE ((trace_links_visible.case_id IS NOT NULL AND t.case_id = trace_links_visible.case_id)
                          OR (trace_links_visible.seizure_id IS NOT NULL AND t.seizure_id = trace_links_visible.seizure_id))
                     AND trace_visible(t.id, t.confidentiality, t.case_id, viewer, clearance))
$$;

-- The case rule with the liaison scope (`traced_only`: the viewer reads cases only through tracing).
CREATE FUNCTION forensic_case_visible(case_id uuid, confidentiality text, viewer uuid, clearance text, traced_only boolean) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT forensic_case_visible(case_id, confidentiality, viewer, clearance)
       AND (NOT traced_only
            OR EXISTS (SELECT 1 FROM forensic_case_members m
                       WHERE m.case_id = forensic_case_visible.case_id AND m.user_id = viewer AND m.removed_at IS NULL)
            OR trace_links_visible(forensic_case_visible.case_id, NULL, viewer, clearance))
$$;

CREATE FUNCTION forensic_case_visible_to(case_id uuid, viewer uuid, clearance text, traced_only boolean) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT coalesce((SELECT forensic_case_visible(c.id, c.confidentiality, viewer, clearance, traced_only)
                     FROM forensic_cases c WHERE c.id = forensic_case_visible_to.case_id), false)
$$;

CREATE FUNCTION seizure_visible(seizure_id uuid, viewer uuid, clearance text, traced_only boolean) RETURNS boolean
    LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT NOT traced_only
        OR trace_links_visible(NULL, seizure_visible.seizure_id, viewer, clearance)
        OR NOT EXISTS (SELECT 1 FROM forensic_cases c WHERE c.seizure_ids @> ARRAY[seizure_visible.seizure_id])
        OR EXISTS (SELECT 1 FROM forensic_cases c
                   WHERE c.seizure_ids @> ARRAY[seizure_visible.seizure_id]
                     AND forensic_case_visible(c.id, c.confidentiality, viewer, clearance, true))
$$;

REVOKE ALL ON FUNCTION trace_links_visible(uuid, uuid, uuid, text), forensic_case_visible(uuid, text, uuid, text, boolean),
    forensic_case_visible_to(uuid, uuid, text, boolean), seizure_visible(uuid, uuid, text, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION trace_links_visible(uuid, uuid, uuid, text), forensic_case_visible(uuid, text, uuid, text, boolean),
    forensic_case_visible_to(uuid, uuid, text, boolean), seizure_visible(uuid, uuid, text, boolean) TO ifcd_app;
