"""Schemathesis hooks for taavon's contract test (scripts/contract/run).

- Authentication: bearer tokens of TAAVON_ST_USER (password TAAVON_ST_PASSWORD), minted
  before the run starts (see TOKENS).
- Formats: valid national codes, legal IDs, county codes and dates for the `format`s the
  OpenAPI document names, so generated requests reach the rules behind the check digits.
- Two adjustments, explained where they are made (`filter_case`): a path parameter that a
  link filled with a null is not sent, nor a "negative" body the schema accepts. Generated Idempotency-Keys repeat ("0", "A") and are
  sent as they come: the same key with another body is answered 422
  `idempotency_key_reused`, which is the contract.
- The check `rejected_by_a_declared_rule`: a schema-valid request may still be refused
  with 422 for what JSON Schema cannot say (a record that does not exist, a rule across
  fields, the state of the data, a check digit); schemathesis.toml lets 422 through for
  that reason. It must never be refused by a rule the schema itself declares (a length,
  a list, a pattern, a minimum): that is the contract drifting, and this check fails it.
"""

import os
import re

import requests
import schemathesis
from hypothesis import strategies as st

BASE = os.environ["TAAVON_ST_BASE"]
USER = os.environ.get("TAAVON_ST_USER", "admin")
PASSWORD = os.environ.get("TAAVON_ST_PASSWORD", "demo")


def _login():
    response = requests.post(
        f"{BASE}/api/v1/auth/login",
        json={"username": USER, "password": PASSWORD},
        timeout=30,
    )
    response.raise_for_status()
    return response.json()["token"]


# Tokens are minted before any request is generated: the run itself tries wrong passwords
# on the user names it reads in responses, and after five the account is locked (the
# issue's login-throttling finding), so no login may be needed later. Every operation
# uses the first token; each logout revokes one of the spares instead.
TOKENS = [_login() for _ in range(int(os.environ.get("TAAVON_ST_TOKENS", "60")))]
MAIN_TOKEN = TOKENS.pop(0)


@schemathesis.auth(refresh_interval=None)
class TaavonLogin:
    """The run's bearer token, or for a logout a spare one (the logout revokes it)."""

    def get(self, case, context):
        if case.method.upper() == "POST" and case.operation.path == "/api/v1/auth/logout":
            return TOKENS.pop() if TOKENS else _login()
        return MAIN_TOKEN

    def set(self, case, data, context):
        case.headers = case.headers or {}
        case.headers["Authorization"] = f"Bearer {data}"


@schemathesis.hook
def filter_case(context, case):
    # schemathesis 4.32.5's stateful phase, following a link from a list whose items hold
    # a null (`GET /api/v1/users` → a user's `cooperative_id`), can pick the null and send
    # the path `/cooperatives/None`; no client could, and the path is not schema-valid.
    if any(value is None for value in (case.path_parameters or {}).values()):
        return False
    return not _negative_body_yet_valid(case)


def _negative_body_yet_valid(case):
    """Whether a case generated as invalid only in its body has a body the operation's
    schema accepts after all. schemathesis 4.32.5 negates one branch of an `anyOf` without
    looking at the others: for a code-or-blank field (`channel`: one of the channels, or
    blank) it sends `""` as "smaller than the codes' length", which the blank branch
    allows, then fails ST201 when the server accepts it. Such a case is not negative and
    is not sent. Judged conservatively: a string under any `format` counts as invalid
    (the formats' rules are the server's), so only a body valid without doubt is dropped.
    """
    import jsonschema_rs

    meta = case.meta
    if meta is None or not getattr(meta, "components", None):
        return False
    body_mode = None
    for location, info in meta.components.items():
        if getattr(location, "value", location) == "body":
            body_mode = info.mode
        elif not info.mode.is_positive:
            return False
    if body_mode is None or body_mode.is_positive:
        return False
    operation = DOCUMENT["paths"].get(case.operation.path, {}).get(case.method.lower(), {})
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content or "schema" not in content:
        return False
    schema = dict(content["schema"], components=DOCUMENT.get("components", {}))
    try:
        validator = jsonschema_rs.validator_for(
            schema,
            formats={name: (lambda _value: False) for name in FORMATS_NAMED},
            validate_formats=True,
        )
        return validator.is_valid(case.body)
    except Exception:  # noqa: BLE001 (an unreadable schema: keep the case)
        return False


# ---- formats --------------------------------------------------------------------------

PERSIAN = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _typed(digits):
    """The digits as a person might type them: ASCII or Persian."""
    return st.sampled_from([digits, digits.translate(PERSIAN)])


def _national_code(nine):
    total = sum(int(d) * w for d, w in zip(nine, range(10, 1, -1)))
    r = total % 11
    return nine + str(r if r < 2 else 11 - r)


def _legal_id(ten):
    k = int(ten[9]) + 2
    weights = [29, 27, 23, 19, 17]
    total = sum((int(d) + k) * weights[i % 5] for i, d in enumerate(ten))
    r = total % 11
    return ten + str(0 if r == 10 else r)


national_codes = (
    st.text("0123456789", min_size=9, max_size=9)
    .filter(lambda nine: len(set(nine)) > 1)
    .map(_national_code)
    .filter(lambda code: len(set(code)) > 1)
    .flatmap(_typed)
)
legal_ids = st.text("0123456789", min_size=10, max_size=10).map(_legal_id).flatmap(_typed)


def _county_codes():
    response = requests.get(f"{BASE}/api/v1/counties", timeout=30)
    response.raise_for_status()
    return sorted(county["code"] for county in response.json())


def _date(parts):
    calendar, year, month, day = parts
    separator = "/" if calendar == "jalali" else "-"
    return f"{year:04d}{separator}{month:02d}{separator}{day:02d}"


dates = st.one_of(
    st.tuples(st.just("jalali"), st.integers(1370, 1409), st.integers(1, 12), st.integers(1, 29)),
    st.tuples(st.just("iso"), st.integers(1990, 2035), st.integers(1, 12), st.integers(1, 28)),
).map(_date)

schemathesis.openapi.format("ir-national-code", national_codes)
schemathesis.openapi.format("ir-legal-id", legal_ids)
schemathesis.openapi.format("ir-county-code", st.sampled_from(_county_codes()))
schemathesis.openapi.format("date-jalali-or-iso", dates)


# ---- the check ------------------------------------------------------------------------

DOCUMENT = requests.get(f"{BASE}/api/openapi.json", timeout=30).json()


def _formats_in(node, found):
    if isinstance(node, dict):
        if isinstance(node.get("format"), str):
            found.add(node["format"])
        for value in node.values():
            _formats_in(value, found)
    elif isinstance(node, list):
        for value in node:
            _formats_in(value, found)
    return found


# Every `format` the document names (for `_negative_body_yet_valid`).
FORMATS_NAMED = _formats_in(DOCUMENT, set())

# Each rule the server reports, and the keyword of a field's schema that declares it.
DECLARED_BY = {
    "too_long": "maxLength",
    "unknown": "enum",
    "format": "pattern",
    "length": "pattern",
    "not_digits": "pattern",
    "date_format": "pattern",
    "province_code": "pattern",
    "prefix": "pattern",
    "positive": "minimum",
    "non_negative": "minimum",
    "amount_positive": "minimum",
}


def _resolve(schema):
    while isinstance(schema, dict) and "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = DOCUMENT["components"]["schemas"][name]
    return schema


def _branches(schema):
    """The schema and every alternative it allows (oneOf/anyOf/allOf), resolved."""
    schema = _resolve(schema)
    if not isinstance(schema, dict):
        return []
    found = [schema]
    for key in ("oneOf", "anyOf", "allOf"):
        for branch in schema.get(key, []):
            found.extend(_branches(branch))
    return found


def _field_schemas(operation, field):
    """The schemas a problem's `field` (`founders[2].national_code`, `limit`) names."""
    for parameter in operation.get("parameters", []):
        if parameter.get("name", "").lower() == field.lower():
            return _branches(parameter.get("schema", {}))
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schemas = _branches(body.get("schema", {}))
    for part in field.split("."):
        name, indexed = re.match(r"([^\[]*)((?:\[\d+\])*)$", part).groups()
        schemas = [
            found
            for schema in schemas
            for found in _branches(schema.get("properties", {}).get(name, {}))
        ]
        for _ in re.findall(r"\[\d+\]", indexed):
            schemas = [found for schema in schemas for found in _branches(schema.get("items", {}))]
    return schemas


@schemathesis.check
def rejected_by_a_declared_rule(ctx, response, case):
    """A schema-valid request is never refused by a rule its schema declares."""
    meta = case.meta
    if response.status_code != 422 or meta is None or not meta.generation.mode.is_positive:
        return None
    operation = DOCUMENT["paths"].get(case.operation.path, {}).get(case.method.lower(), {})
    try:
        errors = response.json().get("errors", [])
    except ValueError:
        return None
    for error in errors:
        keyword = DECLARED_BY.get(error.get("rule"))
        if keyword and any(keyword in s for s in _field_schemas(operation, error.get("field", ""))):
            raise AssertionError(
                f"Schema-valid request refused by a rule its schema declares: "
                f"{error.get('field')} broke `{error.get('rule')}` ({keyword} is declared)"
            )
    return None
