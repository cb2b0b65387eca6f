-- A case's status follows the work (issue 25): the first examination started moves a received
-- case to `under_examination`, the first review of its report to `in_review` (a new status), the
-- issue of the report to `reported`. Each move is a version of the case with its audit entry, in
-- the transaction of the work that caused it.
ALTER TABLE forensic_cases DROP CONSTRAINT forensic_cases_status_check;
ALTER TABLE forensic_cases ADD CONSTRAINT forensic_cases_status_check
    CHECK (status IN ('received', 'under_examination', 'in_review', 'reported', 'closed'));
