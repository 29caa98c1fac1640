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

st.navigation(PAGES, position="top").run()
