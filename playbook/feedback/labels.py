"""Labels of the rating aspects and sentiments in the run's language."""
from __future__ import annotations

ASPECT_LABELS: dict[str, dict[str, str]] = {
    "zh": {"product": "产品质量", "service": "服务", "after_sales": "售后", "price": "价格",
           "delivery": "物流配送"},
    "en": {"product": "Product", "service": "Service", "after_sales": "After-sales",
           "price": "Price", "delivery": "Delivery"},
}
SENTIMENT_LABELS: dict[str, dict[str, str]] = {
    "zh": {"negative": "负面", "neutral": "中性", "positive": "正面"},
    "en": {"negative": "Negative", "neutral": "Neutral", "positive": "Positive"},
}


def aspects_of(columns) -> list[str]:
    """The aspects of the ``rating_<aspect>`` columns, in column order."""
    return [str(c)[len("rating_"):] for c in columns if str(c).startswith("rating_")]


def aspect_label(aspect: str, language: str = "zh") -> str:
    """The aspect's name in the run's language; an unknown aspect reads as itself."""
    return ASPECT_LABELS.get(language, {}).get(aspect, aspect.replace("_", " "))


def sentiment_label(code: str, language: str = "zh") -> str:
    return SENTIMENT_LABELS.get(language, {}).get(code, code)
