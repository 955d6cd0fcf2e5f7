"""Why a CPAS refused, or held itself not competent: the reasons seen in practice, whether
the law allows them, and the point a letter or an appeal answers each with.

Pure data (no Qt, no database). The keys are stable: imports, exports and statistics use
them. Each answer is one sentence a letter can quote, in this program's own words, with
the text it rests on in ``basis``; the table follows the domain brief (§10) and the
associations' memorandum, and is reviewed with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from amudesk.i18n import N_


class Lawful(StrEnum):
    YES = "yes"  # a lawful reason, when its facts are right
    NO = "no"  # the law does not allow it
    DEPENDS = "depends"  # lawful or not by the facts
    OPEN = "open"  # "other": said in the explanation


@dataclass(frozen=True)
class RefusalReason:
    key: str
    label: str  # N_: what the CPAS said, in a few words
    lawful: Lawful
    answer: str  # N_: the point that answers it, one sentence
    basis: str  # N_: the text it rests on


REASONS: dict[str, RefusalReason] = {
    reason.key: reason
    for reason in (
        RefusalReason(
            "competence",
            N_("Another CPAS is competent"),
            Lawful.YES,
            N_(
                "A CPAS that holds another competent must send the request on to it within five "
                "days and tell the person why; for someone without a home, the CPAS of the place "
                "where they usually stay is competent."
            ),
            N_("Loi organique des CPAS, art. 58 §3"),
        ),
        RefusalReason(
            "resources",
            N_("Resources sufficient"),
            Lawful.YES,
            N_(
                "The social enquiry may count only the resources of the applicant, a partner "
                "living with them and first-degree relatives under the same roof."
            ),
            N_(
                "Loi organique des CPAS, art. 57 §2; arrêté royal du 12 décembre 1996 relatif à l'aide médicale urgente"
            ),
        ),
        RefusalReason(
            "insured",
            N_("Insured elsewhere"),
            Lawful.YES,
            N_(
                "Urgent medical aid is due once no other insurance covers the care; the CPAS "
                "checks what the person is actually covered for."
            ),
            N_("Arrêté royal du 12 décembre 1996 relatif à l'aide médicale urgente"),
        ),
        RefusalReason(
            "residence-status",
            N_("Not in irregular stay, another regime applies"),
            Lawful.YES,
            N_(
                "Only a person in irregular stay falls under urgent medical aid; for anyone "
                "else the CPAS must say which help applies and where to ask for it."
            ),
            N_("Loi organique des CPAS, art. 57 §2"),
        ),
        RefusalReason(
            "no-identity-document",
            N_("No official identity document"),
            Lawful.NO,
            N_(
                "Identity may be shown by any means, official or not: lacking an identity "
                "document is no ground to refuse."
            ),
            N_("SPP Intégration sociale, instructions on urgent medical aid (2022)"),
        ),
        RefusalReason(
            "no-address",
            N_("No address, or homeless"),
            Lawful.NO,
            N_(
                "Competence follows the place where the person usually stays; having no "
                "address or no home is no ground to refuse."
            ),
            N_(
                "Loi organique des CPAS, art. 57 §2; arrêté royal du 12 décembre 1996 relatif à l'aide médicale urgente"
            ),
        ),
        RefusalReason(
            "three-months-proof",
            N_("No proof of three months' stay"),
            Lawful.NO,
            N_(
                "No minimum length of stay may be required of a person in irregular stay "
                "before urgent medical aid is granted."
            ),
            N_("Cour constitutionnelle, arrêt 95/2014"),
        ),
        RefusalReason(
            "reason-of-stay",
            N_("Came for medical care, or the illness existed before"),
            Lawful.NO,
            N_(
                "Why the person came, or since when they are ill, cannot on its own justify a "
                "refusal of urgent medical aid."
            ),
            N_("Case law of the labour courts on urgent medical aid"),
        ),
        RefusalReason(
            "no-aamu",
            N_("No urgent medical aid attestation"),
            Lawful.NO,
            N_(
                "A request may be filed before any care is needed; the attestation of a doctor "
                "can follow when care is."
            ),
            N_("Arrêté royal du 12 décembre 1996 relatif à l'aide médicale urgente"),
        ),
        RefusalReason(
            "aamu-model",
            N_("Attestation not on the CPAS's own form or doctor"),
            Lawful.NO,
            N_(
                "Any doctor with an INAMI number may attest urgent medical aid, on any form "
                "that says what the decree asks."
            ),
            N_("Arrêté royal du 12 décembre 1996 relatif à l'aide médicale urgente"),
        ),
        RefusalReason(
            "material-aid-waiver",
            N_("No waiver of material aid signed"),
            Lawful.NO,
            N_(
                "Signing away another form of aid may never be made a condition of urgent "
                "medical aid."
            ),
            N_("Loi organique des CPAS, art. 57 §2"),
        ),
        RefusalReason(
            "not-urgent",
            N_("Care not urgent, without a doctor's opinion"),
            Lawful.NO,
            N_(
                "Only a doctor can say whether care is urgent medical aid; the CPAS cannot "
                "decide it without one."
            ),
            N_("Arrêté royal du 12 décembre 1996 relatif à l'aide médicale urgente"),
        ),
        RefusalReason(
            "enquiry-incomplete",
            N_("Social enquiry could not be completed"),
            Lawful.DEPENDS,
            N_(
                "A home visit is not compulsory: the CPAS must say what it asked for, when, "
                "and give the person a fair chance to answer."
            ),
            N_(
                "Loi organique des CPAS, art. 57 §2; arrêté royal du 12 décembre 1996 relatif à l'aide médicale urgente"
            ),
        ),
        RefusalReason("other", N_("Other reason"), Lawful.OPEN, "", ""),
    )
}

# Lawful reasons first, as a form lists them; "other" last.
REASON_KEYS: tuple[str, ...] = tuple(REASONS)
UNLAWFUL_KEYS = frozenset(key for key, reason in REASONS.items() if reason.lawful == Lawful.NO)
# Where the refusal's reasons go: a refusal or a finding of incompetence.
REASONED_KINDS = frozenset({"refusal", "incompetent"})
