"""SeaStat: the Streamlit entry point. It holds the one table of pages, opens the store, says
once what a reader must know (synthetic data, a link's unusable values), then runs the page.
Pages live in pages/ and only lay out; their numbers come from seastat.reports."""
import streamlit as st

from seastat import access, ui

st.set_page_config(page_title="SeaStat", page_icon=":material/monitoring:", layout="wide")

# (file, title, icon, URL path, what Home says of it)
PAGES = [
    ("pages/home.py", "Home", ":material/home:", "", "What is loaded, and the meeting packet"),
    ("pages/trends.py", "Precinct trends", ":material/trending_up:", "trends", "The CompStat table and trends"),
    ("pages/hotspots.py", "Hot spots", ":material/map:", "hotspots", "Where incidents concentrate"),
    ("pages/compare.py", "Compare", ":material/compare_arrows:", "compare", "Precincts, periods, datasets"),
    ("pages/service.py", "911 and use of force", ":material/emergency:", "service", "Response times, call types, use-of-force rates"),
    ("pages/data.py", "Data", ":material/table_view:", "data", "Incident table and data quality"),
    ("pages/followup.py", "Follow-up", ":material/task_alt:", "followup", "Commitments, and whether they worked"),
]
ui.register_pages(PAGES)
present = st.query_params.get("present") == "1"

# --- Sign-in (seastat.access), when .streamlit/secrets.toml has [auth]: signed out, expired or refused,
# every address shows the sign-in page and nothing else; the address itself is kept (the meeting's view).
why_not = None
if ui.auth_on():
    claims = st.user.to_dict()
    if not claims.get("is_logged_in"):
        why_not = "signed out"
    elif access.expired(claims, ui.settings().access.session_minutes):
        why_not = "expired"
    else:
        try:
            access.check_identity(claims, ui.settings().access)
        except access.IdentityRefused as exc:
            why_not = str(exc)
if why_not:
    st.session_state["_seastat_signin"] = why_not
    st.navigation([st.Page("pages/signin.py", title="Sign in", icon=":material/login:", url_path=path,
                           default=not path) for *_, path, _ in PAGES], position="hidden").run()
    st.stop()
who = ui.access_now()
# The role in force, on every page (shared-screen mode too); the sign-in's helpers sit in the same row, taking no height.
role_row = st.container(horizontal=True, vertical_alignment="center", key="seastat-role")
role_row.caption(who.caption())
if who.signed_in:
    if not st.session_state.get("_seastat_back"):        # first run after the provider's round trip
        st.session_state["_seastat_back"] = True
        role_row.html(access.return_script([p[3] for p in PAGES], restore=True), unsafe_allow_javascript=True)

    @st.fragment(run_every=60)
    def _expire_while_open() -> None:
        """A screen left open (the meeting's) signs out when its sign-in expires, not at the next click."""
        if access.expired(st.user.to_dict(), ui.settings().access.session_minutes):
            st.rerun(scope="app")
    with role_row:
        _expire_while_open()
    if role_row.button("Sign out", icon=":material/logout:", type="tertiary"):
        st.logout()
# Shared-screen mode, on any address: the meeting's panels in place of the page, no navigation.
pages = [st.Page("pages/present.py" if present else file, title=title, icon=icon, url_path=path, default=not path)
         for file, title, icon, path, _ in PAGES]
page = st.navigation(pages, position="hidden" if present else "top")
notice_box = st.container()
if not present:                            # shared-screen mode says it under its bar
    ui.store_notices(ui.store())
try:
    page.run()
finally:
    ui.show_notices(notice_box)
