"""`flask guides load`, `flask guides check` and the `flask seed` hook."""

from guides import services


def test_guides_check_validates_the_sample_files(app):
    result = app.test_cli_runner().invoke(args=["guides", "check"])
    assert result.exit_code == 0, result.output
    assert "ok:" in result.output


def test_guides_load_fills_an_empty_catalogue_once(app, session):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["guides", "load"])
    assert result.exit_code == 0, result.output
    assert "'loaded': True" in result.output
    assert len(services.list_published_items(session)) >= 200
    again = runner.invoke(args=["guides", "load"])
    assert "'loaded': False" in again.output


def test_the_seeder_is_registered_first(app):
    seeders = sorted(app.extensions["seeders"], key=lambda s: s[0])
    assert ("guides", 10) in [(name, order) for order, name, _ in seeders]
