"""seastat.access without Streamlit: roles from claims, sign-in age, refused identities, and the
partner view's small-count suppression."""
from __future__ import annotations

import base64
import datetime as dt
import json
import time

import pandas as pd
import pytest

from seastat import access
from seastat.config import DEFAULT_CONFIG, AccessSettings, ConfigError, load_settings

SETTINGS = AccessSettings()          # claim "roles"; seastat-command / seastat-analyst / seastat-partner
NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("claim,role", [
    (["seastat-analyst"], "analyst"),
    ("seastat-command", "command"),
    ("seastat-partner seastat-analyst", "analyst"),          # space-separated: the most privileged wins
    ("seastat-partner,seastat-command", "command"),
    (["seastat-partner", "seastat-command"], "command"),
    (["someone-else"], "partner"),                          # an unknown role: the partner view
    ([], "partner"),
    (None, "partner"),
    (42, "partner"),
    ({"role": "seastat-command"}, "partner"),               # a nested object names no role
    (["seastat-command" * 100], "partner"),
])
def test_role_from_claims(claim, role):
    claims = {"sub": "u1"} if claim is None else {"sub": "u1", "roles": claim}
    assert access.role_from_claims(claims, SETTINGS) == role


def test_claim_name_and_values_come_from_the_settings():
    settings = AccessSettings(claim="groups", analyst=["SeaStat Analysts"], command=[], partner=[])
    assert access.role_from_claims({"groups": ["SeaStat Analysts"]}, settings) == "analyst"
    assert access.role_from_claims({"roles": ["seastat-analyst"]}, settings) == "partner"


def test_a_value_mapped_to_two_roles_is_a_config_error(tmp_path):
    text = DEFAULT_CONFIG.read_text().replace('partner = ["seastat-partner"]', 'partner = ["seastat-analyst"]')
    path = tmp_path / "config.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="access: .*seastat-analyst"):
        load_settings(path)


def test_shipped_access_settings():
    assert load_settings().access.session_minutes == 480


@pytest.mark.parametrize("claims,expired", [
    ({"iat": (NOW - dt.timedelta(minutes=10)).timestamp()}, False),
    ({"iat": (NOW - dt.timedelta(minutes=481)).timestamp()}, True),
    # auth_time (when the provider last checked the person) wins over a refreshed iat
    ({"iat": NOW.timestamp(), "auth_time": (NOW - dt.timedelta(hours=9)).timestamp()}, True),
    ({"iat": (NOW + dt.timedelta(hours=1)).timestamp()}, True),     # dated in the future
    ({}, True),                                                     # no sign-in time at all
    ({"iat": "yesterday"}, True),
    ({"iat": True}, True),
    ({"iat": float("inf")}, True),
    ({"iat": 1e30}, True),
])
def test_a_sign_in_expires_after_session_minutes(claims, expired):
    assert access.expired(claims, 480, now=NOW) is expired


def test_oversized_claims_and_a_missing_subject_are_refused():
    access.check_identity({"sub": "u1", "roles": ["seastat-partner"]}, SETTINGS)
    with pytest.raises(access.IdentityRefused, match="bytes of claims"):
        access.check_identity({"sub": "u1", "name": "x" * 20_000}, SETTINGS)
    with pytest.raises(access.IdentityRefused, match="subject"):
        access.check_identity({"email": "a@b"}, SETTINGS)
    message = ""
    try:
        access.check_identity({"sub": "u1", "groups": ["g"] * 10_000}, SETTINGS)
    except access.IdentityRefused as exc:
        message = str(exc)
    assert "\n" not in message and len(message) < 200          # one line on the sign-in page


def test_what_each_role_may_do():
    partner, analyst, command = (access.Access(r, signed_in=True, who="a@b") for r in ("partner", "analyst", "command"))
    assert not partner.record_level and partner.suppresses and not partner.edits_commitments
    assert analyst.record_level and not analyst.suppresses and analyst.edits_commitments
    assert command.record_level and command.edits_commitments
    assert access.OPEN.record_level and not access.OPEN.suppresses
    assert "Sign-in off" in access.OPEN.caption() and "Partner" in partner.caption() and "a@b" in partner.caption()


def test_shown_name_is_short_and_one_line():
    assert access.shown_name({"email": "a@b.org", "sub": "x"}) == "a@b.org"
    assert access.shown_name({"name": "A\nB " + "c" * 100}).startswith("A B c") and \
        len(access.shown_name({"name": "c" * 100})) == 61


# --- Suppression -----------------------------------------------------------------------------------

def test_small_counts_are_blanked_and_totals_kept():
    df = pd.DataFrame({"area": ["City", "North", "East", "South"], "current": [7, 2, 5, 0],
                       "previous": [9, 4, 1, 4], "previous_change": [-2, -2, 4, -4], "share": [1.0, 0.29, 0.71, 0.0]})
    out = access.suppress_counts(df, ["current", "previous"], 3, totals=df["area"] == "City",
                                 derived={"previous_change": ["current", "previous"]})
    assert out["current"].tolist() == [7, "<3", 5, 0]               # 2 blanked; 0 kept (it names no one)
    assert out["previous"].tolist() == [9, 4, "<3", 4]
    assert out["previous_change"].tolist() == [-2, "<3", "<3", -4]   # a change would give the count back
    assert out["share"].tolist() == df["share"].tolist()            # not a count: left alone
    assert df["current"].tolist() == [7, 2, 5, 0]                   # the input is not changed
    chart = access.suppress_counts(df, ["current"], 3, for_chart=True)
    assert chart["current"].tolist()[1] is None


def test_a_formatted_table_takes_the_mask_of_its_numbers():
    numbers = pd.DataFrame({"current": [1.0, 12.0]})
    shown = pd.DataFrame({"current": ["1", "12"]})
    out = access.blank(shown, access.small_cells(numbers, ["current"], 3), "<3")
    assert out["current"].tolist() == ["<3", "12"]


def test_compstat_table_suppression(synth_store, settings):
    from seastat import reports
    period = reports.periods_offered(synth_store, settings, "crime")[0]
    table = reports.compstat_report(synth_store, settings, reports.View("crime", period)).table
    out = access.suppress_counts(table, access.COMPSTAT_COUNTS, 3, totals=table["level"] == "city",
                                 derived=access.COMPSTAT_DERIVED)
    small = table["current"].between(1, 2) & (table["level"] != "city")
    assert small.any()                                              # beats with one or two offenses exist
    assert (out.loc[small, "current"] == "<3").all() and (out.loc[small, "previous_change"] == "<3").all()
    for column in access.COMPSTAT_COUNTS:
        numbers = pd.to_numeric(out[column], errors="coerce")
        assert not numbers[table["level"] != "city"].between(1, 2, inclusive="both").any(), column
    assert out.loc[table["level"] == "city", "current"].tolist() == table.loc[table["level"] == "city", "current"].tolist()


def test_small_counts_inside_text_are_held_back_and_other_numbers_kept():
    assert access.counts_in_text("burglary 2, robbery 4", 3) == "burglary <3, robbery 4"
    assert access.counts_in_text("robbery 1", 3) == "robbery <3"
    assert access.counts_in_text("theft 1,204; 0.5 km; 0", 3) == "theft 1,204; 0.5 km; 0"
    assert access.counts_in_text(None, 3) is None


def test_knox_pairs_and_their_ratio_are_held_back_together():
    from seastat import tables
    knox = pd.DataFrame({"offense": ["robbery", "burglary"], "observed": [2, 40], "expected": [0.3, 20.0],
                         "ratio": [6.67, 2.0], "p": [0.03, 0.01]})
    out = access.held_back(knox, 3, **tables.HOLD_BACK["knox"])
    assert out["observed"].tolist() == ["<3", 40] and out["ratio"].tolist() == ["<3", 2.0]
    assert out["expected"].tolist() == [0.3, 20.0]


@pytest.mark.parametrize("name", ["hot-blocks", "hotspot-beats", "near-repeat"])
def test_the_hot_spot_tables_hold_back_every_small_count(synth_store, settings, name):
    """Each hot-spot table as a partner gets it (tables.HOLD_BACK): no count 1..min-1 left, in its
    count columns or its text, and what is computed from a held-back count held back with it."""
    from seastat import reports, tables
    period = reports.periods_offered(synth_store, settings, "crime")[0]
    table = tables.TABLES[name].build(synth_store, settings, reports.View("crime", period, offenses=["robbery"]))
    rule = tables.HOLD_BACK[name]
    low = settings.hotspots.min_cell_count
    out = access.held_back(table, low, **rule)
    each = pd.DataFrame({c: pd.to_numeric(table[c]).between(1, low - 1) for c in rule["counts"]})
    small = each.any(axis=1)
    texts = table[list(rule.get("texts", ()))].astype(str).apply(" ".join, axis=1).str.contains(r"\b[12]\b")
    assert (small | texts).any(), "the synthetic store has small counts in this table"   # the test can fail
    for column in rule["counts"]:
        assert not pd.to_numeric(out[column], errors="coerce").between(1, low - 1).any(), column
    for column, sources in rule.get("derived", {}).items():
        assert (out.loc[each[list(sources)].any(axis=1), column] == f"<{low}").all(), column
    for column in rule.get("texts", ()):
        assert not out[column].astype(str).str.contains(r"(?<![\d,.<])[12](?![\d]|[,.]\d)").any(), column
    kept = [c for c in table.columns if c not in rule.get("texts", ())]
    pd.testing.assert_frame_equal(out.loc[~small, kept], table.loc[~small, kept], check_dtype=False)   # the rest as it was


def test_count_columns_finds_whole_numbers_only():
    df = pd.DataFrame({"n": [1, 2], "f": [3.0, 4.0], "pct": [1.5, 2.0], "name": ["a", "b"], "flag": [True, False]})
    assert access.count_columns(df) == ["n", "f"]


# --- A sign-in that did not come back ------------------------------------------------------------

def _session_cookie(session: dict, secret: str) -> str:
    from itsdangerous import TimestampSigner
    return TimestampSigner(secret).sign(base64.b64encode(json.dumps(session).encode())).decode()


def test_a_pending_sign_in_is_seen_only_in_our_own_signed_session():
    pending = {"_state_default_abc": {"data": {}, "exp": time.time() + 3600}}
    assert access.sign_in_pending(_session_cookie(pending, "s3cret"), "s3cret")
    assert not access.sign_in_pending(_session_cookie(pending, "other"), "s3cret")          # forged
    assert not access.sign_in_pending(_session_cookie({"_state_default_abc": {"exp": 1}}, "s3cret"), "s3cret")
    assert not access.sign_in_pending(_session_cookie({}, "s3cret"), "s3cret")
    assert not access.sign_in_pending("garbage", "s3cret") and not access.sign_in_pending(None, "s3cret")


def test_the_return_script_follows_only_this_apps_paths():
    script = access.return_script(["", "trends", "data"], restore=True)
    assert '"/trends"' in script and '"/data"' in script and "location.replace" in script
    assert "location.replace" not in access.return_script([], restore=False)
