"""Sign-in against a real OpenID provider (oidc-provider-mock on localhost), through the real redirect
flow in Chromium: signed out, partner, analyst, forged and expired identities, and hostile input on
the sign-in path. Nothing of Streamlit, the browser or the provider is mocked."""
from __future__ import annotations

import csv
import io
import json
import re
import time
import urllib.error
import urllib.parse
import urllib.request

import pytest
from conftest import page_errors, wait_for_streamlit
from oidc import oidc_provider, signin_dashboard  # noqa: F401  (until conftest.py has pytest_plugins = ["oidc"])

pytestmark = pytest.mark.browser

DATA_VIEW = "/data?dataset=crime&precinct=West"
DATA_SHOWN = "[data-testid='stDataFrame'], [data-testid='stTable'], [data-testid='stVegaLiteChart'], [data-testid='stDeckGlJsonChart']"


@pytest.fixture(scope="module")
def users(oidc_provider):  # noqa: F811
    oidc_provider.set_user("pat@partner.example", email="pat@partner.example", roles=["seastat-partner"])
    oidc_provider.set_user("ann@spd.example", email="ann@spd.example", roles=["seastat-analyst"])
    oidc_provider.set_user("sam@elsewhere.example", email="sam@elsewhere.example", roles=["something-else"])
    return oidc_provider


def open_at(browser, url: str, width: int = 1920, height: int = 1080):
    context = browser.new_context(viewport={"width": width, "height": height}, accept_downloads=True)
    page = context.new_page()
    page.goto(url, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    return page


def sign_in(page, provider, sub: str, lands_at: str) -> None:
    """Press Sign in, answer the provider's form as `sub`, and wait to be back at `lands_at`."""
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{provider.url}/oauth2/authorize**", timeout=30_000)
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(lambda url: url.endswith(lands_at), timeout=30_000)
    wait_for_streamlit(page)
    page.locator("[data-testid='stCaptionContainer']").first.wait_for(timeout=30_000)


def assert_sign_in_page(page) -> None:
    page.get_by_role("button", name="Sign in").wait_for(timeout=30_000)
    assert page.get_by_text("SeaStat is the Seattle Police Department's dashboard").is_visible()
    assert page.get_by_text("Access is given by").is_visible()
    assert page.locator(DATA_SHOWN).count() == 0
    assert page_errors(page) == []


def captions(page) -> str:
    return " ".join(page.locator("[data-testid='stCaptionContainer']").all_inner_texts())


def download_rows(page, button: str) -> list[dict]:
    with page.expect_download() as download:
        page.get_by_role("button", name=button).click()
    text = open(download.value.path(), encoding="utf-8").read()
    return list(csv.DictReader(io.StringIO("\n".join(line for line in text.splitlines() if not line.startswith("#")))))


def test_signed_out_every_address_shows_only_the_sign_in_page(signin_dashboard, browser, artifacts):  # noqa: F811
    for path in ["/", "/trends?dataset=crime&precinct=West", "/hotspots", "/compare", "/service", DATA_VIEW,
                 "/followup", "/?present=1"]:
        page = open_at(browser, signin_dashboard.url + path)
        assert_sign_in_page(page)
        assert page.url == signin_dashboard.url + path          # the meeting's link is kept as it is
        if path == "/":
            page.screenshot(path=str(artifacts / "signin-1920x1080.png"))
        page.context.close()


def test_a_partner_gets_no_records_and_small_counts_blanked(signin_dashboard, users, browser, artifacts):  # noqa: F811
    page = open_at(browser, signin_dashboard.url + DATA_VIEW)
    sign_in(page, users, "pat@partner.example", DATA_VIEW)     # back at the link it opened
    assert "Partner" in captions(page) and "pat@partner.example" in captions(page)
    page.get_by_text("Record search and record downloads are not part of the partner view").wait_for()
    assert page.get_by_role("button", name="Download CSV").count() == 0
    assert page.get_by_text("records,").count() == 0
    assert page.get_by_label("Search text (offense, call type, address, id)").count() == 0
    page.screenshot(path=str(artifacts / "signin-partner-data-1920x1080.png"))

    trends = "/trends?dataset=crime&precinct=West"
    page.goto(signin_dashboard.url + trends)
    wait_for_streamlit(page)
    assert "Partner" in captions(page)
    rows = download_rows(page, "Download table (CSV)")
    small = [r for r in rows if r.get("level") != "city" and r.get("current") in ("1", "1.0", "2", "2.0")]
    assert small == [] and any(r.get("current") == "<3" for r in rows)
    page.context.close()


def grid_rows(page, index: int) -> list[list[str]]:
    """The cells of the page's `index`-th st.dataframe, as its accessible grid holds them."""
    grid = page.locator("[data-testid='stDataFrame']").nth(index)
    grid.scroll_into_view_if_needed()
    return [row.locator("td").all_inner_texts() for row in grid.locator("table[role='grid'] tbody tr").all()]


def test_a_partner_gets_hot_spot_tables_with_small_counts_held_back(signin_dashboard, users, browser, artifacts):  # noqa: F811
    """Robbery on /hotspots: the hottest blocks and the places at risk now, on screen and in their
    CSVs, show no count from 1 to 2 (min_cell_count 3), "<3" in its place, and screen and CSV agree."""
    view = "/hotspots?dataset=crime&offense=robbery"
    page = open_at(browser, signin_dashboard.url + view, 1280, 720)
    sign_in(page, users, "pat@partner.example", view)
    assert "Partner" in captions(page)
    page.get_by_text("Places at risk now").wait_for(timeout=60_000)
    wait_for_streamlit(page)
    small = {"1", "2", "1.0", "2.0"}
    blocks = download_rows(page, "Hottest blocks (CSV)")
    places = download_rows(page, "Places at risk (CSV)")
    assert "<3" in [r["incidents"] for r in blocks] + [r["previous"] for r in blocks]
    assert not [r for r in blocks if {r["incidents"], r["previous"], r["change"]} & small]
    assert places and not [r for r in places if r["events"] in small or re.search(r"\b[12]\b", r["offenses"])]
    assert any("<3" in r["offenses"] for r in places)        # "robbery 2" in a block of 3 events reads "robbery <3"
    page.get_by_text("Hottest 100-blocks").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "hotspots-partner-blocks-1280x720.png"))
    screen = {row[1]: row[3] for row in grid_rows(page, 0)}     # 100-block: incidents, as the grid shows them
    assert screen and all(screen[r["block_address"]] == f"{int(r['incidents']):,}" if r["incidents"] != "<3"
                          else screen[r["block_address"]] == "<3" for r in blocks if r["block_address"] in screen)
    page.get_by_text("Places at risk now").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "hotspots-partner-near-repeat-1280x720.png"))
    near = {row[0]: row[2] for row in grid_rows(page, 3)}         # 100-block: events (the columns in view)
    assert near and all(near[r["block_address"]] == r["events"] for r in places if r["block_address"] in near)
    assert page_errors(page) == []
    page.context.close()


def test_an_analyst_gets_records_and_exports(signin_dashboard, users, browser):  # noqa: F811
    page = open_at(browser, signin_dashboard.url + DATA_VIEW)
    sign_in(page, users, "ann@spd.example", DATA_VIEW)
    assert "Analyst" in captions(page)
    page.get_by_role("button", name="Download CSV").wait_for(timeout=30_000)
    assert page.get_by_text("records,").first.is_visible()
    rows = download_rows(page, "Download CSV")
    assert rows and all(r["precinct"] == "West" for r in rows)
    page.goto(signin_dashboard.url + "/trends?dataset=crime&precinct=West")
    wait_for_streamlit(page)
    trend_rows = download_rows(page, "Download table (CSV)")
    assert not any(r.get("current") == "<3" for r in trend_rows)
    page.context.close()


def test_an_unknown_role_gets_the_partner_view(signin_dashboard, users, browser):  # noqa: F811
    page = open_at(browser, signin_dashboard.url + DATA_VIEW)
    sign_in(page, users, "sam@elsewhere.example", DATA_VIEW)
    assert "Partner" in captions(page)
    page.get_by_text("not part of the partner view").wait_for()
    page.context.close()


@pytest.mark.parametrize("how", ["forged", "expired", "tampered"])
def test_a_forged_expired_or_tampered_identity_is_signed_out(signin_dashboard, browser, how):  # noqa: F811
    now = time.time()
    claims = {"sub": "ann@spd.example", "email": "ann@spd.example", "roles": ["seastat-analyst"],
              "iat": now - (481 * 60 if how == "expired" else 60)}
    cookie = signin_dashboard.identity_cookie(claims, secret="not-the-apps-secret" if how == "forged" else None)
    if how == "tampered":           # signed for a partner, then the payload swapped for an analyst's
        import json

        from itsdangerous import URLSafeTimedSerializer
        partner = signin_dashboard.identity_cookie(dict(claims, roles=["seastat-partner"]))["value"]
        analyst = dict(claims, origin=signin_dashboard.url, is_logged_in=True, provider="default")
        payload = URLSafeTimedSerializer("x", salt="_streamlit_user").dump_payload(json.dumps(analyst)).decode()
        cookie = dict(cookie, value=".".join([payload, *partner.split(".")[-2:]]))
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_cookies([cookie])
    page = context.new_page()
    page.goto(signin_dashboard.url + DATA_VIEW, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    assert_sign_in_page(page)
    assert page.url == signin_dashboard.url + DATA_VIEW
    if how == "expired":
        assert page.get_by_text("Your sign-in is more than 480 minutes old").is_visible()
    context.close()


def test_an_expired_sign_in_comes_back_to_the_meetings_view(signin_dashboard, users, browser):  # noqa: F811
    view = "/trends?dataset=crime&precinct=North&period=2026-10-19"
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    context.add_cookies([signin_dashboard.identity_cookie(
        {"sub": "ann@spd.example", "email": "ann@spd.example", "roles": ["seastat-analyst"], "iat": time.time() - 9 * 3600})])
    page = context.new_page()
    page.goto(signin_dashboard.url + view, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.get_by_text("Your sign-in is more than 480 minutes old").wait_for()
    sign_in(page, users, "ann@spd.example", view)
    assert "Analyst" in captions(page)
    assert page.get_by_text("Oct 19, 2026").first.is_visible()
    context.close()


def test_an_open_page_goes_to_the_sign_in_page_when_its_sign_in_expires(signin_dashboard, users, browser, artifacts):  # noqa: F811
    """A meeting's screen left open past [access] session_minutes: its next interaction shows the sign-in
    page, not the data, at the same address; signing in again comes back to the same view."""
    view = "/trends?dataset=crime&precinct=North&period=2026-10-19"
    left = 40                                                   # seconds of the session still to run
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    context.add_cookies([signin_dashboard.identity_cookie(
        {"sub": "ann@spd.example", "email": "ann@spd.example", "roles": ["seastat-analyst"],
         "iat": time.time() - 480 * 60 + left})])
    page = context.new_page()
    page.goto(signin_dashboard.url + view, wait_until="domcontentloaded")
    wait_for_streamlit(page)
    page.locator("[data-testid='stTable']").first.wait_for(timeout=30_000)       # signed in, data on screen
    assert "Analyst" in captions(page)
    shown = page.url                                                            # the view, as the page wrote it
    opened = time.time()
    page.wait_for_timeout(int((left + 5) * 1000))
    assert time.time() - opened > left
    chart = page.get_by_role("combobox", name="Offense group in the charts")     # the next interaction
    chart.click()
    chart.fill("Property")
    page.get_by_role("option", name="Property", exact=True).wait_for(timeout=10_000)
    chart.press("Enter")
    page.get_by_text("Your sign-in is more than 480 minutes old").wait_for(timeout=30_000)
    assert_sign_in_page(page)
    assert page.url == shown                                                    # the meeting's view kept
    page.screenshot(path=str(artifacts / "signin-expired-open-1280x720.png"))
    sign_in(page, users, "ann@spd.example", shown.removeprefix(signin_dashboard.url))
    assert "Analyst" in captions(page) and page.get_by_text("Oct 19, 2026").first.is_visible()
    context.close()


# --- Hostile input on the sign-in path -------------------------------------------------------------

class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def raw_get(url: str, headers: dict | None = None) -> tuple[int, dict, str]:
    """One request, redirects not followed: status, headers, body."""
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(urllib.request.Request(url, headers=headers or {}), timeout=20) as response:
            return response.status, dict(response.headers), response.read().decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode(errors="replace")


def stays_on(location: str, app_url: str) -> bool:
    target = urllib.parse.urljoin(app_url + "/", location)
    return urllib.parse.urlsplit(target).netloc == urllib.parse.urlsplit(app_url).netloc


def test_a_tampered_state_is_refused_with_a_message(signin_dashboard, users, browser):  # noqa: F811
    page = open_at(browser, signin_dashboard.url + DATA_VIEW)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{users.url}/oauth2/authorize**", timeout=30_000)
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(page.url).query))
    assert query["redirect_uri"] == f"{signin_dashboard.url}/oauth2callback"
    # The provider's answer, with the state changed on the way back.
    page.goto(f"{signin_dashboard.url}/oauth2callback?code=anything&state={query['state']}x",
              wait_until="domcontentloaded")
    wait_for_streamlit(page)
    assert_sign_in_page(page)
    assert urllib.parse.urlsplit(page.url).netloc == urllib.parse.urlsplit(signin_dashboard.url).netloc
    page.get_by_text("The last sign-in did not complete").wait_for()
    page.context.close()


@pytest.mark.parametrize("path", [
    "/oauth2callback?state=forged&code=x&redirect_uri=https%3A%2F%2Fevil.example%2F",
    "/oauth2callback?error=access_denied&error_description=https%3A%2F%2Fevil.example",
    "/auth/login?provider=forged-token&redirect_uri=https%3A%2F%2Fevil.example%2F",
    "/auth/logout?post_logout_redirect_uri=https%3A%2F%2Fevil.example%2F",
    "//evil.example/", "/%2F%2Fevil.example%2F",
])
def test_no_answer_on_the_sign_in_path_leaves_the_host(signin_dashboard, path):  # noqa: F811
    status, headers, body = raw_get(signin_dashboard.url + path)
    assert status < 500 and "Traceback" not in body
    if "Location" in headers or "location" in headers:
        assert stays_on(headers.get("Location") or headers["location"], signin_dashboard.url), headers


def test_a_forged_host_header_does_not_change_the_redirect_uri(signin_dashboard, users, browser):  # noqa: F811
    # A real provider token comes from the sign-in page's button: take it from the redirect it sends.
    page = open_at(browser, signin_dashboard.url + "/")
    login = []
    page.on("request", lambda r: login.append(r.url) if "/auth/login" in r.url else None)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{users.url}/oauth2/authorize**", timeout=30_000)
    page.context.close()
    status, headers, _ = raw_get(login[0], headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"})
    assert status in (302, 307), status
    authorize = urllib.parse.urlsplit(headers.get("Location") or headers["location"])
    assert authorize.netloc == urllib.parse.urlsplit(users.url).netloc
    assert dict(urllib.parse.parse_qsl(authorize.query))["redirect_uri"] == f"{signin_dashboard.url}/oauth2callback"


@pytest.mark.parametrize("planted", ["//evil.example/trends", "https://evil.example/", "/\\evil.example/"])
def test_a_planted_return_address_off_the_host_is_not_followed(signin_dashboard, users, browser, planted):  # noqa: F811
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    port = urllib.parse.urlsplit(signin_dashboard.url).port
    # Planted in the tab the moment the app's "/" loads after the provider's answer, before the page reads it.
    context.add_init_script(f"if (location.port === '{port}' && location.pathname === '/' && "
                            f"document.referrer.startsWith('{users.url}')) "
                            f"sessionStorage.setItem('seastat_return', {json.dumps(planted)})")
    page = context.new_page()
    page.goto(signin_dashboard.url + "/", wait_until="domcontentloaded")
    wait_for_streamlit(page)
    sign_in(page, users, "ann@spd.example", "/")
    page.wait_for_timeout(1_500)
    assert urllib.parse.urlsplit(page.url).netloc == urllib.parse.urlsplit(signin_dashboard.url).netloc
    assert urllib.parse.urlsplit(page.url).path == "/"
    context.close()


@pytest.mark.parametrize("size", ["over SeaStat's limit", "over the browser session's limit"])
def test_oversized_claims_are_refused_without_data(signin_dashboard, users, browser, artifacts, size):  # noqa: F811
    """Over [access] max_claims_bytes (4 KB): refused with a message. Far over it (here 2,000 groups, 16 KB
    of cookies), Streamlit's session cannot open at all (websockets refuses a header line over 8 KB):
    no page runs, so no data and no traceback either; README "Sign-in" says to keep the token lean."""
    sub = "big@spd.example" if size.startswith("over Sea") else "huge@spd.example"
    extra = {"notes": "a" * 5_000} if sub.startswith("big") else {"groups": [f"group-{i:05d}" for i in range(2_000)]}
    users.set_user(sub, email=sub, roles=["seastat-analyst"], **extra)
    page = open_at(browser, signin_dashboard.url + DATA_VIEW)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{users.url}/oauth2/authorize**", timeout=30_000)
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{signin_dashboard.url}/**", timeout=30_000)
    if sub.startswith("big"):
        wait_for_streamlit(page)
        assert_sign_in_page(page)
        page.get_by_text("bytes of claims, more than the 4,096 SeaStat accepts").wait_for()
        page.screenshot(path=str(artifacts / "signin-oversized-1920x1080.png"))
    else:
        page.wait_for_timeout(8_000)
        assert page.locator(DATA_SHOWN).count() == 0 and page_errors(page) == []
        assert "Traceback" not in page.inner_text("body")
    page.context.close()
