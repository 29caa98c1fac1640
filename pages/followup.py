"""Follow-up: the commitments made at the meeting and, at the next one, whether they worked.
Storage, checks and results live in seastat.actions; this page lays them out. Text typed here is
kept as plain text and shown escaped."""
import datetime as dt

import streamlit as st

from seastat import actions, ui
from seastat.actions import view

ui.page("Follow-up")
store = ui.store()
settings = ui.settings()
url = settings.database_url


@st.cache_resource(max_entries=4, show_spinner=False)
def database(database_url: str) -> actions.Actions:
    return actions.Actions.open(database_url)      # migrates to the newest schema on first open


@st.cache_resource(max_entries=2, show_spinner=False)
def known_places(version_dir: str, _store) -> actions.Known:
    return actions.Known.from_store(_store, settings)


@st.cache_data(max_entries=256, show_spinner=False)
def result_of(version_dir: str, _store, record: actions.Record) -> actions.Result:
    """Per store version and commitment version: a re-publish or an edit recomputes it."""
    return actions.result(_store, record, known_places(version_dir, _store), settings)


try:
    db = database(url)
except actions.ActionError as exc:
    st.error(str(exc))
    st.stop()
known = known_places(str(store.version_dir), store)
messages = st.session_state.setdefault("_followup_messages", [])

st.caption("Each open commitment is judged on its target's counts in its place since the start against the same "
           "number of days before, compared with the rest of its precinct (or a chosen area): a "
           "difference-in-differences with the exact Poisson test of the trends page. Every change is kept below.")
for kind, text in messages:
    (st.success if kind == "ok" else st.error)(text)
messages.clear()

# --- Record a commitment ------------------------------------------------------------------------
places = view.place_options(known)
targets = view.target_options(known)
comparisons = ["", "city:", *places]
last_day = max(store.days(d)[1] for d in store.datasets) if store.datasets else dt.date.today()
NEW = ("new_what", "new_owner", "new_block", "new_measure")


def add() -> None:
    s = st.session_state
    if not ui.access_now().edits_commitments:      # the form is not shown to partners; refuse a replay too
        messages.append(("error", "Not recorded: your role may not edit commitments."))
        return
    block = (s.new_block or "").strip()
    level, value = ("block", block) if block else view.split(s.new_place)
    dataset, target = view.split(s.new_target)
    comparison = view.split(s.new_comparison) if s.new_comparison else (None, None)
    draft = actions.Draft(what=s.new_what, owner=s.new_owner, place_level=level, place_value=value,
                          dataset=dataset, target=target, start_date=s.new_start, due_date=s.new_due,
                          measure=s.new_measure, comparison_level=comparison[0], comparison_value=comparison[1])
    try:
        made = db.add(draft, by=s.who, known=known)
    except actions.ActionError as exc:
        messages.append(("error", f"Not recorded: {exc}."))
        return
    for key in NEW:   # an empty form for the next one
        s[key] = ""
    messages.append(("ok", f"Recorded commitment #{made.id}: {made.place}, {made.target_label}, due {made.due_date}."))


# Signed in, every change is recorded as the signed-in person; a partner reads, and edits nothing.
person = ui.access_now()
if person.who:
    st.session_state["who"] = person.who
    st.caption(f"Changes are recorded as {person.who}.")
else:   # No max_chars: an over-long paste gets a clear message instead of being cut without a word.
    st.text_input("Your name (kept with every change)", key="who")
if not person.edits_commitments:
    st.info("Your role can read the commitments and their results, not record or edit them.")
if person.edits_commitments:
    with st.expander("Record a commitment", expanded=not db.list(status="open"), icon=":material/add_task:"):
        with st.form("new_commitment", border=False):
            st.text_area("What will be done", key="new_what",
                         placeholder="Emphasis patrol on the 1XX block of Pine, evenings")
            left, right = st.columns(2)
            left.text_input("Owner (unit or agency)", key="new_owner", placeholder="East Precinct ACT")
            right.selectbox("Target", targets, format_func=view.target_option_label, key="new_target")
            left.selectbox("Place", places, format_func=view.option_label, key="new_place")
            right.text_input("…or a 100-block (as published, e.g. 12XX BLOCK OF PINE ST)", key="new_block")
            left.date_input("Start", value=last_day, key="new_start")
            right.date_input("Due back at the meeting of", value=view.next_due(last_day, settings.periods.length_days),
                             key="new_due")
            left.selectbox("Compare with", comparisons, key="new_comparison",
                           format_func=lambda o: "The rest of its precinct" if not o else
                           ("The rest of the city" if o == "city:" else view.option_label(o)))
            right.text_input("Measure (what will judge it)", key="new_measure",
                             placeholder="Burglaries in the beat against the rest of the precinct")
            st.form_submit_button("Record the commitment", on_click=add, type="primary", key="add")

# --- Open commitments and their results -----------------------------------------------------------


def loaded(record: actions.Record) -> None:
    """The edit form now holds this version: remember it (the version the person edits from)."""
    st.session_state[f"seen_{record.id}"] = record.version
    st.session_state[f"loaded_{record.id}"] = (record.status, record.status_note)


def fill_form(record: actions.Record) -> None:
    """Show the saved status and note, unless the person has typed an edit not yet saved: then it
    stays, together with the version it was made on, so saving it is checked against that version."""
    s, i = st.session_state, record.id
    untouched = (s.get(f"status_{i}"), s.get(f"note_{i}")) == s.get(f"loaded_{i}")
    if f"loaded_{i}" not in s or (untouched and s[f"seen_{i}"] != record.version):
        s[f"status_{i}"], s[f"note_{i}"] = record.status, record.status_note
        loaded(record)


def save(record: actions.Record) -> None:
    s = st.session_state
    if not ui.access_now().edits_commitments:
        messages.append(("error", "Not saved: your role may not edit commitments."))
        return
    seen = s[f"seen_{record.id}"]   # the version this person had on screen
    try:
        new = db.update(record.id, version=seen, by=s.who, known=known,
                        status=s[f"status_{record.id}"], status_note=s[f"note_{record.id}"])
    except actions.StaleCommitment as exc:
        s[f"stale_{record.id}"] = exc   # shown with the other change; their edit stays typed
        s[f"seen_{record.id}"] = exc.current.version
        s[f"loaded_{record.id}"] = (exc.current.status, exc.current.status_note)
        return
    except actions.ActionError as exc:
        messages.append(("error", f"Commitment #{record.id} not saved: {exc}."))
        return
    loaded(new)
    s.pop(f"stale_{record.id}", None)
    if new.version != seen:
        messages.append(("ok", f"Saved commitment #{record.id} (version {new.version})."))


open_ones = db.list(status="open")
st.subheader(f"Open commitments ({len(open_ones)})")
if not open_ones:
    st.info("No open commitments. Record one above during the meeting.", icon=":material/info:")
for record in open_ones:
    fill_form(record)
    outcome = result_of(str(store.version_dir), store, record)
    with st.container(border=True, key=f"commitment_{record.id}"):
        st.markdown(f"**#{record.id} · {view.plain(record.place)} · {view.plain(record.target_label)}** · "
                    f"due {record.due_date:%Y-%m-%d} · owner {view.plain(record.owner)}")
        st.markdown(view.plain(record.what))
        st.caption(f"Measure: {view.plain(record.measure)} · since {record.start_date:%Y-%m-%d} · "
                   f"compared with {view.plain(outcome.comparison)} · version {record.version}, "
                   f"last changed by {view.plain(record.updated_by)}")
        text_col, chart_col = st.columns([3, 2])
        shout = {actions.IMPROVED: text_col.success, actions.WORSE: text_col.warning}.get(outcome.verdict, text_col.info)
        shout(view.plain(outcome.text))
        if outcome.counts is not None:
            # fixed size and its own colours, like the other pages' charts; the title as a caption
            chart_col.caption(f"{view.plain(outcome.target)} in {view.plain(outcome.place)} and "
                              f"{view.plain(outcome.comparison)}")
            chart_col.altair_chart(actions.before_after_chart(outcome, width=220, height=150, titled=False),
                                   theme=None)
        stale = st.session_state.get(f"stale_{record.id}")
        if stale is not None:
            st.error(f"Not saved: {view.plain(str(stale))}.", icon=":material/sync_problem:")
            st.dataframe(view.history_table(stale.theirs), hide_index=True, key=f"theirs_{record.id}")
        if person.edits_commitments:
            with st.form(f"edit_{record.id}", border=False):
                status_col, note_col = st.columns([1, 3])
                status_col.selectbox("Status", list(actions.STATUSES), key=f"status_{record.id}")
                note_col.text_input("Note (why: needed to close as done or dropped)", key=f"note_{record.id}")
                st.form_submit_button("Save", on_click=save, args=(record,), key=f"save_{record.id}")

closed = [r for r in db.list() if r.status != "open"]
if closed:
    with st.expander(f"Closed commitments ({len(closed)})", icon=":material/task_alt:"):
        st.dataframe(view.open_table(closed), hide_index=True, key="closed")

# --- Every change ----------------------------------------------------------------------------------
st.subheader("Change history")
history = view.history_table(db.history())
if history.empty:
    st.caption("Nothing recorded yet.")
else:
    st.dataframe(history, hide_index=True, key="history")
    ui.download_table(history, "commitment-history", label="History (CSV)")
