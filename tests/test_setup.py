"""The set-up that `make demo` and `make test` run is safe to run again."""

import os
import subprocess
from pathlib import Path

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
