"""`anchor avatars` (list the presenters and their consent), `anchor avatars add PHOTO
--name NAME --consent ...` and `anchor avatars consent NAME ...` (record it afterwards)."""

from __future__ import annotations

from pathlib import Path

import typer

from anchor.assets.avatars import avatars_dir, load_avatar
from anchor.assets.brands import load_brand
from anchor.assets.consent import consent_status, with_consent_table
from anchor.core.cache import atomic_write_text

from .console import console
from .info_command import avatars_cmd

app = typer.Typer(help="Presenters: list them, or add your own from a photo.",
                  add_completion=False)


@app.callback(invoke_without_command=True)
def _list(ctx: typer.Context) -> None:
    """List presenters (avatars/*.png + .toml); `anchor avatars add` adds one."""
    if ctx.invoked_subcommand is None:
        avatars_cmd()


@app.command("add")
def add_cmd(
    photo: Path = typer.Argument(..., help="Portrait photo (PNG or JPEG): one person, "
                                           "frontal, eyes open, mouth closed or smiling."),
    name: str = typer.Option(..., "--name", help="File name of the presenter, e.g. mei-li."),
    display_name: str = typer.Option("", "--display-name",
                                     help="Name on the lower third (default: from --name)."),
    title: str = typer.Option("News Anchor", "--title", help="Title under the name."),
    licence: str = typer.Option("", "--licence", help="Who may use the photo, and how."),
    voice_zh: str = typer.Option("zh-female", "--voice-zh", help="Mandarin voice preset."),
    voice_en: str = typer.Option("en-female", "--voice-en", help="English voice preset."),
    backdrop: bool = typer.Option(False, "--backdrop",
                                  help="Replace the photo's background by the brand's studio."),
    brand: str = typer.Option("default", "--brand", help="Brand whose backdrop --backdrop uses."),
    folder: Path | None = typer.Option(None, "--dir",
                                       help="Where to write NAME.png/.toml (default: avatars/)."),
    force: bool = typer.Option(False, "--force", help="Replace an avatar of that name."),
    consent: str = typer.Option(
        "", "--consent", help="Where the person's signed consent to be a presenter is kept "
                              '(e.g. "HR file 2026/113"). Required for a real person.'),
    person: str = typer.Option("", "--person",
                               help="Who the person is (default: the display name)."),
    consent_date: str = typer.Option("", "--consent-date",
                                     help="When they agreed, YYYY-MM-DD (default: today)."),
    no_consent_needed: bool = typer.Option(
        False, "--no-consent-needed", help="The face is no real person's (a drawing)."),
) -> None:
    """Check a photo and make it a presenter: writes avatars/NAME.png and NAME.toml.

    The person's consent is recorded in the TOML (--consent, --person, --consent-date),
    or --no-consent-needed says the face is a drawing; without either, nothing is added.
    """
    # deferred: OpenCV and PIL, only for this command
    from anchor.render.presenter.portrait import add_avatar

    branding = load_brand(brand) if backdrop else None
    png, toml, check = add_avatar(
        photo, name, folder or avatars_dir(), display_name=display_name, title=title,
        licence=licence, voice_zh=voice_zh, voice_en=voice_en, backdrop=branding, force=force,
        consent=consent, person=person, consent_date=consent_date,
        no_consent_needed=no_consent_needed)
    console().print(f"added [bold]{name}[/]: {png} and {toml}")
    console().print(f"face {check.face_px:.0f} px tall, eyes open {check.eyes_open:.2f}, "
                    f"mouth parted {check.mouth_open:.0%}; try it: "
                    f"anchor render ARTICLE --avatar {name}", highlight=False)


@app.command("consent")
def consent_cmd(
    name: str = typer.Argument(..., help="The presenter (its TOML's name in avatars/)."),
    consent: str = typer.Option(
        "", "--consent", help="Where the person's signed consent to be a presenter is kept."),
    person: str = typer.Option("", "--person",
                               help="Who the person is (default: the display name)."),
    consent_date: str = typer.Option("", "--consent-date",
                                     help="When they agreed, YYYY-MM-DD (default: today)."),
    no_consent_needed: bool = typer.Option(
        False, "--no-consent-needed", help="The face is no real person's (a drawing)."),
) -> None:
    """Record a presenter's consent in its TOML (replacing any consent recorded there)."""
    # deferred: OpenCV and PIL come with portrait
    from anchor.render.presenter.portrait import consent_table

    avatar = load_avatar(name)
    table = consent_table(consent=consent, person=person, consent_date=consent_date,
                          no_consent_needed=no_consent_needed, display=avatar.display_name)
    path = avatars_dir() / f"{name}.toml"
    atomic_write_text(path, with_consent_table(path.read_text("utf-8"), table))
    console().print(f"{name}: {consent_status(load_avatar(name).consent)}", highlight=False)
