"""The French and Dutch catalogs use the glossary's one word per thing (docs/glossary.md).

The glossary's table "Words not to use" lists, per concept and language, the term to use, the
phrases not to use and the longer phrases in which a forbidden word means something else. A
translation fails when it holds a forbidden phrase as whole words, in any case, once placeholders,
command-line examples and the allowed phrases are taken out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "docs" / "glossary.md"
LANGUAGES = ("fr", "nl")
SECTION = "## Words not to use"
SEPARATOR = " · "
# What is not a word of the text: {placeholders} and `command lines`.
NOT_TEXT = re.compile(r"\{\w*\}|`[^`]*`")


@dataclass(frozen=True)
class Rule:
    concept: str
    language: str
    use: str
    forbidden: tuple[str, ...]
    allowed: tuple[str, ...]


def _phrases(cell: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in cell.split(SEPARATOR.strip()) if p.strip())


def read_rules(text: str) -> list[Rule]:
    """The rows of the table under "Words not to use"."""
    _before, found, after = text.partition(SECTION)
    assert found, f"{GLOSSARY.name} has no section {SECTION!r}"
    rules: list[Rule] = []
    in_table = False
    for line in after.splitlines():
        if line.startswith("## "):
            break
        if not line.startswith("|"):
            if in_table:
                break
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not in_table:  # the header row
            assert cells[:5] == ["concept", "language", "use", "not to use", "except in"], cells
            in_table = True
            continue
        if set("".join(cells)) <= set("-: "):  # the separator row
            continue
        concept, language, use, forbidden, allowed = (cells + [""] * 5)[:5]
        rules.append(Rule(concept, language, use, _phrases(forbidden), _phrases(allowed)))
    return rules


def _words(phrase: str) -> re.Pattern[str]:
    """The phrase as whole words, any case, any run of spaces between its words."""
    body = r"\s+".join(re.escape(word) for word in phrase.split())
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def offending(text: str, rule: Rule) -> list[str]:
    """The forbidden phrases of ``rule`` found in ``text``."""
    text = NOT_TEXT.sub(" ", text.replace("&", ""))
    for phrase in rule.allowed:
        text = _words(phrase).sub(" ", text)
    return [phrase for phrase in rule.forbidden if _words(phrase).search(text)]


def _translations(language: str) -> list[tuple[str, str]]:
    path = ROOT / "translations" / language / "LC_MESSAGES" / "amudesk.po"
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    pairs: list[tuple[str, str]] = []
    for message in catalog:
        if not message.id:
            continue
        msgid = message.id[0] if isinstance(message.id, tuple) else message.id
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs.extend((msgid, s) for s in strings if s)
    return pairs


@pytest.fixture(scope="module")
def rules() -> list[Rule]:
    return read_rules(GLOSSARY.read_text(encoding="utf-8"))


def test_glossary_table_is_read(rules: list[Rule]) -> None:
    assert len(rules) >= 20
    concepts = {rule.concept for rule in rules}
    for concept in ("office", "passphrase", "documents handed in", "documents handed out", "CPAS"):
        assert concept in concepts
    for rule in rules:
        assert rule.language in LANGUAGES, rule
        assert rule.use and rule.forbidden, rule
        # A term cannot be both the one to use and one not to use.
        assert not offending(rule.use, rule), rule


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog_uses_the_glossary_terms(rules: list[Rule], language: str) -> None:
    own = [rule for rule in rules if rule.language == language]
    problems = []
    for msgid, string in _translations(language):
        for rule in own:
            for phrase in offending(string, rule):
                problems.append(
                    f"{rule.concept}: {phrase!r} in {string[:80]!r} (msgid {msgid[:50]!r})"
                )
    assert problems == [], f"{len(problems)} in {language}:\n" + "\n".join(problems)


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_chosen_term_is_in_use(rules: list[Rule], language: str) -> None:
    """A term the glossary chooses is one the catalog says: the glossary follows the interface."""
    text = "\n".join(NOT_TEXT.sub(" ", s.replace("&", "")) for _id, s in _translations(language))
    unused = [r.use for r in rules if r.language == language and not _words(r.use).search(text)]
    assert unused == []


@pytest.mark.parametrize(
    ("language", "text", "found"),
    [
        ("fr", "Profil du bureau", ["bureau"]),
        ("fr", "OFFICE : complétez le profil", ["office"]),
        ("fr", "Complété par {office}", []),
        ("fr", "Pas encore de profil : `amudesk office set name …`", []),
        ("fr", "Le service social de l'hôpital", []),
        ("fr", "Documents\u00a0remis", ["documents remis"]),
        ("fr", "la phrase secrète", ["phrase secrète"]),
        ("fr", "Type de &bureau", ["bureau"]),
        ("nl", "Via een sociale dienst", []),
        ("nl", "Het profiel van de dienst", ["dienst"]),
        ("nl", "Sociale diensten en de dienst", ["dienst"]),
        ("nl", "maatschappelijke dienstverlening", []),
        ("nl", "koninklijk besluit van 12 december 1996", []),
        ("nl", "het OCMW besluit", ["besluit"]),
        ("nl", "AMU Desk: AMU-2026-0042", []),
        ("nl", "een AMU-aanvraag", ["AMU"]),
    ],
)
def test_rule_matching(rules: list[Rule], language: str, text: str, found: list[str]) -> None:
    hits = {p for rule in rules if rule.language == language for p in offending(text, rule)}
    assert sorted(hits) == found
