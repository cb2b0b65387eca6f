"""Schemathesis hooks for fuzz.sh (loaded through SCHEMATHESIS_HOOKS).

`positive_data_acceptance_with_state` is schemathesis' positive_data_acceptance check (run with
the expected statuses of schemathesis.toml) except for the 422 refusals, named one by one below,
that no OpenAPI document can declare, and that their status alone cannot tell from a missing
constraint: those that depend on stored state (a `cursor` this list never issued, an
`Idempotency-Key` used before with another request, a reference to a record that does not exist,
a change naming the values already stored) and those JSON Schema cannot state (one field
compared with another or with today, the content of a CSV body, a password's length in bytes).
Anything else refused is a constraint the document forgot, and fails. fuzz.sh runs this check in
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
    (re.compile(r"firearms\[\d+\]\.firearm_id"), re.compile(r"no firearm has this id")),
    # A seizure dated before the year of manufacture of a registry firearm it names.
    (re.compile(r"seized_on"), re.compile(r"is before the firearm's year of manufacture")),
    # A change whose values are those already stored.
    (re.compile(r"body"), re.compile(r"names no change")),
    # An event dated before the firearm's year of manufacture (stored on the firearm).
    (re.compile(r"occurred_on"), re.compile(r"is before the firearm's year of manufacture")),
    # Which account is the caller's own, and what its password is.
    (re.compile(r"roles"), re.compile(r"you cannot change your own roles")),
    (re.compile(r"clearance"), re.compile(r"you cannot change your own clearance")),
    # Need-to-know: the caller's clearance, and the account a case's team is given.
    (re.compile(r"confidentiality"), re.compile(r"is above your clearance")),
    # A holder search names whom it looks for (at least one of three optional parameters).
    (re.compile(r"name"), re.compile(r"a holder search names a name, an id_number or a date_of_birth")),
    # A trace's registry answer is for its own firearm or a candidate.
    (re.compile(r"firearm_id"), re.compile(r"is neither the request's firearm nor one of its candidates")),
    (re.compile(r"user_id"), re.compile(r"(no active user has this id|.* holds no role that reads (cases|traces)|.*'s clearance \(\w+\) is below|.* is not an examiner)")),
    # An examiner's authorisation: its days compared with each other.
    (re.compile(r"valid_until"), re.compile(r"is before valid_from")),
    (re.compile(r"last_day"), re.compile(r"(is before valid_from|is after valid_until)")),
    # A trace's legal review: a firearm only, and always, for the answer to an incoming request.
    (re.compile(r"firearm_id"), re.compile(r"(is given only for the answer to an incoming request|is required: the answer to an incoming request|is required: an answer naming holders|is given only with kind answer)")),
    (re.compile(r"disabled"), re.compile(r"you cannot disable your own account")),
    (re.compile(r"current_password"), re.compile(r"is not your current password")),
    (re.compile(r"new_password"), re.compile(r"is the current password")),
    # Whether an issue is a first report or an amendment follows from the versions issued.
    (re.compile(r"replaces|amendment_reason"),
     re.compile(r"(no version of this report is issued yet|a first issue amends nothing|version \d+ is issued|an amended report says why)")),
    # The two exhibits a lead links.
    (re.compile(r"exhibit_[ab]"), re.compile(r"no exhibit has this id")),
    # A custody transfer to a user names an existing, enabled user (the fuzzer's usernames are random).
    (re.compile(r"to_user"), re.compile(r"(names no enabled user of this system|holds no role that receives exhibits)")),
    # A destruction's witnesses are active users other than the one who records it.
    (re.compile(r"witnesses(\[\d+\])?"), re.compile(r"(is not an active user|names .* who records the destruction)")),
    # A lead's first decision replaces nothing.
    (re.compile(r"replaces"), re.compile(r"the lead has no decision yet")),
    # A trace drafted from an exhibit: the exhibit's kind, and the links given beside it must be its own.
    (re.compile(r"exhibit_id"), re.compile(r"(is an? [a-z ]+: a trace follows a firearm|belongs to another (case|seizure) than|is another registry firearm than)")),
    # Tracing: sending a draft checks the ITI minimum content stored on it (each missing field),
    # its deadline against today, and the legal review its personal data needs.
    (re.compile(r"addressee|requesting_officer|requesting_agency|firearm|firearm\.(make|type|calibre|serial)|circumstances(\.recovered_on|\.recovery_country)?|legal_basis|illicit_nature|intended_use|deadline"),
     re.compile(r"(is required|is in the past)")),
    (re.compile(r"legal_review"), re.compile(r"the request names a possessor or associates")),
    # A follow-on's parent: itself, or an incoming request; a bulk seizure with no (or too many) firearms.
    (re.compile(r"parent_id"), re.compile(r"(is the request itself|is an incoming request)")),
    (re.compile(r"seizure_id"), re.compile(r"(the seizure lists no firearm|lists more than)")),
    (re.compile(r"addressee"), re.compile(r"is required: firearm \d+")),
    # Who sends acknowledgements and answers follows from the request's direction.
    (re.compile(r"direction"), re.compile(r"an [a-z_]+ on an? [a-z]+ request is")),
]

# Rules a JSON schema cannot state, named one by one: a comparison between two fields, the
# content of a CSV body, a password's length in UTF-8 bytes (bcrypt's limit), and JSON text
# whose strings hold unpaired UTF-16 surrogate escapes (RFC 8259 8.2: their meaning is
# unpredictable, so they are refused).
UNSTATABLE_REFUSALS = [
    (re.compile(r"valid_until"), re.compile(r"is before valid_from")),
    (re.compile(r"import_year"), re.compile(r"is before the year of manufacture")),
    (re.compile(r"password"), re.compile(r"must be at most 72 bytes")),
    (re.compile(r"body"), re.compile(r"The given data was not valid JSON")),
    (re.compile(r"status_reason"), re.compile(r"is required to revoke or suspend a licence")),
    # A serial may be left out only when the marking's condition says why, and then the state's
    # marking is required; a restored marking needs its method.
    (re.compile(r"serial"), re.compile(r"is required unless marking_condition")),
    (re.compile(r"state_marking"), re.compile(r"is required for a firearm recorded without a serial")),
    (re.compile(r"restoration_method"), re.compile(r"is required when the marking was restored")),
    # A date compared with today (JSON Schema has no "not after today").
    (re.compile(r"occurred_on|date_of_birth"), re.compile(r"is in the future")),
    # Which fields an event needs follows from its kind and transfer kind: a voiding its event and
    # reason, a back-captured event its source, a return or confiscation its authority, a
    # conversion what it changed; certificates belong to deactivations and destructions.
    (re.compile(r"authority|conversion|category_after|certificate_number|certificate_standard|voids_event_id|reason|source_document|cross_border"),
     re.compile(r"(applies only to|is required|or category_after is required)")),
    (re.compile(r"transfer_kind"), re.compile(r"(applies only to transfers|is required for a transfer)")),
    # A destruction names its certificate and two witnesses; other dispositions name neither.
    (re.compile(r"witnesses"), re.compile(r"(a destruction names two witnesses|names the same witness twice|are named only for a destruction)")),
    # A lead's decision corrected names the one it replaces with the reason, and only then a reason.
    (re.compile(r"reason"), re.compile(r"(is required with replaces|is given only with replaces)")),
    (re.compile(r"counterpart_country"), re.compile(r"is required for an import or export")),
    # Which licences a transfer abroad needs follows from its direction (Firearms Protocol Art 10).
    (re.compile(r"cross_border\.(export|import)_licence"), re.compile(r"is required")),
    (re.compile(r"cross_border\.importing_country"), re.compile(r"is the exporting country")),
    (re.compile(r"cross_border\.(export|import)_licence\.expires_on"), re.compile(r"is before issued_on")),
    (re.compile(r"quantity"), re.compile(r"must be at least the number of firearms named")),
    # retention_use says whose period counts for retention=due; alone it asks nothing.
    (re.compile(r"retention_use"), re.compile(r"applies only with retention=due")),
    # A component is recorded for its markings: a serial or other markings.
    (re.compile(r"serial"), re.compile(r"or other_markings is required")),
    (re.compile(r"direction"), re.compile(r"must be export or import")),
    (re.compile(r"shipped_on|verified_on|ceased_on"), re.compile(r"(is in the future|is before the consignment was shipped)")),
    (re.compile(r"counterpart_holder_id"), re.compile(r"is required for a domestic transfer")),
    # Forensics. Dates compared with today, and one date with another.
    (re.compile(r"seized_on|incident_on|received_on|requested_on|started_on|completed_on"), re.compile(r"is in the future")),
    (re.compile(r"incident_on"), re.compile(r"is after received_on")),
    (re.compile(r"completed_on"), re.compile(r"is before started_on")),
    (re.compile(r"started_on"), re.compile(r"is required with completed_on")),
    # Coordinates come in pairs.
    (re.compile(r"latitude|longitude"), re.compile(r"is required with (latitude|longitude)")),
    # A seizure's firearms: one registry record named twice; an illicit find as the registry's
    # own rules take it (its serial, state marking and restoration method, as above), and not
    # made after the year of its seizure.
    (re.compile(r"firearms\[\d+\]\.firearm_id"), re.compile(r"names the same firearm as")),
    (re.compile(r"firearms\[\d+\]\.description\.serial"), re.compile(r"is required unless marking_condition")),
    (re.compile(r"firearms\[\d+\]\.description\.state_marking"), re.compile(r"is required for a firearm recorded without a serial")),
    (re.compile(r"firearms\[\d+\]\.description\.restoration_method"), re.compile(r"is required when the marking was restored")),
    (re.compile(r"firearms\[\d+\]\.description\.year_of_manufacture"), re.compile(r"is after the seizure's year")),
    # A case linked to itself.
    (re.compile(r"target_id"), re.compile(r"is the case itself")),
    # What an examination may carry follows from its kind and its conclusion (AFTE range).
    (re.compile(r"afte_conclusion"), re.compile(r"applies only to a comparison")),
    (re.compile(r"elimination_reason"), re.compile(r"(is required for an elimination|applies only to an elimination)")),
    (re.compile(r"recovered_serial|part_examined"), re.compile(r"applies only to a serial number restoration")),
    # A review that returns the report says what must change.
    (re.compile(r"note"), re.compile(r"is required when the report is returned")),
    # Exhibits. What an exhibit takes follows from its kind; a derived exhibit names parent and
    # derivation together; a test-fire comes from a firearm exhibit of the same case; a seizure
    # must be one of the case's; custody steps depend on the transfer and the current seal.
    (re.compile(r"headstamp|lot|lands_and_grooves|twist_direction|manufacture_origin"), re.compile(r"is recorded on")),
    (re.compile(r"firearm_id"), re.compile(r"names a registry firearm: only a firearm exhibit has one")),
    (re.compile(r"parent_id|derivation"), re.compile(r"a derived exhibit names both")),
    (re.compile(r"parent_id"), re.compile(r"(belongs to another case|a test-fire comes from a firearm exhibit)")),
    (re.compile(r"kind"), re.compile(r"a test-fire is a cartridge case")),
    (re.compile(r"seizure_id"), re.compile(r"is not a seizure of case")),
    (re.compile(r"to_user"), re.compile(r"name exactly one receiver")),
    (re.compile(r"to"), re.compile(r"names the exhibit's current custodian")),
    (re.compile(r"receipt_sha256|receipt_reference"), re.compile(r"(is required for|is recorded only for) a hand-over")),
    (re.compile(r"seal_number"), re.compile(r"is the exhibit's current seal")),
    (re.compile(r"date"), re.compile(r"(is in the future|is before the exhibit was received)")),
    # Imaging and leads: what imaging takes, what a lead may link, what a hit needs.
    (re.compile(r"acquired_on"), re.compile(r"(is in the future|is before the exhibit was received)")),
    (re.compile(r"exhibit"), re.compile(r"is a [a-z_]+: imaging takes")),
    (re.compile(r"exhibit_[ab]"), re.compile(r"(is exhibit_a|is a [a-z_]+|is of the same case)")),
    (re.compile(r"examination_id"), re.compile(r"(is required for an identification|is recorded only with|is not a comparison|is an examination of another case)")),
    # Tracing: a manufacturer or importer addressee needs its name; a deadline not in the past;
    # a serial with no letter or digit needs another marking; what an answer carries follows from
    # its outcome, and what a message carries from its kind.
    (re.compile(r"addressee\.name"), re.compile(r"is required for an? (manufacturer|importer)")),
    (re.compile(r"deadline"), re.compile(r"is in the past")),
    (re.compile(r"circumstances\.recovered_on|circumstances\.(possessor|associates\[\d+\])\.date_of_birth|received_on|answer\.transfers\[\d+\]\.on|answer\.last_lawful_holder\.since"),
     re.compile(r"is in the future")),
    (re.compile(r"firearm\.serial"), re.compile(r"(has no letter or digit|is required \(or the other or import markings)")),
    (re.compile(r"answer\.(not_traced_reason|reason|transfers|last_lawful_holder|diversion_established|diversion_how)"),
     re.compile(r"(is required|is given only when not traced|must list the chain of lawful transfers)")),
    (re.compile(r"answer"), re.compile(r"(is required for an answer|is given only with kind answer)")),
    (re.compile(r"body"), re.compile(r"is required")),
    # Last: the CSV's own columns and rows (only on the import route).
    (re.compile(r".*", re.S), re.compile(r".*(column|field).*", re.S)),
]


def _state_refusal(response, case):
    if response.status_code != 422:
        return False
    # schemathesis sends an empty optional header as if it were absent; ifcd refuses an empty
    # If-Match (a client that sends the header means to name a version).
    headers = case.headers or {}
    if headers.get("If-Match") == "":
        return True
    # The stateful phase sometimes links a path id it could not find in the previous answer and
    # sends the text "None": no id at all, refused as the malformed id it is.
    if any(str(value) == "None" for value in (case.path_parameters or {}).values()):
        return True
    csv = case.path == "/v1/imports/firearms"
    try:
        problem = response.json()
    except Exception:
        return False
    errors = problem.get("errors") if isinstance(problem, dict) else None
    if not errors or not isinstance(errors, list):
        return False
    named = STATE_REFUSALS + [rule for rule in UNSTATABLE_REFUSALS if csv or rule is not UNSTATABLE_REFUSALS[-1]]
    return all(
        isinstance(error, dict)
        and any(
            field.fullmatch(str(error.get("field", ""))) and detail.match(str(error.get("detail", "")))
            for field, detail in named
        )
        for error in errors
    )


@schemathesis.check
def positive_data_acceptance_with_state(ctx, response, case):
    if _state_refusal(response, case):
        return None
    return positive_data_acceptance(ctx, response, case)
