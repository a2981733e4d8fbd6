"""Settings, story constants, dirty-row fractions and the catalogue of the sample company."""
from __future__ import annotations

import numpy as np

GENERATOR_VERSION = "1.1"  # 1.1: story A triples after-sales complaints (was: doubles)
MANIFEST_NAME = "_manifest.json"
TRUTH_FILE = "_truth_price_sensitive.parquet"
N_QUARTERS = 12
LANGUAGES = ("zh", "en")
FORMATS = ("mixed", "parquet")
TABLE_ORDER = ("orders", "customers", "feedback", "complaints", "interactions", "competitors",
               "market")
MIXED_FILES = {
    "orders": "orders.csv",
    "customers": "customers.csv",
    "feedback": "feedback.xlsx",
    "complaints": "complaints.parquet",
    "interactions": "interactions.csv",
    "competitors": "competitors.csv",
    "market": "market.csv",
}

ASPECTS = ("product", "service", "after_sales", "price", "delivery")
CSAT_WEIGHTS = {"product": 0.25, "service": 0.20, "after_sales": 0.25, "price": 0.15,
                "delivery": 0.15}
ASPECT_MEANS = {"product": 4.1, "service": 4.0, "after_sales": 3.9, "price": 3.75,
                "delivery": 4.0}

REGION_SHARES = (0.35, 0.25, 0.22, 0.18)
STORY_A_REGION = 2           # 华南 / South
STORY_C_REGION = 1           # 华北 / North
STORY_B_CATEGORY = 2         # 美妆 / Beauty
PRICE_PLAYER = 0             # 优选商城 / PriceMart
YOUNG_AGE = 30

DIRTY_FRACTIONS = {
    "exact_duplicate": 0.002,
    "duplicate_order_id": 0.0005,
    "missing_customer_id": 0.0005,
    "unparseable_date": 0.0005,
    "absurd_amount": 0.0005,
    "unknown_customer": 0.0005,
    "future_date": 0.0005,
}
BAD_DATES = ("2026-13-45 10:00:00", "not a date", "2025-02-30 12:00:00", "20251340", "yesterday")
ABSURD_AMOUNT = 99_999_999.0

CITY_WEIGHTS = ((0.40, 0.18, 0.14, 0.12, 0.09, 0.07), (0.50, 0.20, 0.12, 0.10, 0.08),
                (0.32, 0.30, 0.12, 0.12, 0.08, 0.06), (0.42, 0.35, 0.13, 0.10))

CATEGORY_PRICE = (189.0, 1299.0, 229.0, 329.0, 59.0, 169.0, 279.0)
N_PRODUCTS = 40
CATALOGUE_SEED = 20260101
# category mix: older individuals, young individuals (before the shift), organisations
CATEGORY_MIX = np.array([
    [0.20, 0.14, 0.12, 0.15, 0.20, 0.09, 0.10],
    [0.22, 0.18, 0.15, 0.09, 0.18, 0.06, 0.12],
    [0.08, 0.25, 0.04, 0.25, 0.28, 0.03, 0.07],
])
YOUNG_BEAUTY_SHIFT = (0.20, 0.25, 0.30, 0.35)   # last four quarters, oldest first
