"""SeaStat: the Streamlit entry point. Pages live in pages/; their logic lives in the seastat package."""
import streamlit as st

st.set_page_config(page_title="SeaStat", page_icon=":material/monitoring:", layout="wide")

PAGES = [
    st.Page("pages/home.py", title="Home", icon=":material/home:", url_path="", default=True),
    st.Page("pages/trends.py", title="Precinct trends", icon=":material/trending_up:", url_path="trends"),
    st.Page("pages/hotspots.py", title="Hot spots", icon=":material/map:", url_path="hotspots"),
    st.Page("pages/compare.py", title="Compare", icon=":material/compare_arrows:", url_path="compare"),
    st.Page("pages/data.py", title="Data", icon=":material/table_view:", url_path="data"),
]
PRESENT = st.query_params.get("present") == "1"
if PRESENT:   # shared-screen mode, on any address: the meeting's panels in place of the page, no navigation
    PAGES = [st.Page("pages/present.py", title=p.title, url_path=p.url_path, default=not p.url_path) for p in PAGES]

st.navigation(PAGES, position="hidden" if PRESENT else "top").run()
