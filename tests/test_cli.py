"""The kbm-map commands: init-db, demo, create-user, config."""

from __future__ import annotations

from sqlalchemy import func, select

from kbm_map.demo.generator import generate
from kbm_map.extensions import db
from kbm_map.models import Location, Offer, OfferSession, Region, Status, Term, User


def count(model, *where) -> int:
    """Count rows of a model."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_init_db_seeds_the_taxonomy_and_can_run_again(runner):
    first = runner.invoke(args=["init-db"])
    second = runner.invoke(args=["init-db"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    assert "0 taxonomy terms added" in second.output
    areas = db.session.scalars(select(Term.code).where(Term.vocabulary == "area")).all()
    assert len(areas) == 7 and "fruehkindliche_bildung" in areas


def test_demo_loads_the_requested_sizes(runner):
    result = runner.invoke(args=["demo", "--locations", "120", "--offers", "400"])
    assert result.exit_code == 0, result.output
    assert count(Location) == 120 and count(Offer) == 400
    assert count(Region) >= 4
    assert count(OfferSession) > 400  # courses have several sessions
    assert "120 Lernorte, 400 Angebote" in result.output


def test_demo_is_repeatable_and_replaces_itself(runner):
    runner.invoke(args=["demo", "--locations", "60", "--offers", "100"])
    first = db.session.scalars(select(Location.slug).order_by(Location.slug)).all()
    runner.invoke(args=["demo", "--locations", "60", "--offers", "100"])
    db.session.expire_all()
    assert db.session.scalars(select(Location.slug).order_by(Location.slug)).all() == first
    assert count(Location) == 60


def test_demo_leaves_other_data_alone(runner):
    db.session.add(
        Location(slug="echt", name="Echte Stadtbibliothek", source="stadt", status="published")
    )
    db.session.commit()
    runner.invoke(args=["demo", "--locations", "30", "--offers", "30"])
    assert count(Location, Location.source == "stadt") == 1


def test_demo_places_every_located_entry_in_its_gemeinde(runner):
    from kbm_map.geo.spatial import region_at

    runner.invoke(args=["demo", "--locations", "80", "--offers", "10"])
    located = db.session.scalars(select(Location).where(Location.geom.isnot(None))).all()
    from geoalchemy2.shape import to_shape

    for location in located[:40]:
        point = to_shape(location.geom)
        assert region_at(db.session, Region, point.x, point.y).id == location.region_id


def test_demo_data_is_plausible():
    region = generate(locations=200, offers=500, seed=1)
    names = [loc["name"] for loc in region.locations]
    assert len(set(names)) == len(names)
    assert any(o["title"].startswith("Deutschkurs") for o in region.offers)
    published = sum(loc["status"] == Status.PUBLISHED for loc in region.locations)
    assert 0.85 < published / len(names) < 1.0
    assert generate(200, 500, seed=1).locations == region.locations


def test_create_user_asks_for_a_password_and_hashes_it(runner):
    result = runner.invoke(
        args=["create-user", "Amt@Example.org", "--role", "admin", "--name", "Anna Amt"],
        input="ein langes Passwort\nein langes Passwort\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User))
    assert user.email == "amt@example.org" and user.role == "admin"
    assert user.password_hash.startswith("scrypt:") and user.check_password("ein langes Passwort")


def test_create_user_rejects_short_passwords_and_duplicates(runner):
    short = runner.invoke(args=["create-user", "a@b.de", "--password", "kurz"])
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    runner.invoke(args=["create-user", "a@b.de", "--password", "lang genug 123"])
    again = runner.invoke(args=["create-user", "a@b.de", "--password", "lang genug 123"])
    assert again.exit_code == 1 and "already an account" in again.output


def test_config_lists_settings_without_secrets(runner):
    result = runner.invoke(args=["config"])
    assert result.exit_code == 0
    assert (
        "KBM_DATABASE_URL" in result.output
        and "KBM_SECRET_KEY               (set)" in result.output
    )
