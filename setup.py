"""Build hook: the presenters, voices, brands and sample articles live at the top of the
checkout (where users swap them), and are copied into the wheel as ``anchor/_assets`` so an
installed Anchor finds them. Everything else is declared in pyproject.toml."""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ASSET_DIRS = ("avatars", "voices", "brands", "samples")


class BuildWithAssets(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout itself
        here = Path(__file__).resolve().parent
        target = Path(self.build_lib) / "anchor" / "_assets"
        for name in ASSET_DIRS:
            dst = target / name
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(here / name, dst, ignore=shutil.ignore_patterns("__pycache__"))


setup(cmdclass={"build_py": BuildWithAssets})
