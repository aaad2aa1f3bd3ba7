"""The set-up that `make demo` and `make test` run is safe to run again."""

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
