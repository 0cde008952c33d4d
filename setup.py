"""Packaging hook: the challenge catalog ships inside the wheel, under ``judge/catalog/``.

The repository keeps ``challenges/<id>/``, ``reference/`` and ``docker/`` at its top (README,
"Writing a challenge"); a wheel has no top, so the build copies them into the ``judge`` package,
where ``judge.CATALOG`` finds them through ``importlib.resources``. An editable install builds
nothing: the judge finds the repository's own folders next to it (``judge.ROOT``).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

#: repository folder -> folder under judge/catalog/ in the wheel
CATALOG = ("challenges", "reference", "docker")


class build_py_with_catalog(build_py):  # noqa: N801 - setuptools' command naming
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        here = Path(__file__).resolve().parent
        for name in CATALOG:
            target = Path(self.build_lib) / "judge" / "catalog" / name
            if target.exists():  # a rebuild: never keep a challenge the tree no longer has
                shutil.rmtree(target)
            shutil.copytree(here / name, target, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))


setup(cmdclass={"build_py": build_py_with_catalog})
