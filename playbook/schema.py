"""The input tables of CONTRACT section 3: required and optional columns, and their types."""
from __future__ import annotations

from dataclasses import dataclass, field

from .errors import MissingColumnError


@dataclass(frozen=True)
class TableSpec:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...] = ()
    # groups of which at least one must be complete, e.g. amount or (quantity, unit_price)
    any_of: tuple[tuple[str, ...], ...] = ()
    dates: tuple[str, ...] = ()
    numbers: tuple[str, ...] = ()
    # the date column that places a row in time (for the review window), if any
    event_date: str | None = None
    # columns with personal data, masked before later stages see them
    personal: tuple[str, ...] = field(default=())
    # rating columns and their scale (min, max); `rating_*` columns are 1-5 too
    scales: tuple[tuple[str, float, float], ...] = ()


TABLES: dict[str, TableSpec] = {
    "orders": TableSpec(
        "orders",
        required=("customer_id", "order_date"),
        optional=("order_id", "amount", "quantity", "unit_price", "category", "product_id",
                  "channel", "region", "status"),
        any_of=(("amount",), ("quantity", "unit_price")),
        dates=("order_date",),
        numbers=("amount", "quantity", "unit_price"),
        event_date="order_date",
    ),
    "customers": TableSpec(
        "customers",
        required=("customer_id",),
        optional=("signup_date", "name", "phone", "email", "gender", "birth_year", "age", "city",
                  "acquisition_channel", "customer_type", "region"),
        dates=("signup_date",),
        numbers=("birth_year", "age"),
        personal=("name", "phone", "email"),
    ),
    "feedback": TableSpec(
        "feedback",
        required=("customer_id", "response_date"),
        optional=("csat", "nps", "comment", "channel"),
        any_of=(("csat",), ("nps",), ("comment",)),
        dates=("response_date",),
        numbers=("csat", "nps"),
        event_date="response_date",
        scales=(("csat", 1, 5), ("nps", 0, 10)),
    ),
    "complaints": TableSpec(
        "complaints",
        required=("customer_id", "opened_at"),
        optional=("ticket_id", "category", "severity", "first_response_at", "closed_at",
                  "resolved", "text"),
        dates=("opened_at", "first_response_at", "closed_at"),
        event_date="opened_at",
    ),
    "interactions": TableSpec(
        "interactions",
        required=("customer_id", "date", "type"),
        optional=("count", "channel", "page"),
        dates=("date",),
        numbers=("count",),
        event_date="date",
    ),
    "competitors": TableSpec(
        "competitors",
        required=("competitor", "period"),
        optional=("market_share", "csat", "nps", "price_index", "sales"),
        numbers=("market_share", "csat", "nps", "price_index", "sales"),
    ),
    "market": TableSpec(
        "market",
        required=("period",),
        optional=("market_size", "growth"),
        numbers=("market_size", "growth"),
    ),
}

TABLE_NAMES: tuple[str, ...] = tuple(TABLES)
RATING_PREFIX = "rating_"
RATING_SCALE = (1.0, 5.0)


def check_columns(table: str, columns: list[str], location: str) -> None:
    """Raise MissingColumnError unless `columns` (already mapped) satisfy the table's spec."""
    spec = TABLES[table]
    present = [str(c) for c in columns]
    for col in spec.required:
        if col not in present:
            raise MissingColumnError(table, location, col, present)
    if spec.any_of and not any(all(c in present for c in group) for group in spec.any_of):
        wanted = " or ".join("(" + ", ".join(g) + ")" if len(g) > 1 else g[0] for g in spec.any_of)
        first_missing = next(c for c in spec.any_of[0] if c not in present)
        raise MissingColumnError(table, location, first_missing, present,
                                 hint=f"It needs {wanted}.")
