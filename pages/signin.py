"""Sign in: what SeaStat is, whom to ask for access, and the button (Streamlit's st.login).

app.py shows this page at every address while nobody usable is signed in, so the address — the
meeting's view — stays in the browser; it is kept in the tab and reopened after the provider's
round trip (seastat.access.return_script). Nothing here reads the store: signed out, no data."""
import streamlit as st

from seastat import access, ui

ui.page("SeaStat")                                  # (runs app.py first, and so its gate)
settings = ui.settings().access
why = st.session_state.get("_seastat_signin", "signed out")

st.markdown(
    "SeaStat is the Seattle Police Department's dashboard for the biweekly strategy meeting: "
    "precinct crime trends (CompStat), hot spots, comparisons and the meeting packet, built on the "
    "data SPD publishes openly. It is for SPD command staff, analysts and partner agencies.")

if why == "expired":
    st.warning(f"Your sign-in is more than {settings.session_minutes} minutes old. Sign in again: "
               "the page you had open comes back afterwards.", icon=":material/schedule:")
elif why != "signed out":
    st.error(why, icon=":material/block:")          # an identity SeaStat refused (access.IdentityRefused)
elif access.sign_in_pending(st.context.cookies.get("_streamlit_session"),
                            st.secrets["auth"].get("cookie_secret", "")):
    st.error("The last sign-in did not complete: it was cancelled, or the answer that came back was "
             "not the identity provider's. Nothing was shown. Sign in again.", icon=":material/block:")

st.markdown(f"**Access** is given by {settings.contact}. Ask them for the role you need: command staff, "
            "analyst, or partner agency.")

auth = st.secrets["auth"]
# [auth] with client_id signs in with its one provider; [auth.NAME] sections are named providers.
named = [name for name, value in auth.items() if hasattr(value, "keys") and "client_id" in value]
providers = ([None] if "client_id" in auth else []) + named
row = st.container(horizontal=True)
for provider in providers:
    label = "Sign in" if provider is None else f"Sign in with {provider}"
    if row.button(label, type="primary", icon=":material/login:", key=f"signin-{provider or 'default'}"):
        st.login(provider) if provider else st.login()
if not providers:
    st.error("Sign-in is on but .streamlit/secrets.toml [auth] names no provider (client_id).")

# Keep this address for after the round trip (Streamlit's callback always lands on "/").
st.html(access.return_script([], restore=False), unsafe_allow_javascript=True)
