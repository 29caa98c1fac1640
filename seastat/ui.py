"""What every Streamlit page shares: settings, the pinned store, cached reports, the meeting's
view (kept across pages and in every URL), pickers, charts and downloads.

The only module of the package that imports Streamlit; every number it shows comes from
seastat.reports.
"""
from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd
import streamlit as st

from . import access, export, meetings, reports, service
from .compstat import precinct_order
from .config import Settings, load_settings
from .datasets import FACTS
from .periods import Window
from .store import Store, StoreError, current_version_dir


def page(title: str | None) -> None:
    """The first line of every page: its title, after making sure it runs through app.py.

    Streamlit runs an app that has a pages/ folder as an old-style multipage app until some
    session has run app.py's st.navigation, so a deep link opened first on a fresh server (and
    every AppTest run) runs the page alone, without app.py's navigation and notices. This switches
    that mode off and runs the view again, through app.py. There is no supported switch for it;
    tests/test_browser.py fails if a Streamlit upgrade changes the behaviour."""
    from streamlit.runtime.pages_manager import PagesManager
    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()
    here = title or "shared screen"
    st.session_state["_seastat_entered"] = st.session_state.get("_seastat_page") != here
    st.session_state["_seastat_page"] = here
    if title:
        st.title(title)


_PAGES: list[tuple[str, str, str, str, str]] = []


def register_pages(pages: list[tuple[str, str, str, str, str]]) -> None:
    """app.py's table of pages (file, title, icon, URL path, blurb), for Home's links."""
    _PAGES[:] = pages


def pages() -> list[tuple[str, str, str, str, str]]:
    return list(_PAGES)


@st.cache_resource
def settings() -> Settings:
    return load_settings(os.environ.get("SEASTAT_CONFIG"))


def store_dir() -> Path:
    return Path(os.environ.get("SEASTAT_STORE") or settings().store_dir)


@st.cache_resource(max_entries=2)
def _store_at(version_dir: str) -> Store:
    return Store(Path(version_dir))


def store() -> Store:
    """The store version the view is pinned to (`?version=`, a meeting's), else the one `current`
    points at now; cached per version, so a re-publish shows without a restart. With no store, the
    page says what is missing and stops there."""
    try:
        root = store_dir()
        current = current_version_dir(root)
    except StoreError as exc:
        st.error(f"No data to show. {exc}")
        st.stop()

    def kept(version: str) -> Path:
        try:
            return meetings.version_dir(root, version)
        except StoreError as exc:
            raise ValueError(version) from exc

    folder = url_value("version", current, kept, "store version")
    if folder != current:
        set_url(version=folder.name)
    return _store_at(str(folder))


@st.cache_data(max_entries=256, show_spinner=False)
def _report(name: str, version_dir: str, args: tuple, kwargs: dict) -> Any:
    return getattr(reports, name)(_store_at(version_dir), settings(), *args, **kwargs)


def report(fn: Callable, *args: Any, **kwargs: Any) -> Any:
    """reports.<fn>(store, settings, *args), cached per analysis, store version and parameters."""
    return _report(fn.__name__, str(store().version_dir), args, kwargs)


@st.cache_resource(max_entries=2, show_spinner=False)
def _commitments(database_url: str):
    from . import actions
    return actions.Actions.open(database_url)       # migrated to the newest schema on first open


def commitments(needed: bool = False):
    """The commitments database of config.toml [actions], or None when it cannot be opened (said
    once); `needed`: the page is about commitments, so it says why as its error and stops."""
    from . import actions
    try:
        return _commitments(settings().database_url)
    except actions.ActionError as exc:
        if needed:
            st.error(str(exc))
            st.stop()
        notices().append(f"The commitments cannot be read: {exc}")
        return None


@st.cache_resource(max_entries=2, show_spinner=False)
def _known(version_dir: str):
    from . import actions
    return actions.Known.from_store(_store_at(version_dir), settings())


def known_places():
    """The places and targets a commitment may name in the store on screen (seastat.actions.Known)."""
    return _known(str(store().version_dir))


@st.cache_data(max_entries=256, show_spinner=False)
def _commitment_result(version_dir: str, record) -> Any:
    from . import actions
    return actions.result(_store_at(version_dir), record, _known(version_dir), settings())


def commitment_result(record) -> Any:
    """A commitment's result (seastat.actions.result), per store version and commitment version:
    a re-publish or an edit recomputes it."""
    return _commitment_result(str(store().version_dir), record)


def due_back(period: Window) -> tuple:
    """The commitments due back at the meeting at the end of `period` (read fresh: they change in the meeting)."""
    return reports.commitments_due(commitments(), period.end)


def meeting_pins() -> dict[str, str]:
    return meetings.pins(store_dir())


def pin_meeting(day: dt.date) -> dict[str, str]:
    """Pin the version on screen for the meeting of `day`."""
    return meetings.pin(store_dir(), day, store().version, settings().meetings.keep)


# --- Notices: said once, at the top of the page -------------------------------------------------

def notices() -> list[str]:
    return st.session_state.setdefault("_seastat_notices", [])


def show_notices(where=st) -> None:
    for note in dict.fromkeys(notices()):
        where.info(note, icon=":material/info:")
    notices().clear()


def store_notices(s: Store) -> None:
    """What a reader must know before reading any number: synthetic data, a changed taxonomy."""
    summary = report(reports.data_summary)
    current = current_version_dir(store_dir())
    if s.version_dir != current:
        day = meetings.meeting_of(store_dir(), s.version)
        newer = json.loads((current / "manifest.json").read_text())["published_at"]
        st.info(f"Pinned to store version {s.version}" + (f", the meeting of {day}" if day else "") +
                f" (published {summary.published_at}). A newer version was published {newer}; "
                "remove `version=` from the address to see it.", icon=":material/push_pin:")
    if summary.synthetic:
        st.warning(f"**Synthetic data** — {', '.join(summary.synthetic)} on this dashboard "
                   "are generated by `seastat synth`, not real SPD records.", icon=":material/warning:")
    published = s.manifest.get("taxonomy", {}).get("offense_types")
    if published is not None and published != settings().offense_types:
        st.warning("config.toml's offense types differ from those this store was published with: "
                   "re-publish for the counts to follow them.", icon=":material/warning:")


# --- The meeting's view: the link's value, else the one chosen on another page ------------------

MEETING = ("dataset", "period", "precinct", "offense", "version")     # URL keys every page shares


def _written() -> dict[str, str]:
    """What this session last wrote into the URL, key by key (the meeting's keys survive a page change)."""
    return st.session_state.setdefault("_seastat_written", {})


def fresh(key: str) -> bool:
    """Whether ?key= is a value this session did not write: a link just opened."""
    raw = st.query_params.get(key)
    return raw not in (None, "") and raw != _written().get(key)


def linked(key: str) -> tuple[str | None, bool]:
    """The raw value of ?key=, or the meeting's value of it chosen on another page; and whether
    it came from a link just opened (only a link's unusable value gets a notice)."""
    raw = st.query_params.get(key)
    if raw not in (None, ""):
        return raw, fresh(key)
    return (_written().get(key) if key in MEETING else None), False


def url_value(key: str, default: Any, parse: Callable[[str], Any], what: str) -> Any:
    """The view's value of `key` parsed, or `default` (with a notice when a link's value is not usable)."""
    raw, from_link = linked(key)
    if raw is None or raw == "":
        return default
    try:
        return parse(raw)
    except (ValueError, KeyError, TypeError):
        if from_link:
            shown = raw if len(raw) <= 40 else raw[:40] + "…"
            notices().append(f"The link's {what} “{shown}” is not available; showing the default instead.")
            st.query_params.pop(key, None)      # said once: the corrected link no longer carries it
        return default


def url_list(key: str, allowed: Sequence[str], what: str) -> list[str]:
    """?key=a,b as a list, keeping only allowed values (with a notice for the rest of a link's)."""
    raw, from_link = linked(key)
    values = [v for v in (raw or "").split(",") if v]
    bad = [v for v in values if v not in allowed]
    if bad and from_link:
        shown = ", ".join(v[:20] for v in bad[:3])
        notices().append(f"The link's {what} “{shown}” is not in the data; it was left out.")
        st.query_params[key] = ",".join(v for v in values if v in allowed)
    return [v for v in values if v in allowed]


def one_of(options: Sequence[str]) -> Callable[[str], str]:
    """A parser for url_value that accepts only the given options."""
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(value)
        return value
    return parse


def seed(key: str, value: Any, valid: Callable[[Any], bool] = lambda v: True, url_key: str | None = None) -> None:
    """Give widget `key` its value before it is drawn: `value` (the link's or the meeting's) when
    ?url_key= was just opened or when the page was just entered from another, else the one it has
    if it still fits its options, else `value`. Writing it back is what keeps it when the widget's
    options change (Streamlit would otherwise give a widget with other options its default)."""
    renew = url_key and (fresh(url_key) or (url_key in MEETING and st.session_state.get("_seastat_entered")))
    keep = key in st.session_state and valid(st.session_state[key]) and not renew
    st.session_state[key] = st.session_state[key] if keep else value


def choose(key: str, options: Sequence[Any], default: Any, url_key: str | None = None, what: str = "",
           text: Callable[[Any], str] = str) -> None:
    """Seed the one-choice widget `key` from ?url_key= (an option's `text`), else as seed() does."""
    url_key = url_key or key
    by_text = {text(o): o for o in options}
    seed(key, url_value(url_key, default, lambda raw: by_text[raw], what or url_key),
         lambda v: v in options, url_key)


def choose_many(key: str, options: Sequence[str], default: Sequence[str] = (), url_key: str | None = None,
                what: str = "") -> None:
    """Seed the many-choice widget `key` from ?url_key=a,b, else as seed() does."""
    url_key = url_key or key
    seed(key, url_list(url_key, options, what or url_key) or list(default), lambda v: set(v) <= set(options), url_key)


def set_url(**values: Any) -> None:
    """Write the view's state into the URL so a pasted link opens the same view; the meeting's
    keys are also kept for the other pages."""
    for key, value in values.items():
        text = ",".join(str(v) for v in value) if isinstance(value, (list, tuple)) else \
            ("" if value is None else str(value))
        _written()[key] = text
        if text:
            st.query_params[key] = text
        else:
            st.query_params.pop(key, None)


# --- Pickers shared by the pages ---------------------------------------------------------------

def default_dataset(s: Store, options: Sequence[str] | None = None) -> str:
    """The dataset with the most recent records (crime first among equals): a page opens where the
    published exports have something to say about the latest weeks."""
    options = list(options or s.datasets)
    return max(options, key=lambda d: (s.days(d)[1], -options.index(d)))


def pick_dataset(where=st.sidebar, options: Sequence[str] | None = None) -> str:
    s = store()
    options = list(options or s.datasets)
    if not options:
        st.warning("The published store has no rows in any dataset. Publish SPD exports with `seastat publish`.")
        st.stop()
    choose("dataset", options, default_dataset(s, options))
    return where.selectbox("Dataset", options, format_func=lambda d: FACTS[d].label, key="dataset")


def periods_offered(dataset: str) -> list[Window]:
    return report(reports.periods_offered, dataset)


def period_text(period: Window) -> str:
    """A period as links name it: its first day."""
    return period.start.isoformat()


def pick_period(dataset: str, where=st.sidebar, key: str = "period", on_change=None) -> Window:
    options = periods_offered(dataset)
    choose(key, options, options[0], "period", text=period_text)
    return where.selectbox("Period", options, format_func=Window.label, key=key, on_change=on_change)


def pick_precincts(dataset: str, where=st.sidebar, label: str = "Precincts", on_change=None) -> list[str]:
    options = sorted(report(reports.areas, dataset)["precinct"].unique(), key=precinct_order)
    choose_many("precincts", options, url_key="precinct")
    return where.multiselect(label, options, key="precincts", on_change=on_change)


def view(dataset: str, period: Window, **areas: Sequence[str]) -> reports.View:
    """The view of this page's choices, kept for the other pages and in the URL."""
    chosen = reports.View(dataset, period, **{k: tuple(v) for k, v in areas.items()})
    set_url(dataset=dataset, period=period_text(period), precinct=chosen.precincts, offense=chosen.offenses)
    return chosen


def metrics(numbers: Sequence, where=st) -> None:
    """Key numbers (wording.Metric) side by side."""
    for col, m in zip(where.columns(len(numbers)), numbers):
        col.metric(m.label, m.value, m.delta, delta_color=m.shown_colour,
                   delta_arrow="off" if m.shown_colour == "off" else "auto",
                   help=m.help)


# --- Charts and downloads ------------------------------------------------------------------------

def show_chart(chart, where=st, stem: str | None = None, download_where=None) -> None:
    """An Altair chart as exported (the builder's projector sizes, the source caption), without
    Streamlit's own chart menu (its PNG is cropped); PNG and SVG buttons when `stem` is given."""
    chart = export.with_caption(chart, store().manifest)
    where.altair_chart(chart.properties(usermeta={"embedOptions": {"actions": False}}), theme=None)
    if stem:
        download_chart(chart, stem, download_where or where)


def download_chart(chart, stem: str, where=st) -> None:
    """PNG and SVG buttons; the image is rendered (vl-convert) only when a button is pressed."""
    row = where.container(horizontal=True)
    row.download_button("PNG", lambda: export.chart_png(chart), file_name=f"{stem}.png", mime="image/png",
                        key=f"png-{stem}", icon=":material/image:", on_click="ignore")
    row.download_button("SVG", lambda: export.chart_svg(chart), file_name=f"{stem}.svg",
                        mime="image/svg+xml", key=f"svg-{stem}", icon=":material/draw:", on_click="ignore")


# --- Sign-in: the role in force (seastat.access). app.py lets no one past the sign-in page unless
# they are signed in, so access_now() outside it only ever narrows what a page offers. ------------

def auth_on() -> bool:
    """Sign-in is on when Streamlit's secrets have an [auth] section (what st.login reads)."""
    try:
        return "auth" in st.secrets
    except FileNotFoundError:                    # no secrets file at all: a local `make run`
        return False


def access_now() -> access.Access:
    """Everything when sign-in is off; else the signed-in role, and the partner view for anything
    that is not a usable, unexpired sign-in."""
    if not auth_on():
        return access.OPEN
    claims = st.user.to_dict()
    try:
        if claims.get("is_logged_in") and not access.expired(claims, settings().access.session_minutes):
            return access.access_for(claims, settings().access)
    except access.IdentityRefused:
        pass
    return access.Access("partner", signed_in=True)


def role() -> str:
    return access_now().role


def partner_safe(df: pd.DataFrame, counts: Sequence[str] | None = None, **rule) -> pd.DataFrame:
    """df as the role in force may see it: for partners, counts under [hotspots] min_cell_count
    (and what is computed from them) read "<3" in a table and are left out of a chart
    (access.held_back: `rule` is its totals, derived, texts, for_chart)."""
    if not access_now().suppresses:
        return df
    return access.held_back(df, settings().hotspots.min_cell_count, counts, **rule)


def counting() -> access.Counting:
    """How the role in force reads counts in sentences ("fewer than 3" for partners)."""
    return access.counting(access_now(), settings().hotspots.min_cell_count)


def partner_safe_service(df: pd.DataFrame, kind: str, *, for_chart: bool = False) -> pd.DataFrame:
    """A /service table (seastat.service.SMALL[kind]) as the role in force may see it; the
    city-wide row, a total, kept."""
    return partner_safe(df, **service.partner_rule(df, kind), for_chart=for_chart)


def download_table(df: pd.DataFrame, stem: str, label: str = "CSV", where=st, *, records: bool = False,
                   counts: Sequence[str] | None = None, **rule) -> None:
    """A CSV button. Partners get no record-level file (`records`) and the table with its small
    counts blanked as partner_safe does (`counts`, else its whole-number columns, and `rule`)."""
    if records and not access_now().record_level:
        return
    df = partner_safe(df, counts, **rule)
    where.download_button(label, lambda: export.table_csv(df, store().manifest), file_name=f"{stem}.csv",
                          mime="text/csv", key=f"csv-{stem}", icon=":material/download:", on_click="ignore")


# --- Recording a commitment: the Follow-up page's form and shared-screen mode's panel ----------------

def commitment_messages() -> list[tuple[str, str]]:
    """("ok" | "error", text): what the last record or save said, shown once on the next run."""
    return st.session_state.setdefault("_followup_messages", [])


def show_commitment_messages(where=st) -> None:
    for kind, text in commitment_messages():
        if kind == "ok":
            where.success(text, icon=":material/check_circle:")
        else:
            where.error(text, icon=":material/error:")
    commitment_messages().clear()


def commitment_author(where=st) -> None:
    """Who changes are recorded as (session state "who"): the signed-in person, else the name typed here."""
    person = access_now()
    if person.who:
        st.session_state["who"] = person.who
        where.caption(f"Changes are recorded as {person.who}.")
    else:   # No max_chars: an over-long paste gets a clear message instead of being cut without a word.
        where.text_input("Your name (kept with every change)", key="who")


NEW_COMMITMENT = ("new_what", "new_owner", "new_block", "new_measure")     # emptied for the next one


def _record_commitment(db, known) -> None:
    from . import actions
    from .actions import view
    s, said = st.session_state, commitment_messages()
    if not access_now().edits_commitments:      # the form is not shown to partners; refuse a replay too
        said.append(("error", "Not recorded: your role may not edit commitments."))
        return
    block = (s.new_block or "").strip()
    level, value = ("block", block) if block else view.split(s.new_place)
    dataset, target = view.split(s.new_target)
    comparison = view.split(s.new_comparison) if s.new_comparison else (None, None)
    draft = actions.Draft(what=s.new_what, owner=s.new_owner, place_level=level, place_value=value,
                          dataset=dataset, target=target, start_date=s.new_start, due_date=s.new_due,
                          measure=s.new_measure, comparison_level=comparison[0], comparison_value=comparison[1])
    try:
        made = db.add(draft, by=s.get("who", ""), known=known)
    except actions.ActionError as exc:
        said.append(("error", f"Not recorded: {exc}."))
        return
    for key in NEW_COMMITMENT:
        s[key] = ""
    said.append(("ok", f"Recorded commitment #{made.id}: {made.place}, {made.target_label}, due {made.due_date}."))


def commitment_form(db, rows: Sequence[Sequence[str]], what_height: int | None = None) -> None:
    """The form that records a commitment, its fields laid out in `rows` (names of the fields
    below, "who" for the author), checked and stored by db.add like every other way in; what it
    said shows with show_commitment_messages()."""
    from .actions import view
    known, s = known_places(), store()
    places = view.place_options(known)
    last_day = max(s.days(d)[1] for d in s.datasets) if s.datasets else dt.date.today()
    fields = {
        "what": lambda w: w.text_area("What will be done", key="new_what", height=what_height,
                                      placeholder="Emphasis patrol on the 1XX block of Pine, evenings"),
        "owner": lambda w: w.text_input("Owner (unit or agency)", key="new_owner", placeholder="East Precinct ACT"),
        "target": lambda w: w.selectbox("Target", view.target_options(known), format_func=view.target_option_label,
                                        key="new_target"),
        "place": lambda w: w.selectbox("Place", places, format_func=view.option_label, key="new_place"),
        "block": lambda w: w.text_input("…or a 100-block, as published", key="new_block",
                                        placeholder="12XX BLOCK OF PINE ST"),
        "start": lambda w: w.date_input("Start", value=last_day, key="new_start"),
        "due": lambda w: w.date_input("Due back at the meeting of", key="new_due",
                                      value=view.next_due(last_day, settings().periods.length_days)),
        "comparison": lambda w: w.selectbox("Compare with", ["", "city:", *places], key="new_comparison",
                                            format_func=view.comparison_option_label),
        "measure": lambda w: w.text_input("Measure (what will judge it)", key="new_measure",
                                          placeholder="Burglaries in the beat against the rest of the precinct"),
        "who": commitment_author,
    }
    with st.form("new_commitment", border=False):
        for row in rows:
            for name, where in zip(row, st.columns(len(row))):
                fields[name](where)
        st.form_submit_button("Record the commitment", on_click=_record_commitment, args=(db, known), type="primary",
                              key="add")
