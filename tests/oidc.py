"""pytest plugin for the sign-in tests: a real OpenID provider (oidc-provider-mock) on a free localhost
port, and a real `streamlit run app.py` whose secrets point at it.

The app's secrets are generated here, per test session, into a temporary folder and handed to
Streamlit with its own `--secrets.files` option, so no secrets file is ever written into the
work tree and every other test keeps running with sign-in off. Enable with
`pytest_plugins = ["oidc"]` in tests/conftest.py."""
from __future__ import annotations

import json
import secrets
import urllib.parse
import urllib.request
from pathlib import Path

import pytest
from conftest import Dashboard
from conftest import _free_port as free_port

CLIENT_ID, CLIENT_SECRET = "seastat-test", "not-a-real-secret"


class Provider:
    """oidc-provider-mock in a thread: any client id works; users (their claims) are set over HTTP."""

    def __init__(self, server):
        self.server = server
        self.url = f"http://localhost:{server.server_port}"

    def set_user(self, sub: str, **claims) -> None:
        request = urllib.request.Request(f"{self.url}/users/{urllib.parse.quote(sub, safe='')}", method="PUT",
                                         data=json.dumps(claims).encode(), headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 204, response.status


@pytest.fixture(scope="session")
def oidc_provider():
    from oidc_provider_mock import run_server_in_thread
    with run_server_in_thread(port=free_port()) as server:
        yield Provider(server)


class SignInDashboard(Dashboard):
    """`streamlit run app.py` with [auth] configured for `provider`. The browser must use `url`
    (localhost): Streamlit only accepts its identity cookie from the redirect_uri's origin."""

    def __init__(self, store_dir: Path, provider: Provider, folder: Path, **env_vars: str):
        port = free_port()
        url = f"http://localhost:{port}"
        self.cookie_secret = secrets.token_hex(32)
        self.secrets_file = folder / "secrets.toml"
        self.secrets_file.write_text(
            "[auth]\n"
            f'redirect_uri = "{url}/oauth2callback"\n'
            f'cookie_secret = "{self.cookie_secret}"\n'
            f'client_id = "{CLIENT_ID}"\n'
            f'client_secret = "{CLIENT_SECRET}"\n'
            f'server_metadata_url = "{provider.url}/.well-known/openid-configuration"\n')
        self.log = folder / "streamlit.log"
        super().__init__(store_dir, "--secrets.files", str(self.secrets_file), host="localhost", log=self.log,
                         port=port, **env_vars)

    def identity_cookie(self, claims: dict, secret: str | None = None) -> dict:
        """A `_streamlit_user` cookie as Streamlit's callback writes it (itsdangerous, salted with the
        cookie name), for claims of our choosing, signed with `secret` (ours unless told otherwise)."""
        from itsdangerous import URLSafeTimedSerializer
        value = dict(claims, origin=self.url, is_logged_in=True, provider="default")
        signed = URLSafeTimedSerializer(secret or self.cookie_secret, salt="_streamlit_user").dumps(json.dumps(value))
        return {"name": "_streamlit_user", "value": signed, "url": self.url}



@pytest.fixture(scope="session")
def signin_dashboard(synth_store_dir, oidc_provider, tmp_path_factory):
    server = SignInDashboard(synth_store_dir, oidc_provider, tmp_path_factory.mktemp("signin"))
    yield server
    server.stop()
