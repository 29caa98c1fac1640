"""Follow-up: the commitments made at the meeting and, at the next one, whether they worked.
Storage, checks and results live in seastat.actions; this page lays them out. Text typed here is
kept as plain text and shown escaped."""
import streamlit as st

from seastat import actions, ui
from seastat.actions import view

ui.page("Follow-up")
db = ui.commitments(needed=True)
known = ui.known_places()
messages = ui.commitment_messages()

st.caption("Each open commitment is judged on its target's counts in its place since the start against the same "
           "number of days before, compared with the rest of its precinct (or a chosen area): a "
           "difference-in-differences with the exact Poisson test of the trends page. Every change is kept below.")
ui.show_commitment_messages()

# --- Record a commitment (the same form as shared-screen mode's Commitments panel) -----------------
# Signed in, every change is recorded as the signed-in person; a partner reads, and edits nothing.
person = ui.access_now()
count = ui.counting()          # a partner reads "fewer than 3", not a beat's or a block's 1 or 2
if person.edits_commitments:
    ui.commitment_author()
    with st.expander("Record a commitment", expanded=not db.list(status="open"), icon=":material/add_task:"):
        ui.commitment_form(db, [["what"], ["owner", "target"], ["place", "block"], ["start", "due"],
                                ["comparison", "measure"]])
else:
    st.info("Your role can read the commitments and their results, not record or edit them.")

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
    outcome = ui.commitment_result(record)
    with st.container(border=True, key=f"commitment_{record.id}"):
        st.markdown(f"**#{record.id} · {view.plain(record.place)} · {view.plain(record.target_label)}** · "
                    f"due {record.due_date:%Y-%m-%d} · owner {view.plain(record.owner)}")
        st.markdown(view.plain(record.what))
        st.caption(f"Measure: {view.plain(record.measure)} · since {record.start_date:%Y-%m-%d} · "
                   f"compared with {view.plain(outcome.comparison)} · version {record.version}, "
                   f"last changed by {view.plain(record.updated_by)}")
        text_col, chart_col = st.columns([3, 2])
        shout = {actions.IMPROVED: text_col.success, actions.WORSE: text_col.warning}.get(outcome.verdict, text_col.info)
        shout(view.plain(outcome.told(count)))
        if outcome.counts is not None:
            # fixed size and its own colours, like the other pages' charts; the title as a caption
            held = f" · counts under {count.under} not drawn" if count.held(*vars(outcome.counts).values()) else ""
            chart_col.caption(f"{view.plain(outcome.target)} in {view.plain(outcome.place)} and "
                              f"{view.plain(outcome.comparison)}{held}")
            chart = actions.before_after_chart(outcome, width=220, height=150, titled=False, count=count)
            chart_col.altair_chart(chart, theme=None, width="content")     # its own 220 px, inside the card
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
