"""Schemathesis hooks for fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

`positive_data_acceptance_with_state` is schemathesis' positive_data_acceptance check (run with
the expected statuses of schemathesis.toml) except for the 422 refusals that depend on stored
state and that their status alone cannot tell from a missing constraint in the OpenAPI document:
a `cursor` this list never issued, an `Idempotency-Key` used before with another request, and a
reference to a record that does not exist ("no holder has this id"). fuzz.sh runs this check in
place of the built-in one.
"""
import re

import schemathesis
from schemathesis.specs.openapi.checks import positive_data_acceptance

# (field, detail) patterns of each refusal that depends on what the store holds.
STATE_REFUSALS = [
    (re.compile(r"cursor"), re.compile(r"is not a cursor this list issued")),
    (re.compile(r"Idempotency-Key"), re.compile(r"was used before with another request")),
    (re.compile(r"[a-z_]+_ids?(\[\d+\])?"), re.compile(r"no [a-z]+ has this id")),
]


def _state_refusal(response):
    if response.status_code != 422:
        return False
    try:
        problem = response.json()
    except Exception:
        return False
    errors = problem.get("errors") if isinstance(problem, dict) else None
    if not errors or not isinstance(errors, list):
        return False
    return all(
        isinstance(error, dict)
        and any(
            field.fullmatch(str(error.get("field", ""))) and detail.match(str(error.get("detail", "")))
            for field, detail in STATE_REFUSALS
        )
        for error in errors
    )


@schemathesis.check
def positive_data_acceptance_with_state(ctx, response, case):
    if _state_refusal(response):
        return None
    return positive_data_acceptance(ctx, response, case)
