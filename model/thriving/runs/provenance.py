"""Which code made a result: a fingerprint of the installed Thriving package's source.

Run ids hash the scenario and the seed, and a resumed sweep checks package versions; but
a change to the model made without a new version number (between releases, or a
local edit) would pass both, and a resumed sweep would quietly mix runs of
the old model with runs of the new one. The code fingerprint closes that gap: a SHA-256
of every file the package is made of, which changes when any byte of them does.

What it covers is what ``pip install .`` installs: every ``.py`` file of the package
and its subpackages, and the package data named in ``pyproject.toml`` (the ward table
and its notes in ``data/``, the report's page and style sheet in ``templates/``). Each
file enters with its path relative to the package folder, in sorted order, so the
fingerprint is the same for an editable install (``pip install -e .``, files read from
the checkout) and a normal one (files read from ``site-packages``) of the same source,
and does not depend on where either is. Compiled files (``__pycache__``) and anything
else lying in the folder (editor backups, notes) are left out.

Every file counts, not only those of the model: telling which files cannot change a
run's numbers would need to follow every import, and a wrong guess would let mixed runs
through, which is worse than asking for a new results folder after a change to, say,
the report's wording.
"""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

#: Package data counted in the fingerprint, as glob patterns relative to the package
#: folder. Keep in step with ``[tool.setuptools.package-data]`` in ``pyproject.toml``
#: (a test checks): those are the data files a normal install has.
PACKAGE_DATA: tuple[str, ...] = ("data/*.csv", "data/*.md", "templates/*.html", "templates/*.css")

#: Characters of a fingerprint shown in messages: enough to tell two apart.
SHORT = 12


def source_files(package: str | os.PathLike[str]) -> list[Path]:
    """The files a fingerprint of ``package`` covers, sorted by their relative path.

    Parameters
    ----------
    package : path
        The package folder (the one holding ``__init__.py``).

    Returns
    -------
    list of Path
        Every ``*.py`` file below ``package`` outside ``__pycache__``, and every file
        matching :data:`PACKAGE_DATA`.
    """
    root = Path(package)
    files = {p for p in root.rglob("*.py") if "__pycache__" not in p.relative_to(root).parts}
    for pattern in PACKAGE_DATA:
        files.update(root.glob(pattern))
    return sorted((p for p in files if p.is_file()), key=lambda p: p.relative_to(root).as_posix())


def source_fingerprint(package: str | os.PathLike[str]) -> str:
    """SHA-256 (hexadecimal) of the source files of a package folder.

    Each file of :func:`source_files` enters as its relative path (``/``-separated),
    its length in bytes and its bytes, so renaming or moving a file changes the
    fingerprint as well as editing one, and no two different file sets can run
    together into the same stream. Not cached: see :func:`code_fingerprint`.

    Parameters
    ----------
    package : path
        The package folder.

    Returns
    -------
    str
        64 hexadecimal digits.

    Examples
    --------
    >>> import shutil, tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = (folder / "__init__.py").write_text("x = 1")
    >>> before = source_fingerprint(folder)
    >>> before == source_fingerprint(folder)
    True
    >>> _ = (folder / "__init__.py").write_text("x = 2")
    >>> before == source_fingerprint(folder)
    False
    >>> shutil.rmtree(folder)
    """
    root = Path(package)
    digest = hashlib.sha256()
    for path in source_files(root):
        data = path.read_bytes()
        name = path.relative_to(root).as_posix().encode("utf-8")
        digest.update(len(name).to_bytes(8, "big") + name)
        digest.update(len(data).to_bytes(8, "big") + data)
    return digest.hexdigest()


@functools.cache
def code_fingerprint() -> str:
    """The fingerprint of the Thriving package this process runs (:func:`source_fingerprint`).

    Computed once per process, on first use (reading the package's files takes a few
    milliseconds), so a file edited while a sweep runs does not change what the sweep's
    own process records; each worker process computes its own, from the files it loaded
    (or would load) its code from.

    Returns
    -------
    str
        64 hexadecimal digits.
    """
    import thriving

    return source_fingerprint(Path(thriving.__file__).resolve().parent)


def short(fingerprint: str | None) -> str:
    """A fingerprint shortened for a message; "none recorded" when there is none.

    Examples
    --------
    >>> short("0123456789abcdef" * 4)
    '0123456789ab'
    >>> short(None)
    'none recorded'
    """
    return fingerprint[:SHORT] if fingerprint else "none recorded"
