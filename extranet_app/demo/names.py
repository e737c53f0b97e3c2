"""Plausible French identities for the demo people, drawn from the seeded random source."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field

from extranet_app.demo.catalog import (
    FEMALE_FIRST_NAMES,
    LAST_NAMES,
    MALE_FIRST_NAMES,
    PERSON_EMAIL_DOMAINS,
)


@dataclass(frozen=True)
class Identity:
    civility: str
    first_name: str
    last_name: str


@dataclass
class IdentityPool:
    """Draws identities without repeating a full name, and e-mail addresses without clashes."""

    rng: random.Random
    used_names: set[tuple[str, str]] = field(default_factory=set)
    used_emails: set[str] = field(default_factory=set)

    def reserve(self, identity: Identity) -> Identity:
        """Mark a fixed identity (a demo login) as taken."""
        self.used_names.add((identity.first_name, identity.last_name))
        return identity

    def draw(self, *, last_name: str | None = None) -> Identity:
        """A new identity, optionally in a given family."""
        while True:
            is_woman = self.rng.random() < 0.5
            first_names = FEMALE_FIRST_NAMES if is_woman else MALE_FIRST_NAMES
            first = self.rng.choice(first_names)
            last = last_name or self.rng.choice(LAST_NAMES)
            if (first, last) not in self.used_names:
                self.used_names.add((first, last))
                return Identity("Mme" if is_woman else "M.", first, last)

    def email_for(self, *names: str) -> str:
        """A unique address at a reserved example domain, like "jean.dupont@example.com"."""
        local = ".".join(slug(name) for name in names if name)
        domain = self.rng.choice(PERSON_EMAIL_DOMAINS)
        candidate, number = f"{local}@{domain}", 1
        while candidate in self.used_emails:
            number += 1
            candidate = f"{local}{number}@{domain}"
        self.used_emails.add(candidate)
        return candidate

    def phone(self, *, mobile: bool = True) -> str:
        """A French phone number in the 06/07 (mobile) or 04 (Lyon area) ranges."""
        prefix = self.rng.choice(("06", "07")) if mobile else "04"
        pairs = " ".join(f"{self.rng.randint(0, 99):02d}" for _ in range(4))
        return f"{prefix} {pairs}"


def slug(text: str) -> str:
    """Lower-case ASCII with dashes: "Émilie Da Silva" -> "emilie-da-silva"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
