"""Cached factories for the heavy objects; built on first use, never at import time.

The CLI calls these directly; the API calls them in its lifespan and hands the
objects to routes through dependencies, so tests can swap in fakes.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from assistant.clocks.calendar import BusinessCalendar
from assistant.config import Settings, get_settings
from assistant.embeddings import OnnxEmbedder, ensure_onnx_embedder
from assistant.escalation.engine import EscalationEngine
from assistant.escalation.language import LanguageIdentifier
from assistant.escalation.policy import load_policy
from assistant.escalation.signals import ExemplarMatcher, SignalDetector, load_specs
from assistant.guards.guard import Guards
from assistant.guards.embedding_head import EmbeddingInjectionHead
from assistant.guards.injection import InjectionDetector, build_corpus, corpus_fingerprint
from assistant.guards.pii import PiiDetector
from assistant.intent.classifier import IntentClassifier
from assistant.kb.retrieval import Retriever
from assistant.kb.store import ChunkStore, open_store
from assistant.triage.service import Triager


@lru_cache(maxsize=4)
def _classifier(model_dir: Path, threads: int) -> IntentClassifier:
    return IntentClassifier.load(model_dir, threads=threads)


def get_classifier(settings: Settings | None = None) -> IntentClassifier:
    settings = settings or get_settings()
    return _classifier(settings.intent_model_dir.resolve(), settings.resolved_threads)


def benign_queries(train_csv: Path) -> list[str]:
    """The intent training queries: genuine customer text the injection guard must pass."""
    from assistant.errors import DatasetError
    from assistant.intent.dataset import load_labelled_csv

    try:
        return list(load_labelled_csv(train_csv).texts)
    except DatasetError:
        return []


@lru_cache(maxsize=4)
def _injection_detector(model_dir: Path, train_csv: Path) -> InjectionDetector:
    return InjectionDetector.load_or_train(model_dir, benign_queries(train_csv))


def get_guards(
    settings: Settings | None = None, classifier: IntentClassifier | None = None
) -> Guards:
    """PII redaction and injection scoring; the detector trains itself (under a minute) if
    missing. With the served intent classifier, the injection head on its embedding too."""
    settings = settings or get_settings()
    detector = _injection_detector(
        settings.injection_model_dir.resolve(), settings.intent_train_csv.resolve()
    )
    head = get_injection_head(settings, classifier) if classifier is not None else None
    return Guards(PiiDetector(settings.phone_region), detector, head,
                  get_language_identifier() if head is not None else None)


@lru_cache(maxsize=4)
def _injection_head(
    directory: Path, train_csv: Path, classifier: IntentClassifier
) -> EmbeddingInjectionHead:
    benign = benign_queries(train_csv)
    key = {"encoder": classifier.model_id, "corpus": corpus_fingerprint(benign)}
    return EmbeddingInjectionHead.load_or_train(
        directory, classifier.encoder.encode, lambda: build_corpus(benign), key
    )


def get_injection_head(
    settings: Settings, classifier: IntentClassifier
) -> EmbeddingInjectionHead:
    """The injection head on ``classifier``'s embedding; trained (~1 min) when the
    encoder or the injection corpus changed."""
    return _injection_head(
        settings.injection_model_dir.resolve(), settings.intent_train_csv.resolve(), classifier
    )


@lru_cache(maxsize=1)
def get_language_identifier() -> LanguageIdentifier:
    return LanguageIdentifier()  # ~2 s and ~100 MB: build once per process


@lru_cache(maxsize=4)
def _signal_detector(classifier: IntentClassifier, exemplars: bool) -> SignalDetector:
    if not exemplars:
        return SignalDetector()
    matcher = ExemplarMatcher(classifier.encoder, load_specs(), EXEMPLAR_THRESHOLD)
    return SignalDetector(matcher)


# Cosine similarity a sentence needs to an exemplar to count as its signal.
EXEMPLAR_THRESHOLD = 0.75


def get_escalation(settings: Settings | None = None, exemplars: bool = False) -> EscalationEngine:
    """The policy engine. The exemplar matcher is off by default: over the served (intent-
    fine-tuned) encoder it caught no paraphrase the patterns and intent rules missed and
    added false alarms (`assistant eval escalation --exemplars` measures it)."""
    settings = settings or get_settings()
    policy = load_policy(settings.policy_file.resolve() if settings.policy_file else None)
    detector = _signal_detector(get_classifier(settings), exemplars)
    return EscalationEngine(policy, detector, get_language_identifier())


def get_triager(settings: Settings | None = None) -> Triager:
    settings = settings or get_settings()
    classifier = get_classifier(settings)
    return Triager(
        classifier,
        get_guards(settings, classifier),
        settings,
        get_escalation(settings),
        BusinessCalendar(settings.holiday_calendar),
    )


@lru_cache(maxsize=4)
def _kb_embedder(model: str, out_dir: Path, threads: int, precision: str) -> OnnxEmbedder:
    return ensure_onnx_embedder(
        model, out_dir, threads=threads, precision=precision  # type: ignore[arg-type]
    )


def get_kb_embedder(settings: Settings | None = None) -> OnnxEmbedder:
    """The retrieval embedder (all-MiniLM-L6-v2 in ONNX), exported on first use."""
    settings = settings or get_settings()
    return _kb_embedder(
        settings.embedding_model,
        settings.embedder_dir.resolve(),
        settings.resolved_threads,
        settings.embedder_precision,
    )


def get_store(settings: Settings | None = None) -> ChunkStore:
    settings = settings or get_settings()
    return open_store(settings.chroma_url, settings.chroma_dir.resolve(), settings.kb_collection)


@lru_cache(maxsize=4)
def _retriever(chroma_url: str | None, chroma_dir: Path, collection: str, model: str,
               embedder_dir: Path, threads: int, precision: str,
               phone_region: str) -> Retriever:
    store = open_store(chroma_url, chroma_dir, collection)
    return Retriever(
        store, _kb_embedder(model, embedder_dir, threads, precision), PiiDetector(phone_region)
    )


def get_retriever(settings: Settings | None = None) -> Retriever:
    """Hybrid retriever over the index; loads the chunks and builds BM25 once."""
    settings = settings or get_settings()
    return _retriever(
        settings.chroma_url,
        settings.chroma_dir.resolve(),
        settings.kb_collection,
        settings.embedding_model,
        settings.embedder_dir.resolve(),
        settings.resolved_threads,
        settings.embedder_precision,
        settings.phone_region,
    )


@lru_cache(maxsize=4)
def _support_model(model: str, embedder_dir: Path, threads: int, precision: str):  # type: ignore[no-untyped-def]
    from assistant.drafting.support import SupportModel

    return SupportModel(_kb_embedder(model, embedder_dir, threads, precision))


def get_grounder(settings: Settings | None = None):  # type: ignore[no-untyped-def]
    """The grounding check, on the retrieval embedder (sentence support)."""
    from assistant.drafting.grounding import Grounder

    settings = settings or get_settings()
    support = _support_model(
        settings.embedding_model, settings.embedder_dir.resolve(), settings.resolved_threads,
        settings.embedder_precision,
    )
    from assistant.kb.check import source_public_contacts

    return Grounder(support, PiiDetector(settings.phone_region),
                    contacts=source_public_contacts(settings.kb_dir))


def get_drafter(settings: Settings | None = None):  # type: ignore[no-untyped-def]
    """Triage + retrieval + playbooks + composer (+ the LLM writer when configured)."""
    from assistant.drafting.playbooks import load_playbooks
    from assistant.drafting.prompts import load_prompt
    from assistant.drafting.service import Drafter

    settings = settings or get_settings()
    return Drafter(
        get_triager(settings),
        get_retriever(settings),
        load_playbooks(settings.playbooks_file.resolve() if settings.playbooks_file else None),
        load_prompt("composer", settings.prompts_dir.resolve()),
        get_grounder(settings),
        BusinessCalendar(settings.holiday_calendar),
        get_llm_writer(settings),
    )


def get_llm_writer(settings: Settings | None = None):  # type: ignore[no-untyped-def]
    """The LLM writer when ASSISTANT_LLM_BASE_URL is set, else None."""
    settings = settings or get_settings()
    if not settings.llm_base_url:
        return None
    from assistant.drafting.llm import OpenAICompatibleWriter
    from assistant.drafting.prompts import load_prompt

    return OpenAICompatibleWriter(settings, load_prompt("llm_writer", settings.prompts_dir.resolve()))


@lru_cache(maxsize=4)
def _vault(secret: str):  # type: ignore[no-untyped-def]
    from assistant.store.crypto import Vault

    return Vault(secret)


def get_vault(settings: Settings | None = None):  # type: ignore[no-untyped-def]
    from assistant.store.crypto import secret_from

    settings = settings or get_settings()
    secret = settings.secret_key.get_secret_value() if settings.secret_key else None
    return _vault(secret_from(secret, settings.data_dir))


def get_workflow(settings: Settings | None = None, drafter=None):  # type: ignore[no-untyped-def]
    """Intake, queue and decisions over the database, drafting with ``drafter``."""
    from assistant.workflow.cases import Workflow
    from assistant.workflow.resolutions import ResolutionIndexer

    settings = settings or get_settings()
    drafter = drafter or get_drafter(settings)
    retriever = drafter.chunks
    indexer = ResolutionIndexer(retriever.store, retriever.encoder,
                                PiiDetector(settings.phone_region))
    return Workflow(settings.resolved_database_url, get_vault(settings), drafter, indexer)


def get_eval_runs(settings: Settings | None = None, drafter=None):  # type: ignore[no-untyped-def]
    """Suite runs started through the service (role trainer), stored in the database."""
    from assistant.config import PROJECT_ROOT
    from assistant.evaluation.suites.runs import EvalRuns

    settings = settings or get_settings()
    drafter = drafter or get_drafter(settings)
    return EvalRuns(settings.resolved_database_url, drafter,
                    PROJECT_ROOT / "evals" / "suites", settings.data_dir / "eval-runs",
                    keep=drafter.grounder.contacts)
