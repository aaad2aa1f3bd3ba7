"""Agreement kinds are data: a wrong file is refused with its name and field."""

from pathlib import Path

import pytest
import yaml

from ckanext.datasud_partnership.agreements.kinds import KindError, load_kind, load_kinds

from .conftest import KINDS_DIR


@pytest.fixture(autouse=True)
def load_standard_plugins():
    """No CKAN needed (overrides conftest's)."""


def test_the_two_seed_kinds(kinds):
    assert set(kinds) == {"datasud_partnership", "challenge_open_data"}
    datasud, challenge = kinds["datasud_partnership"], kinds["challenge_open_data"]
    assert datasud.term.starts_on == "notification" and datasud.renewal.tacit
    assert set(datasud.terminations) == {"anniversary", "mutual", "fault"}
    assert challenge.term.starts_on == "signature" and not challenge.renewal.tacit
    assert str(challenge.term.fixed_end) == "2023-12-31"
    assert set(challenge.terminations) == {"beneficiary_early", "membership_loss", "mutual"}
    assert [int(c.amount) for c in challenge.financial.contributions] == [3000, 2000, 1000]
    assert sum(m.session for m in challenge.milestones) == 12
    assert [p.code for p in challenge.phases] == ["engager", "pratiquer", "evaluer"]
    assert any(m.code == "checklist" for m in challenge.milestones)


def _write(tmp_path: Path, name: str, change) -> Path:
    data = yaml.safe_load((KINDS_DIR / "datasud_partnership.yaml").read_text())
    data["name"] = name
    change(data)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return path


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d["term"].update(months="douze"), "$.term.months"),
        (lambda d: d["terminations"]["fault"].update(effective="whenever"), "$.terminations.fault.effective"),
        (
            lambda d: d["terminations"]["mutual"].update(initiators=["region"]),
            "$.terminations.mutual.initiators",
        ),
        (lambda d: d.update(colour="blue"), "colour"),
        (lambda d: d.pop("grants_publication"), "grants_publication"),
        (lambda d: d["term"].update(fixed_end="2030-12-31"), "term"),
        (lambda d: d.update(renewal={"tacit": False}), "anniversary"),
    ],
)
def test_a_wrong_kind_file_names_the_file_and_the_field(tmp_path, change, field):
    path = _write(tmp_path, "third_kind", change)
    with pytest.raises(KindError) as error:
        load_kind(path)
    assert str(path) in str(error.value)
    assert field in str(error.value)


def test_a_third_kind_needs_no_code(tmp_path):
    def shorter(data):
        data["term"]["months"] = 6
        data["title"] = {"fr": "Convention courte", "en": "Short agreement"}

    _write(tmp_path, "short_partnership", shorter)
    kinds = load_kinds(tmp_path)
    assert kinds["short_partnership"].term.months == 6


def test_the_file_name_is_the_kind_name(tmp_path):
    path = _write(tmp_path, "one", lambda d: None)
    path.rename(tmp_path / "two.yaml")
    with pytest.raises(KindError, match="name"):
        load_kind(tmp_path / "two.yaml")
