"""Runs know which code made them: the code fingerprint, recorded and checked on resume.

The fingerprint tests work on a temporary copy of the package, never on the package
itself. The command tests run one tiny sweep (300 residents, one year, no burn-in) and
then tamper with the code recorded in its manifest.
"""

from __future__ import annotations

import json
import re
import shutil
import tomllib
from pathlib import Path

import pytest

import thriving
from thriving.cli.main import cli
from thriving.runs import provenance
from thriving.runs.provenance import code_fingerprint, source_files, source_fingerprint
from thriving.runs.store import CODE, package_versions

REPO = Path(__file__).resolve().parents[2]
PACKAGE = Path(thriving.__file__).resolve().parent
HEX64 = re.compile(r"[0-9a-f]{64}")


@pytest.fixture
def package_copy(tmp_path) -> Path:
    """A copy of the installed package's source, safe to edit."""
    copy = tmp_path / "thriving"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    return copy


# --------------------------------------------------------------------------------------
# The fingerprint
# --------------------------------------------------------------------------------------


def test_the_fingerprint_is_computed_once_per_process_and_stable():
    first = code_fingerprint()
    assert HEX64.fullmatch(first)
    assert code_fingerprint() is first  # cached: not read again
    assert package_versions()[CODE] == first


def test_the_fingerprint_changes_when_a_byte_of_a_source_file_changes(package_copy):
    before = source_fingerprint(package_copy)
    assert source_fingerprint(package_copy) == before
    model = package_copy / "sim" / "model.py"
    original = model.read_bytes()
    model.write_bytes(original + b"\n")
    assert source_fingerprint(package_copy) != before
    model.write_bytes(original)
    assert source_fingerprint(package_copy) == before


@pytest.mark.parametrize(
    "relative", ["data/oldham_wards.csv", "templates/report.css", "plots/style.py"]
)
def test_package_data_and_subpackages_count(package_copy, relative):
    before = source_fingerprint(package_copy)
    path = package_copy / relative
    path.write_bytes(path.read_bytes().replace(b"0", b"1", 1) + b" ")
    assert source_fingerprint(package_copy) != before


def test_renaming_a_file_changes_the_fingerprint(package_copy):
    before = source_fingerprint(package_copy)
    (package_copy / "sim" / "rng.py").rename(package_copy / "sim" / "rng2.py")
    assert source_fingerprint(package_copy) != before


@pytest.mark.parametrize(
    "stray", ["__pycache__/model.cpython-311.pyc", "model.py~", "notes.txt", "data/x.parquet"]
)
def test_files_an_install_would_not_have_do_not_count(package_copy, stray):
    # An editable install reads the checkout, where such files may lie; a normal
    # install has only the source and package data, and both must agree.
    before = source_fingerprint(package_copy)
    (package_copy / stray).parent.mkdir(exist_ok=True)
    (package_copy / stray).write_bytes(b"anything")
    assert source_fingerprint(package_copy) == before


def test_the_fingerprint_does_not_depend_on_where_the_package_is(package_copy, tmp_path):
    elsewhere = tmp_path / "site-packages" / "thriving"
    shutil.copytree(package_copy, elsewhere)
    assert source_fingerprint(elsewhere) == source_fingerprint(package_copy)


def test_the_package_data_counted_is_what_pyproject_installs():
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    installed = pyproject["tool"]["setuptools"]["package-data"]["thriving"]
    assert sorted(provenance.PACKAGE_DATA) == sorted(installed)
    names = {p.relative_to(PACKAGE).as_posix() for p in source_files(PACKAGE)}
    assert {"__init__.py", "sim/model.py", "plots/style.py", "data/oldham_wards.csv"} <= names


# --------------------------------------------------------------------------------------
# Recorded with each run, and checked when a sweep resumes
# --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    """A finished tiny sweep; (experiment file, results folder, sweep arguments)."""
    from click.testing import CliRunner

    folder = tmp_path_factory.mktemp("provenance")
    experiment = folder / "tiny.yaml"
    experiment.write_text(
        f"""name: tiny
baseline: {REPO / "scenarios" / "baseline.yaml"}
scenarios: [{REPO / "scenarios" / "social_prescribing.yaml"}]
replicates: 1
seed: 7
overrides:
  population.residents: 300
  horizon.years: 1
  horizon.burn_in_years: 0
  investments.social_prescribing.end_year: 1
""",
        encoding="utf-8",
    )
    out = folder / "results"
    args = ["sweep", str(experiment), "--workers", "1", "--out", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    return out, args


def copy_with_code(sweep, tmp_path, code: str | None) -> tuple[Path, list[str]]:
    """The sweep's folder copied, its manifest claiming ``code`` (None: no code recorded)."""
    out, args = sweep
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    manifest = json.loads((copy / "manifest.json").read_text(encoding="utf-8"))
    if code is None:
        del manifest["versions"][CODE]
    else:
        manifest["versions"][CODE] = code
    (copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return copy, [*args[:-1], str(copy)]


def test_the_sweep_manifest_and_each_run_record_the_code(sweep):
    out, _ = sweep
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["versions"][CODE] == code_fingerprint()
    records = sorted((out / "runs").glob("*.json"))
    assert len(records) == 2
    # Each worker process records the code it loaded. In a checkout being edited while
    # the tests run, that may be newer than the code this process loaded, so the
    # package as it is now is accepted too.
    loaded = {code_fingerprint(), source_fingerprint(PACKAGE)}
    for path in records:
        assert json.loads(path.read_text(encoding="utf-8"))[CODE] in loaded


def test_resuming_with_the_same_code_runs_nothing(sweep, tmp_path, runner):
    _, args = copy_with_code(sweep, tmp_path, code_fingerprint())
    result = runner.invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert "2 of 2 runs done (0 now" in result.stdout


def test_resuming_runs_made_by_other_code_is_refused(sweep, tmp_path, runner):
    copy, args = copy_with_code(sweep, tmp_path, "0123456789ab" + "0" * 52)
    before = sorted(p.name for p in (copy / "runs").iterdir())
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    (line,) = result.stderr.strip().splitlines()
    assert "other Thriving code" in line
    assert "code 0123456789ab" in line and f"this is {code_fingerprint()[:12]}" in line
    assert "--out" in line and "--force" in line
    assert sorted(p.name for p in (copy / "runs").iterdir()) == before  # nothing touched

    forced = runner.invoke(cli, [*args, "--force"])
    assert forced.exit_code == 0, forced.output
    assert "moved to" in forced.stderr


def test_a_folder_made_before_the_code_was_recorded_is_refused(sweep, tmp_path, runner):
    _, args = copy_with_code(sweep, tmp_path, None)
    result = runner.invoke(cli, args)
    assert result.exit_code == 1
    assert "other Thriving code (code none recorded" in result.stderr


def test_a_single_run_records_the_code(tmp_path, runner):
    out = tmp_path / "run"
    baseline = REPO / "scenarios" / "baseline.yaml"
    small = ["--population", "300", "--years", "1", "--set", "horizon.burn_in_years=0"]
    result = runner.invoke(cli, ["run", str(baseline), *small, "--out", str(out)])
    assert result.exit_code == 0, result.output
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest[CODE] == code_fingerprint()
