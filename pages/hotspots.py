"""Hot spots (not built yet)."""
import streamlit as st

from seastat import ui  # noqa: F401  (shared page set-up)

st.title("Hot spots")
st.info("This page is not built yet. The Data page shows the published records in the meantime.")
st.page_link("pages/data.py", label="Go to the Data page", icon=":material/table_view:")
