"""What a request costs: the item's price plus what the chosen options add."""

from dataclasses import dataclass
from decimal import Decimal

from concierge.catalog.formspec import FormSpec
from concierge.catalog.models import CatalogItem


@dataclass(frozen=True)
class Price:
    once: Decimal
    monthly: Decimal

    @property
    def is_free(self) -> bool:
        return not self.once and not self.monthly


def price_for(item: CatalogItem, spec: FormSpec, answers: dict) -> Price:
    """Item price plus the surcharges of the visible answers (choices, and yes to add-ons)."""
    once, monthly = Decimal(item.price_once), Decimal(item.price_monthly)
    for question in spec.visible_questions(answers):
        value = answers.get(question.key)
        if question.type == "yesno" and value is True:
            once += Decimal(str(question.options.get("price_once", 0)))
            monthly += Decimal(str(question.options.get("price_monthly", 0)))
        elif question.type in ("choice", "multichoice"):
            chosen = value if isinstance(value, list) else [value]
            for choice in question.choices:
                if choice.value in chosen:
                    once += choice.price_once
                    monthly += choice.price_monthly
    return Price(once=once.quantize(Decimal("0.01")), monthly=monthly.quantize(Decimal("0.01")))
