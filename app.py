"""SeaStat: the Streamlit entry point. It holds the one table of pages, opens the store, says
once what a reader must know (synthetic data, a link's unusable values), then runs the page.
Pages live in pages/ and only lay out; their numbers come from seastat.reports."""
import streamlit as st

from seastat import ui

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
