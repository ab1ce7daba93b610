"""Sign-in, sessions, throttling, CSRF, rate limits, security headers, passwords and roles."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kbm_map.extensions import db
from kbm_map.models import AuditEntry, LoginThrottle, User, utcnow
from kbm_map.services.accounts import (
    MAX_FAILED_LOGINS,
    LoginRefusedError,
    authenticate,
    throttle_wait,
)

from .conftest import PASSWORD

CSRF_VALUE = re.compile(r'(name="csrf_token"(?: type="hidden")? )value="[^"]+"')


def test_the_staff_area_asks_visitors_to_sign_in(client):
    response = client.get("/admin/lernorte")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/anmelden?next=%2Fadmin%2Flernorte")


def test_signing_in_leads_to_the_page_asked_for(client, forms, editor_user):
    client.get("/admin/lernorte")
    response = client.post(
        "/admin/anmelden?next=/admin/lernorte",
        data={
            "csrf_token": forms.token(client),
            "email": "REDAKTION@example.org",
            "password": PASSWORD,
        },
    )
    assert response.headers["Location"] == "/admin/lernorte"
    assert client.get("/admin/lernorte").status_code == 200
    assert db.session.get(User, editor_user.id).last_login_at is not None


def test_a_foreign_next_address_is_ignored(client, forms, editor_user):
    response = client.post(
        "/admin/anmelden?next=https://evil.example/",
        data={"csrf_token": forms.token(client), "email": editor_user.email, "password": PASSWORD},
    )
    assert response.headers["Location"] == "/admin/"


def test_a_wrong_password_is_refused_without_saying_which_part_is_wrong(client, forms, editor_user):
    wrong = forms.sign_in(client, editor_user.email, "falsches-passwort-123")
    unknown = forms.sign_in(client, "niemand@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 401
    message = "E-Mail-Adresse oder Passwort ist falsch."
    assert message in wrong.get_data(as_text=True)
    assert message in unknown.get_data(as_text=True)


@pytest.fixture()
def long_wait(monkeypatch):
    """Make the first wait a minute, so a slow test run cannot outlast it."""
    from kbm_map.services import accounts

    monkeypatch.setattr(accounts, "FIRST_WAIT", timedelta(minutes=1))


def without_token(response, email: str) -> str:
    """Return a login page's HTML without its CSRF token and with the address typed in blanked.

    These are the only parts that may differ between two refusals.
    """
    html = CSRF_VALUE.sub(r"\1", response.get_data(as_text=True))
    return html.replace(email, "ADDRESS")


def test_every_refusal_reads_the_same(client, forms, editor_user, long_wait):
    unknown = "niemand@example.org"
    refusals = [without_token(forms.sign_in(client, unknown, PASSWORD), unknown)]
    codes = [401]
    for password in [*["falsches-passwort-123"] * MAX_FAILED_LOGINS, PASSWORD]:  # last: held back
        response = forms.sign_in(client, editor_user.email, password)
        codes.append(response.status_code)
        refusals.append(without_token(response, editor_user.email))
    assert set(codes) == {401}
    assert len(set(refusals)) == 1
    assert "E-Mail-Adresse oder Passwort ist falsch." in refusals[-1]
    assert "gesperrt" not in refusals[-1]


def from_address(app, address: str):
    """Return a test client whose requests come from this client address."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def throttle_of(user_id: int, address: str) -> LoginThrottle | None:
    """Return the stored failures of an account from one address."""
    db.session.expire_all()
    return db.session.query(LoginThrottle).filter_by(user_id=user_id, address=address).first()


def test_failures_from_one_address_do_not_lock_out_another(app, forms, editor_user, long_wait):
    attacker = from_address(app, "203.0.113.7")
    for _ in range(MAX_FAILED_LOGINS + 2):
        forms.sign_in(attacker, editor_user.email, "falsches-passwort-123")
    assert forms.sign_in(attacker, editor_user.email).status_code == 401  # held back
    assert throttle_of(editor_user.id, "203.0.113.7").failures == MAX_FAILED_LOGINS
    colleague = from_address(app, "198.51.100.20")
    assert forms.sign_in(colleague, editor_user.email).status_code == 302
    assert throttle_of(editor_user.id, "198.51.100.20") is None


def test_the_back_off_doubles_and_ends_at_15_minutes(app, editor_user):
    seconds = []
    with app.test_request_context():
        for _ in range(MAX_FAILED_LOGINS + 12):
            with pytest.raises(LoginRefusedError):
                authenticate(editor_user.email, "falsches-passwort-123", "192.0.2.1")
            throttle = throttle_of(editor_user.id, "192.0.2.1")
            wait = (throttle.blocked_until or throttle.last_failure_at) - throttle.last_failure_at
            seconds.append(wait.total_seconds())
            if throttle.blocked_until:  # let the wait pass
                throttle.blocked_until = utcnow() - timedelta(seconds=1)
                db.session.commit()
    assert seconds[: MAX_FAILED_LOGINS - 1] == [0] * (MAX_FAILED_LOGINS - 1)
    assert seconds[MAX_FAILED_LOGINS - 1 : MAX_FAILED_LOGINS + 4] == [1, 2, 4, 8, 16]
    assert seconds[-1] == 15 * 60
    assert throttle_wait(MAX_FAILED_LOGINS + 1000) == timedelta(minutes=15)


def test_the_right_password_after_the_wait_clears_the_count(app, forms, editor_user, long_wait):
    client = from_address(app, "192.0.2.9")
    for _ in range(MAX_FAILED_LOGINS):
        forms.sign_in(client, editor_user.email, "falsches-passwort-123")
    assert forms.sign_in(client, editor_user.email).status_code == 401  # within the wait
    throttle = throttle_of(editor_user.id, "192.0.2.9")
    throttle.blocked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert forms.sign_in(client, editor_user.email).status_code == 302
    assert throttle_of(editor_user.id, "192.0.2.9") is None


def test_a_post_without_csrf_token_is_refused(app, admin_client):
    assert app.config.get("WTF_CSRF_ENABLED", True), "CSRF must stay on in the tests"
    response = admin_client.post("/admin/traeger/neu", data={"name": "Ohne Token e. V."})
    assert response.status_code == 400
    assert "Ungültige Anfrage" in response.get_data(as_text=True)
    assert db.session.query(AuditEntry).filter_by(entity_type="organization").count() == 0


def test_signing_in_needs_a_csrf_token_too(client, editor_user):
    response = client.post(
        "/admin/anmelden", data={"email": editor_user.email, "password": PASSWORD}
    )
    assert response.status_code == 400


def test_the_login_is_rate_limited(app, client, forms, editor_user):
    allowed = int(app.config["LOGIN_RATE_LIMIT"].split()[0])
    token = forms.token(client)
    codes = [
        client.post(
            "/admin/anmelden",
            data={"csrf_token": token, "email": editor_user.email, "password": "x" * 12},
        ).status_code
        for _ in range(allowed + 1)
    ]
    assert codes[:allowed] == [401] * allowed
    assert codes[-1] == 429
    assert client.get("/admin/anmelden").status_code == 200  # looking is not limited


def test_staff_pages_forbid_framing_and_foreign_scripts(admin_client):
    response = admin_client.get("/admin/")
    assert response.headers["X-Frame-Options"] == "DENY"
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response.headers["Cache-Control"] == "no-store"


def test_the_csp_allows_the_configured_tile_host():
    from kbm_map.admin.security import content_security_policy

    csp = content_security_policy("https://{s}.tiles.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tiles.example.org;" in csp
    assert "img-src 'self' data:;" in content_security_policy("")


def test_the_session_cookie_is_httponly_and_samesite(client, forms, editor_user):
    response = forms.sign_in(client, editor_user.email)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_session_cookies_are_secure(tmp_path):
    from kbm_map import create_app

    app = create_app(
        {
            "KBM_ENV": "production",
            "SECRET_KEY": "x" * 32,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite'}",
        }
    )
    assert app.config["SESSION_COOKIE_SECURE"] is True


def test_signing_out_needs_a_post(admin_client, forms):
    assert admin_client.get("/admin/abmelden").status_code == 405
    assert forms.post(admin_client, "/admin/abmelden").status_code == 302
    assert admin_client.get("/admin/").status_code == 302


def test_a_copied_session_cookie_stops_working_after_logout(app, client, forms, editor_user):
    forms.sign_in(client, editor_user.email)
    copied = client.get_cookie("session").value
    assert forms.post(client, "/admin/abmelden").status_code == 302
    replay = app.test_client()
    replay.set_cookie("session", copied)
    response = replay.get("/admin/lernorte")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/admin/anmelden")


def test_logout_ends_the_sessions_on_other_devices_too(app, forms, editor_user):
    first, second = app.test_client(), app.test_client()
    forms.sign_in(first, editor_user.email)
    forms.sign_in(second, editor_user.email)
    forms.post(first, "/admin/abmelden")
    assert second.get("/admin/").status_code == 302


def test_an_admin_ends_all_sessions_of_an_account(app, admin_client, forms, editor_user):
    editor = app.test_client()
    forms.sign_in(editor, editor_user.email)
    html = admin_client.get(f"/admin/konten/{editor_user.id}").get_data(as_text=True)
    assert f'action="/admin/konten/{editor_user.id}/sitzungen"' in html
    response = forms.post(admin_client, f"/admin/konten/{editor_user.id}/sitzungen")
    assert response.status_code == 302
    assert editor.get("/admin/").status_code == 302
    assert forms.sign_in(app.test_client(), editor_user.email).status_code == 302  # password kept


def test_editors_cannot_end_other_sessions(editor_client, forms, admin_user):
    response = forms.post(editor_client, f"/admin/konten/{admin_user.id}/sitzungen")
    assert response.status_code == 403


def test_a_session_id_with_a_foreign_token_is_refused(app, editor_user):
    from kbm_map.admin.security import load_user

    with app.test_request_context():
        user = db.session.get(User, editor_user.id)
        assert load_user(f"{user.id}:{user.session_token}") is not None
        for wrong in (f"{user.id}:", f"{user.id}:x{user.session_token}", "x:y", "99" * 20 + ":a"):
            assert load_user(wrong) is None


def test_changing_the_password_ends_other_sessions(app, admin_user, forms):
    first, second = app.test_client(), app.test_client()
    forms.sign_in(first, admin_user.email)
    forms.sign_in(second, admin_user.email)
    response = forms.post(
        first,
        "/admin/passwort",
        {
            "current_password": PASSWORD,
            "new_password": "neues-passwort-lang",
            "repeat": "neues-passwort-lang",
        },
    )
    assert response.status_code == 302
    assert first.get("/admin/").status_code == 200
    assert second.get("/admin/").status_code == 302  # signed out by the change
    assert (
        forms.sign_in(app.test_client(), admin_user.email, "neues-passwort-lang").status_code == 302
    )


def test_password_change_messages_are_german_and_beside_the_fields(admin_client, forms):
    response = forms.post(
        admin_client,
        "/admin/passwort",
        {"current_password": "falsch-falsch-falsch", "new_password": "kurz", "repeat": "anders"},
    )
    html = response.get_data(as_text=True)
    assert "Mindestens 12 Zeichen." in html
    assert "Die beiden Passwörter sind nicht gleich." in html
    assert 'id="new_password-error"' in html
    assert 'aria-describedby="new_password-hint new_password-error"' in html


def test_an_admin_resets_a_password_and_lifts_the_back_off(admin_client, forms, editor_user):
    user = db.session.get(User, editor_user.id)
    db.session.add(
        LoginThrottle(
            user_id=user.id,
            address="192.0.2.5",
            failures=9,
            last_failure_at=utcnow(),
            blocked_until=utcnow() + timedelta(minutes=10),
        )
    )
    db.session.commit()
    response = forms.post(
        admin_client,
        f"/admin/konten/{editor_user.id}",
        {"password": "vom-admin-gesetzt", "reset": "1"},
    )
    assert response.status_code == 302
    assert throttle_of(user.id, "192.0.2.5") is None
    db.session.refresh(user)
    assert user.check_password("vom-admin-gesetzt")
    entry = db.session.query(AuditEntry).filter_by(entity_type="user", entity_id=user.id).all()[-1]
    assert entry.changes == {"password": ["***", "***"]}  # never the hash


def test_an_admin_creates_an_account(admin_client, forms):
    response = forms.post(
        admin_client,
        "/admin/konten",
        {
            "email": "Neu@Example.org",
            "name": "Neu",
            "role": "editor",
            "password": "erstes-passwort-1",
        },
    )
    assert response.status_code == 302
    assert db.session.query(User).filter_by(email="neu@example.org").one().role == "editor"


def test_the_last_admin_cannot_be_demoted(admin_client, forms, admin_user):
    response = forms.post(
        admin_client,
        f"/admin/konten/{admin_user.id}",
        {"name": "Ada", "role": "editor", "active": "y", "submit": "1"},
    )
    assert response.status_code == 422
    assert "mindestens ein aktives Admin-Konto" in response.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/admin/konten", "/admin/import", "/admin/konten/1"])
def test_editors_cannot_manage_accounts_or_imports(editor_client, url):
    assert editor_client.get(url).status_code == 403


def test_editors_do_not_see_admin_links(editor_client):
    html = editor_client.get("/admin/").get_data(as_text=True)
    assert "/admin/konten" not in html
    assert "/admin/import" not in html


def test_a_deactivated_account_is_signed_out(app, admin_client, forms, editor_user):
    editor = app.test_client()
    forms.sign_in(editor, editor_user.email)
    copied = editor.get_cookie("session").value
    forms.post(
        admin_client,
        f"/admin/konten/{editor_user.id}",
        {"name": "Ed", "role": "editor", "submit": "1"},  # "active" unticked
    )
    assert editor.get("/admin/").status_code == 302
    forms.post(
        admin_client,
        f"/admin/konten/{editor_user.id}",
        {"name": "Ed", "role": "editor", "active": "y", "submit": "1"},
    )
    replay = app.test_client()
    replay.set_cookie("session", copied)
    assert replay.get("/admin/").status_code == 302  # reactivation does not revive the cookie


def test_a_malformed_rate_limit_stops_with_one_clear_line(tmp_path, monkeypatch):
    from kbm_map.config import load_config
    from kbm_map.errors import ConfigError

    monkeypatch.setenv("KBM_LOGIN_RATE_LIMIT", "zehn pro Minute")
    with pytest.raises(ConfigError, match="KBM_LOGIN_RATE_LIMIT must be a rate such as"):
        load_config(str(tmp_path), {"KBM_ENV": "development"})
