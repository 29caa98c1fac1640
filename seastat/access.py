"""Who may see what: the role from the identity provider's claims, how long a sign-in lasts, and
the partner view's suppression of small counts. Pure (no Streamlit): app.py and seastat.ui feed it
st.user's claims.

Roles, most to least:
- command: everything (and whatever the dashboard lets command staff change);
- analyst: everything, record search and every export, commitment editing;
- partner: the dashboard and shared-screen mode; no record-level search or record export, no
  officer- or subject-level detail, no commitment editing, and counts under
  [hotspots] min_cell_count blanked in every table and chart (suppress_counts).
Anyone signed in whose claim matches no configured value gets the partner view.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import numbers
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from .config import AccessSettings

ROLES = ("command", "analyst", "partner")          # most privileged first
AUDIENCES = ("partner", "command")                 # whom a meeting packet is made for (the hand-out first)
WHAT = {
    "command": "Command staff: everything",
    "analyst": "Analyst: everything, record search and exports",
    "partner": "Partner: dashboard and shared screen, small counts hidden",
}
CLOCK_SKEW = dt.timedelta(minutes=2)               # a sign-in time this far in the future is still believed
LONGEST_VALUE = 256                                # a role value longer than this is not a role


class IdentityRefused(Exception):
    """An identity SeaStat will not use; the message is shown on the sign-in page."""


@dataclass(frozen=True)
class Access:
    """The role in force for one session, and what it allows."""
    role: str
    signed_in: bool          # False when sign-in is off (a local `make run`): then everything is open
    who: str = ""

    @property
    def record_level(self) -> bool:
        """Record search, record export, officer- and subject-level detail."""
        return self.role != "partner"

    @property
    def edits_commitments(self) -> bool:
        return self.role in ("command", "analyst")

    @property
    def suppresses(self) -> bool:
        """Whether counts under min_cell_count are blanked in tables and charts."""
        return self.role == "partner"

    def caption(self) -> str:
        if not self.signed_in:
            return "Sign-in off · everyone who can reach this address sees everything"
        return f"{WHAT[self.role]} · signed in as {self.who}" if self.who else WHAT[self.role]


OPEN = Access("command", signed_in=False)          # sign-in off: the local dashboard


def role_from_claims(claims: Mapping[str, object], settings: AccessSettings) -> str:
    """The most privileged role any of the claim's values maps to; partner when none does.

    Providers send a role claim as a list (["a", "b"]) or as one string, some space- or
    comma-separated ("a b"); anything else (a number, a nested object) names no role."""
    raw = claims.get(settings.claim)
    known = {v for role in ROLES for v in getattr(settings, role)}
    values: list[str] = []
    for item in (raw if isinstance(raw, list) else [raw]):
        if isinstance(item, str) and len(item) <= LONGEST_VALUE:
            # A configured value may itself hold a space ("SeaStat Analysts"): match it whole first.
            values.extend([item] if item in known else item.replace(",", " ").split())
    granted = {role for role in ROLES for value in values if value in getattr(settings, role)}
    return next((role for role in ROLES if role in granted), "partner")


def signed_in_at(claims: Mapping[str, object]) -> dt.datetime | None:
    """When the person signed in: the ID token's auth_time (when the provider checked them), else
    its iat (when it issued the token). None when neither is a usable Unix time."""
    for name in ("auth_time", "iat"):
        value = claims.get(name)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value) and value > 0:
            try:
                return dt.datetime.fromtimestamp(value, dt.timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
    return None


def expired(claims: Mapping[str, object], minutes: int, now: dt.datetime | None = None) -> bool:
    """Whether a sign-in is too old (or of unknown age, or dated in the future) to be used."""
    now = now or dt.datetime.now(dt.timezone.utc)
    since = signed_in_at(claims)
    if since is None or since > now + CLOCK_SKEW:
        return True
    return now - since > dt.timedelta(minutes=minutes)


def check_identity(claims: Mapping[str, object], settings: AccessSettings) -> None:
    """Refuse an identity SeaStat should not carry around: no subject, or more claims than a
    sign-in needs (an oversized token is a misconfigured or hostile provider)."""
    size = len(json.dumps(dict(claims), default=str, ensure_ascii=False).encode())
    if size > settings.max_claims_bytes:
        raise IdentityRefused(f"The identity provider sent {size:,} bytes of claims, more than the "
                              f"{settings.max_claims_bytes:,} SeaStat accepts; ask {settings.contact} to trim them.")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub or len(sub) > LONGEST_VALUE:
        raise IdentityRefused("The identity provider sent no usable subject (sub); sign-in refused.")


def shown_name(claims: Mapping[str, object]) -> str:
    """The name the page shows for the signed-in person (email, else name, else subject), cut short."""
    for name in ("email", "name", "preferred_username", "sub"):
        value = claims.get(name)
        if isinstance(value, str) and value.strip():
            value = " ".join(value.split())
            return value if len(value) <= 60 else value[:60] + "…"
    return ""


def access_for(claims: Mapping[str, object], settings: AccessSettings, now: dt.datetime | None = None) -> Access:
    """The Access of a signed-in session's claims. Raises IdentityRefused for an unusable
    identity; the caller decides about expiry (expired()) first."""
    check_identity(claims, settings)
    return Access(role_from_claims(claims, settings), signed_in=True, who=shown_name(claims))


# --- The partner view: counts under min_cell_count are blanked ------------------------------------

def small_cells(df: pd.DataFrame, counts: Sequence[str], min_count: int, *,
                totals: pd.Series | Sequence[bool] | None = None,
                derived: Mapping[str, Iterable[str]] | None = None) -> pd.DataFrame:
    """Which cells to blank: each of `counts` that is at least 1 and under min_count, and each
    `derived` column (a change, a percentage, a p-value, a flag) whose source counts include a
    blanked one, since it would give the count back. Rows where `totals` is true are kept (a total
    row stays as it is). Zero is kept: it names no one.

    Returns a boolean frame with df's index and the blanked columns."""
    mask = pd.DataFrame(index=df.index)
    for column in counts:
        value = pd.to_numeric(df[column], errors="coerce")
        mask[column] = ((value >= 1) & (value < min_count)).fillna(False).astype(bool)   # a blank (NA) count stays blank
    for column, sources in (derived or {}).items():
        if column in df.columns:
            mask[column] = mask[[s for s in sources if s in mask.columns]].any(axis=1)
    if totals is not None:
        mask.loc[pd.Series(totals, index=df.index).astype(bool).to_numpy()] = False
    return mask


def blank(df: pd.DataFrame, mask: pd.DataFrame, mark: object) -> pd.DataFrame:
    """A copy of df (the numbers, or the same rows already formatted for a table) with the cells
    of `mask` replaced by `mark`."""
    out = df.copy()
    for column in mask.columns:
        hide = mask[column].to_numpy(dtype=bool)
        if column in out.columns and hide.any():
            out[column] = out[column].astype(object)
            out.loc[hide, column] = mark
    return out


def suppress_counts(df: pd.DataFrame, counts: Sequence[str], min_count: int, *,
                    totals: pd.Series | Sequence[bool] | None = None,
                    derived: Mapping[str, Iterable[str]] | None = None,
                    texts: Sequence[str] = (),
                    for_chart: bool = False) -> pd.DataFrame:
    """df with small counts blanked: "<3" in a table (min_count 3), None in a chart's data (so
    the mark is not drawn). See small_cells for which cells; `texts` are columns of words and
    counts ("burglary 2, robbery 4") whose small counts read "<3" in place."""
    mark = None if for_chart else f"<{min_count}"
    out = blank(df, small_cells(df, counts, min_count, totals=totals, derived=derived), mark)
    for column in texts:
        out[column] = out[column].map(lambda text: counts_in_text(text, min_count))
    return out


@dataclass(frozen=True)
class Counting:
    """How a sentence states a count: every sentence builder (the written summary, compare's lines,
    a commitment's result) says its counts through one of these. For the partner view (`under` =
    min_cell_count) a count from 1 to under - 1 reads "fewer than 3", and a sentence leaves out what
    is computed from it (a difference, a percentage, an expected count, a p-value: `held`), since
    that would give the count back. A regex over finished text could not tell a count from a date."""
    under: int = 0            # 0: every count as it is (command staff, analysts)

    def held(self, *counts: object) -> bool:
        """Whether any of these counts is held back (so is anything computed from it)."""
        return any(isinstance(n, numbers.Real) and 1 <= n < self.under for n in counts)

    def __call__(self, n: float, decimals: int = 0) -> str:
        return f"fewer than {self.under}" if self.held(n) else f"{n:,.{decimals}f}"

    def cell(self, n: float) -> str:
        """A count as a table or a key number shows it: "<3" when held back."""
        return f"<{self.under}" if self.held(n) else f"{n:,.0f}"


EXACT = Counting()


def counting(who: Access, min_count: int) -> Counting:
    """How sentences state counts for `who`."""
    return Counting(min_count if who.suppresses else 0)


def counts_in_text(text: object, min_count: int) -> object:
    """A text's whole numbers from 1 to min_count - 1 as "<3" ("burglary 2, robbery 4" -> "burglary <3, robbery 4")."""
    if not isinstance(text, str):
        return text
    return re.sub(r"(?<![\d,.])\d+(?![\d]|[,.]\d)", lambda m: m[0] if not 1 <= int(m[0]) < min_count else f"<{min_count}", text)


def held_back(df: pd.DataFrame, min_count: int, counts: Sequence[str] | None = None, **rule) -> pd.DataFrame:
    """df as the partner view shows it, on screen, in a CSV and in the packet: suppress_counts with
    `counts` (else the table's whole-number columns, count_columns) and the rest of `rule`
    (totals, derived, texts, for_chart)."""
    return suppress_counts(df, count_columns(df) if counts is None else counts, min_count, **rule)


def count_columns(df: pd.DataFrame, exclude: Iterable[str] = ()) -> list[str]:
    """A table's counts when nobody named them: its whole-number columns (integers, or floats that
    are all whole, as pandas leaves counts after a join). Errs towards blanking more."""
    skip = set(exclude)
    found = []
    for column in df.columns:
        values = df[column]
        if column in skip or pd.api.types.is_bool_dtype(values) or not pd.api.types.is_numeric_dtype(values):
            continue
        present = values.dropna()
        if pd.api.types.is_integer_dtype(values) or (len(present) and (present == present.round()).all()):
            found.append(column)
    return found


# The CompStat table (reports.compstat_report(...).table): each window's count and what is computed from it.
COMPSTAT_COUNTS = ("current", "previous", "last_year", "rolling", "prior_rolling", "ytd", "prior_ytd", "baseline")
COMPSTAT_DERIVED = {
    **{f"{w}_{part}": ("current", w) for w in ("previous", "last_year") for part in ("change", "pct", "p", "flag")},
    **{f"expected_{part}": ("current",) for part in ("change", "pct", "p", "flag")},
    **{f"rolling_{part}": ("rolling", "prior_rolling") for part in ("change", "pct", "p", "flag")},
    **{f"ytd_{part}": ("ytd", "prior_ytd") for part in ("change", "pct", "p", "flag")},
}


# --- Coming back to the meeting's view after the provider's round trip ---------------------------

def return_script(paths: Sequence[str], restore: bool) -> str:
    """JavaScript for st.html: the sign-in page keeps the address it was opened at (path and query
    string) in the tab's sessionStorage; the first page after signing in goes back to it. Streamlit's
    callback always lands on "/", so without it a meeting's link would be lost. Only a path of this
    app is ever followed: never another host, never "//host" or a scheme."""
    allowed = json.dumps(["/" + p.strip("/") if p.strip("/") else "/" for p in paths])
    if not restore:
        return ("<script>try{sessionStorage.setItem('seastat_return',"
                "window.parent.location.pathname+window.parent.location.search)}catch(e){}</script>")
    return ("<script>try{const v=sessionStorage.getItem('seastat_return');sessionStorage.removeItem('seastat_return');"
            f"const ok={allowed};"
            "if(v&&/^\\/[A-Za-z0-9_\\-]*(\\?[^#\\\\]*)?$/.test(v)&&ok.includes(v.split('?')[0])&&v!=='/'"
            "&&v!==window.parent.location.pathname+window.parent.location.search){window.parent.location.replace(v)}"
            "}catch(e){}</script>")


def sign_in_pending(session_cookie: str | None, cookie_secret: str, now: float | None = None) -> bool:
    """Whether this browser started a sign-in that never came back with an identity: a state that
    Authlib keeps in Streamlit's session cookie ("_streamlit_session", Starlette's signed session)
    until the provider's answer is accepted. Streamlit drops a tampered or replayed answer
    (a state it does not know, or an error from the provider) without a word, so the sign-in page
    says so instead. A cookie that is not ours or not signed with our secret says nothing."""
    if not session_cookie or not cookie_secret:
        return False
    import base64
    import time

    from itsdangerous import BadSignature, TimestampSigner
    try:
        data = TimestampSigner(str(cookie_secret)).unsign(session_cookie.encode("latin-1"))
        session = json.loads(base64.b64decode(data))
    except (BadSignature, ValueError, UnicodeError):
        return False
    if not isinstance(session, dict):
        return False
    now = time.time() if now is None else now
    return any(key.startswith("_state_") and isinstance(value, dict)
               and isinstance(value.get("exp"), (int, float)) and value["exp"] > now
               for key, value in session.items())
