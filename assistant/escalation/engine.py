"""Apply the escalation policy to one ticket: signals + intent + amounts + language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from assistant.escalation.amounts import Amount, find_amounts
from assistant.escalation.language import LanguageGuess, LanguageIdentifier
from assistant.escalation.policy import SEVERITY_RANK, Policy, Rule
from assistant.escalation.signals import Signal, SignalDetector

# How much each severity contributes to the escalation score (a ranking figure for
# ROC analysis and queue ordering, not a probability).
_SEVERITY_WEIGHT = {"low": 0.2, "medium": 0.5, "high": 0.8, "critical": 0.95}


@dataclass(frozen=True)
class FiredRule:
    rule: Rule
    evidence: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Decision:
    escalate: bool
    fired: list[FiredRule]
    score: float
    language: LanguageGuess
    signals: list[Signal] = field(default_factory=list)
    amounts: list[Amount] = field(default_factory=list)

    @property
    def severity(self) -> str | None:
        escalating = [f.rule.severity for f in self.fired if f.rule.action == "escalate"]
        return max(escalating, key=SEVERITY_RANK.__getitem__) if escalating else None


class EscalationEngine:
    def __init__(
        self, policy: Policy, detector: SignalDetector, language: LanguageIdentifier
    ) -> None:
        self.policy = policy
        self.detector = detector
        self.language = language

    def decide(
        self,
        text: str,
        intent: str,
        confidence: float,
        alternatives: Sequence[tuple[str, float]] = (),
    ) -> Decision:
        """``alternatives``: the classifier's next most likely labels with their
        probabilities; a rule's intents then count as one issue type (see _match)."""
        signals = {s.code: s for s in self.detector.detect(text)}
        scores = {intent: confidence, **{label: p for label, p in alternatives if label != intent}}
        amounts = find_amounts(text)
        language = self.language.identify(text)
        fired: list[FiredRule] = []
        seen: set[str] = set()
        for rule in self.policy.rules:
            if rule.code in seen:
                continue  # the first matching rule of a code explains it
            hit = self._match(rule, signals, amounts, language, intent, confidence, scores)
            if hit is not None:
                fired.append(hit)
                seen.add(rule.code)
        fired.sort(key=lambda f: (f.rule.action != "escalate", -SEVERITY_RANK[f.rule.severity]))
        escalate = any(f.rule.action == "escalate" for f in fired)
        miss = 1.0
        for f in fired:
            if f.rule.action == "escalate":
                miss *= 1.0 - _SEVERITY_WEIGHT[f.rule.severity]
        # Below any rule, rank by how unsure the classifier is, so the score still orders
        # tickets that did not escalate.
        score = 1.0 - miss if escalate else 0.2 * (1.0 - confidence)
        return Decision(escalate, fired, round(score, 4), language, list(signals.values()), amounts)

    def _match(
        self,
        rule: Rule,
        signals: dict[str, Signal],
        amounts: list[Amount],
        language: LanguageGuess,
        intent: str,
        confidence: float,
        scores: dict[str, float],
    ) -> FiredRule | None:
        when = rule.when
        evidence: FiredRule | None = None
        if when.signals_absent and any(s in signals for s in when.signals_absent):
            return None  # the text says what rules this one out (e.g. "it was me")
        if when.intents is not None:
            # The listed intents are one issue type: a ticket split between two of them
            # ("compromised card" 63%, "payment not recognised" 33%) is that issue at 96%.
            group = {label: p for label, p in scores.items() if label in when.intents}
            confidence = sum(group.values())
            if intent not in when.intents and (
                when.confidence_at_least is None or confidence < when.confidence_at_least
            ):
                return None
            shown = sorted(
                ((label, p) for label, p in group.items() if p >= 0.01 or label == intent),
                key=lambda x: -x[1],
            )
            evidence = FiredRule(
                rule, "intent " + " + ".join(f"{label} ({p:.0%})" for label, p in shown)
            )
        if when.confidence_at_least is not None and confidence < when.confidence_at_least:
            return None
        if when.confidence_below is not None:
            if confidence >= when.confidence_below:
                return None
            evidence = FiredRule(
                rule, f"{intent} at {confidence:.2f} (threshold {when.confidence_below:.2f})"
            )
        if when.languages_not is not None:
            if language.code in when.languages_not or language.code == "und":
                return None
            evidence = FiredRule(rule, f"language {language.code} ({language.confidence:.0%})")
        if when.min_amount not in (None, False):
            big = [a for a in amounts if a.value >= self._threshold(when.min_amount, a.currency)]
            if not big:
                return None
            top = max(big, key=lambda a: a.value)
            evidence = FiredRule(rule, top.text, top.start, top.end)
        if when.signals is not None:
            hits = [signals[s] for s in when.signals if s in signals]
            if not hits:
                return None
            best = max(hits, key=lambda s: s.score)
            evidence = FiredRule(rule, best.evidence, best.start, best.end)
        return evidence

    def _threshold(self, min_amount: bool | float, currency: str) -> float:
        if min_amount is True:
            return self.policy.thresholds.large(currency)
        return float(min_amount)
