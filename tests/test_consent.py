"""Every face agreed: presenters carry their consent, and a render refuses one without."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path

import pytest

from anchor.assets.avatars import _parse, list_avatars, load_avatar
from anchor.assets.consent import (
    ConsentMissing,
    allow_unconsented,
    consent_record,
    consent_toml,
    publishable,
    require_consent,
    with_consent_table,
)
from anchor.cli import main
from anchor.core.errors import InputError
from anchor.core.settings import load_settings
from anchor.core.values import Consent
from anchor.jobs.preflight import preflight

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def assets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the shipped assets to change."""
    for name in ("avatars", "voices", "brands"):
        shutil.copytree(ROOT / name, tmp_path / name)
    monkeypatch.setenv("ANCHOR_ASSETS", str(tmp_path))
    return tmp_path


def test_shipped_presenters_say_whose_face_they_are() -> None:
    by_name = {a.name: a for a in list_avatars()}
    assert by_name["xia"].consent.real_person is False and publishable(by_name["xia"].consent)
    assert by_name["lin"].consent.real_person is False and publishable(by_name["lin"].consent)
    astra = by_name["astra"].consent
    assert astra.real_person and astra.tests_only and not astra.agreed
    assert not publishable(astra)


def test_the_default_presenter_is_no_real_person() -> None:
    settings = load_settings(None, {}, env={})
    avatar = load_avatar(settings.avatar)
    assert avatar.name == "xia" and avatar.consent.real_person is False
    assert avatar.matte is not None and avatar.matte.is_file()


def test_a_render_refuses_a_real_face_without_consent() -> None:
    with pytest.raises(ConsentMissing, match="never agreed") as info:
        require_consent(load_avatar("astra"))
    assert "xia" in info.value.hint
    with pytest.raises(ConsentMissing):
        preflight(load_settings(None, {"avatar": "astra"}, env={}))
    preflight(load_settings(None, {}, env={}))  # the default passes


def test_tests_opt_in_in_code_only_and_the_record_says_so() -> None:
    astra = load_avatar("astra")
    with allow_unconsented("astra"):
        require_consent(astra)
        record = consent_record(astra)
        assert record["allowed_unconsented"] is True and record["publishable"] is False
    with pytest.raises(ConsentMissing):
        require_consent(astra)  # the opt-in ends with its block


@pytest.mark.parametrize(("consent", "ok"), [
    (Consent(), False),  # the TOML does not say
    (Consent(real_person=True, person="Mei", agreed=True), False),  # where is it kept?
    (Consent(real_person=True, person="Mei", record="HR 113"), False),  # did she agree?
    (Consent(real_person=True, person="Mei", agreed=True, record="HR 113"), True),
    (Consent(real_person=False), True),
    (Consent(real_person=True, person="Mei", agreed=True, record="HR", tests_only=True), False),
])
def test_what_counts_as_consent(consent: Consent, ok: bool) -> None:
    assert publishable(consent) is ok


def test_consent_table_round_trips_and_replaces_only_itself() -> None:
    table = consent_toml(real_person=True, person='Mei "Li"', record="HR file 113",
                         date="2026-12-05")
    text = '# a comment\nname = "x"\n\n[consent]\nreal_person = false\n\n[names]\nzh = "梅"\n'
    new = with_consent_table(text, table)
    data = tomllib.loads(new)
    assert data["consent"] == {"real_person": True, "person": 'Mei "Li"', "agreed": True,
                               "date": "2026-12-05", "record": "HR file 113"}
    assert data["names"] == {"zh": "梅"} and new.startswith("# a comment")
    with pytest.raises(InputError, match="who they are"):
        consent_toml(real_person=True, person="Mei")
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        consent_toml(real_person=True, person="Mei", record="HR", date="5 Dec")


def test_a_broken_consent_table_is_a_config_error(tmp_path: Path) -> None:
    from anchor.core.errors import ConfigError

    (tmp_path / "p.png").write_bytes((ROOT / "avatars" / "lin.png").read_bytes())
    toml = tmp_path / "p.toml"
    toml.write_text('image = "p.png"\n[consent]\nreal_person = "yes"\n', "utf-8")
    with pytest.raises(ConfigError, match="true or false"):
        _parse(toml)
    toml.write_text('image = "p.png"\n[consent]\nagreeed = true\n', "utf-8")
    with pytest.raises(ConfigError, match="unknown key"):
        _parse(toml)


def test_cli_records_consent_and_the_list_shows_it(assets: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    toml = assets / "avatars" / "astra.toml"
    toml.write_text(toml.read_text().replace("tests_only = true\n", ""), "utf-8")

    def run(args: list[str]) -> int:
        with pytest.raises(SystemExit) as info:
            main(args)
        return int(info.value.code or 0)

    assert run(["avatars", "consent", "astra"]) == 2  # nothing given: usage error
    assert "--consent" in capsys.readouterr().err
    assert run(["avatars", "consent", "astra", "--consent", "release, legal dept. 2026/7",
                "--person", "Astra Example", "--consent-date", "2026-12-01"]) == 0
    assert "Astra Example agreed on 2026-12-01" in capsys.readouterr().out
    a = load_avatar("astra")
    assert publishable(a.consent) and a.consent.record == "release, legal dept. 2026/7"
    assert tomllib.loads(toml.read_text())["landmarks"]  # the rest of the file kept
    require_consent(a)
    assert run(["avatars"]) == 0
    listing = capsys.readouterr().out
    assert "agreed" in listing and "no real" in listing  # (the table wraps: words only)


def test_cli_render_with_an_unconsented_face_stops_in_a_second(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    article = tmp_path / "a.txt"
    article.write_text("标题\n\n正文一句。", "utf-8")
    with pytest.raises(SystemExit) as info:
        main(["render", str(article), "--avatar", "astra", "--out", str(tmp_path / "out")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "never agreed" in err and "hint:" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_the_web_offers_only_faces_that_may_be_shown() -> None:
    from anchor.web.service import load_choices

    names = dict(load_choices().avatars)
    assert "astra" not in names
    assert names["xia"] == "Xia Yu · drawn" and names["lin"] == "Lin Hao · drawn"
