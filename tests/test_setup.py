"""The set-up that `make demo` and `make test` run is safe to run again."""

import logging
import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_services() -> subprocess.CompletedProcess:
    return subprocess.run(
        ["bash", str(ROOT / "bin" / "services.sh")], capture_output=True, text=True, timeout=300, check=False
    )


def test_services_setup_is_idempotent():
    first = run_services()
    second = run_services()
    assert first.returncode == 0, first.stdout + first.stderr
    assert second.returncode == 0, second.stdout + second.stderr
    # the second run finds everything in place and creates nothing
    assert "creating" not in second.stdout
    assert "PostgreSQL answers on 127.0.0.1" in second.stdout
    assert "Redis answers on 127.0.0.1:6379" in second.stdout
    assert second.stdout.strip().endswith("[services] ready")


def test_every_script_is_executable_as_a_clean_clone_checks_it_out():
    """`make demo` on a fresh clone once failed with "bin/demo.sh: Permission
    denied": git kept the script without its executable bit."""
    scripts = [p for p in [*(ROOT / "bin").iterdir(), *(ROOT / ".ci").iterdir()] if p.is_file()]
    with_shebang = [p for p in scripts if p.read_bytes().startswith(b"#!")]
    assert with_shebang, "no script found"
    not_executable = [str(p.relative_to(ROOT)) for p in with_shebang if not os.access(p, os.X_OK)]
    assert not_executable == []


def test_the_two_commands_run_only_what_exists():
    """The recipes of `make demo` and `make test` (dry run) name scripts that are there."""
    dry = subprocess.run(["make", "-n", "demo", "test"], cwd=ROOT, capture_output=True, text=True, check=True)
    named = {
        word for line in dry.stdout.splitlines() for word in line.split() if word.startswith(("bin/", ".ci/"))
    }
    assert "bin/demo.sh" in named and "bin/services.sh" in named
    assert [name for name in named if not (ROOT / name).is_file()] == []


def test_a_built_wheel_carries_the_config_every_host_reads(tmp_path, monkeypatch):
    """config/ (the agreement kinds, the portal's lists, the demo) is not a
    package: the wheel installs it under <prefix>/share, where the settings
    find it when there is no checkout."""
    import sys
    import zipfile

    from ckanext.datasud_partnership.common import settings

    pip = Path(sys.executable).with_name("pip")
    subprocess.run(
        [str(pip), "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), str(ROOT)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    [wheel] = tmp_path.glob("*.whl")
    data = "ckanext_datasud_partnership-0.1.0.data/data/share/ckanext-datasud_partnership/"
    shipped = {name.removeprefix(data) for name in zipfile.ZipFile(wheel).namelist() if name.startswith(data)}
    in_checkout = {
        path.relative_to(ROOT).as_posix() for path in (ROOT / "config").rglob("*") if path.is_file()
    }
    assert shipped == in_checkout

    monkeypatch.setattr(settings, "CHECKOUT_CONFIG_DIR", tmp_path / "no-checkout")
    assert settings.config_dir({}) == Path(sys.prefix) / "share" / "ckanext-datasud_partnership" / "config"
    assert settings.config_dir({settings.OPTION + "config_dir": "/etc/datasud"}) == Path("/etc/datasud")


@pytest.mark.usefixtures("clean_db")
def test_a_host_with_other_kind_files_says_so_at_start_up(tmp_path, caplog, monkeypatch):
    import shutil

    from ckanext.datasud_partnership.common import config_files, settings

    ours = settings.CHECKOUT_CONFIG_DIR
    assert config_files.check_same_files(ours, host="web-1") is None
    assert config_files.check_same_files(ours, host="worker-1") is None  # the same files
    other = tmp_path / "config"
    shutil.copytree(ours, other)
    kind = other / "agreement_kinds" / "datasud_partnership.yaml"
    kind.write_text(kind.read_text(encoding="utf-8") + "\n# changed on one host only\n", encoding="utf-8")

    # (CKAN's logging set-up, run again by earlier tests, disables the loggers it finds)
    monkeypatch.setattr(logging.getLogger(config_files.__name__), "disabled", False)
    with caplog.at_level(logging.ERROR, logger=config_files.__name__):
        problem = config_files.check_same_files(other, host="worker-2")

    assert problem and "host worker-1 started with" in problem
    assert "every web, worker and cron host needs the same files" in caplog.text
    # the same host after a deploy of new files: recorded, no error
    assert config_files.check_same_files(ours, host="worker-2") is None
