"""Attribute access on the top-level package: lazy submodules, and honest answers for missing
ones (``hasattr`` must return False, never raise)."""
import importlib
import importlib.util
import sys

import pytest

import keraslite


def test_hasattr_answers_false_for_unknown_names():
    assert not hasattr(keraslite, "no_such_submodule")
    with pytest.raises(AttributeError, match="no_such_submodule"):
        keraslite.no_such_submodule  # noqa: B018


@pytest.mark.parametrize("name", keraslite._SUBMODULES)
def test_every_listed_submodule_is_an_attribute_or_cleanly_absent(name):
    """A listed submodule either loads (and is the same module object as a plain import) or,
    when this installation lacks it, reads as a missing attribute: hasattr gives False."""
    if importlib.util.find_spec(f"keraslite.{name}") is None:
        assert hasattr(keraslite, name) is False
        with pytest.raises(AttributeError, match=name):
            getattr(keraslite, name)
    else:
        assert getattr(keraslite, name) is importlib.import_module(f"keraslite.{name}")


def test_a_listed_but_absent_submodule_reads_as_missing(monkeypatch):
    """Independent of which submodules exist today: list one that cannot be imported."""
    monkeypatch.setattr(keraslite, "_SUBMODULES", keraslite._SUBMODULES + ("not_shipped",))
    assert "keraslite.not_shipped" not in sys.modules
    assert hasattr(keraslite, "not_shipped") is False


def test_a_broken_import_inside_a_submodule_still_raises(monkeypatch, tmp_path):
    """Only the submodule itself being absent becomes AttributeError; a missing dependency
    inside an existing submodule is a real error and must surface."""
    package = tmp_path / "keraslite_probe"
    package.mkdir()
    (package / "__init__.py").write_text("import a_dependency_that_does_not_exist\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(keraslite, "_SUBMODULES", keraslite._SUBMODULES + ("probe",))
    real_import = importlib.import_module

    def import_module(name, *args):
        return real_import("keraslite_probe" if name == "keraslite.probe" else name, *args)

    monkeypatch.setattr(importlib, "import_module", import_module)
    with pytest.raises(ModuleNotFoundError, match="a_dependency_that_does_not_exist"):
        getattr(keraslite, "probe")


def test_public_names_resolve():
    assert keraslite.Model is importlib.import_module("keraslite.models").Model
    assert keraslite.Variable is importlib.import_module("keraslite.variables").Variable
