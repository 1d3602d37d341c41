"""The vendor document with the tools a vendor's developer uses: both documents validate with the AsyncAPI CLI
without warnings; Java models (AsyncAPI CLI, Modelina) and TypeScript models (Modelina), built by `make
vendor-clients`, are typed field by field, and every example of the document goes through them and back unchanged,
also an event with a field added in a later version."""

import json
import re
import subprocess
from hashlib import sha256
from pathlib import Path

import pytest

from accordeer.contract_docs import DOCUMENT as INTERNAL_DOCUMENT
from accordeer.paths import REPO_ROOT, TOOLS_CACHE
from accordeer.vendor_contract import DOCUMENT, vendor_document

TOOLS = TOOLS_CACHE / "asyncapi"
ANALYTICS = "analytics.json"
"""The CLI's usage reporting settings, written by `make asyncapi`: off (and no network)."""
BUILT = REPO_ROOT / ".cache" / "vendor-clients"
JAVA_EXAMPLE = REPO_ROOT / "examples" / "java-vendor"
JAVA_MODELS = JAVA_EXAMPLE / "target" / "generated-sources" / "accordeer" / "nl" / "accordeer" / "contract"

UNTYPED_BY_NATURE = {
    ("Declaration", "freeFields", "Map<String, Object>"): "values are text, a number or true/false: Java has no union",
}
"""Fields a Java model can only hold as Object, and why. Every other Object or anonymous type fails the test."""


@pytest.fixture(scope="module")
def built() -> Path:
    stamp = BUILT / "built-from.sha256"
    if not stamp.exists() or stamp.read_text().strip() != sha256(DOCUMENT.read_bytes()).hexdigest():
        pytest.fail("the vendor clients are missing or older than docs/asyncapi-vendor.yaml: run `make vendor-clients`")
    return BUILT


@pytest.fixture(scope="module")
def examples(tmp_path_factory, built) -> tuple[Path, int]:
    """Every example of the document, and a status event carrying a field a later version may add."""
    messages = vendor_document()["components"]["messages"]
    listed = [
        {"message": name, "name": example["name"], "payload": example["payload"]}
        for name, message in messages.items()
        for example in message["examples"]
    ]
    later = next(example for example in listed if example["message"] == "StatusEvent")
    listed.append(
        {
            "message": "StatusEvent",
            "name": "a field added in a later version",
            "payload": {**later["payload"], "added_later": {"nested": [1, "two", None]}},
        }
    )
    path = tmp_path_factory.mktemp("vendor") / "examples.json"
    path.write_text(json.dumps(listed))
    return path, len(listed)


def _run(*command: str | Path, cwd: Path = REPO_ROOT) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.parametrize("document", [DOCUMENT, INTERNAL_DOCUMENT], ids=lambda path: path.name)
def test_the_asyncapi_cli_finds_no_error_and_no_warning(document, built):
    result = subprocess.run(
        [TOOLS / "node_modules" / ".bin" / "asyncapi", "validate", document, "--fail-severity", "warn"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env={"PATH": "/usr/bin:/bin", "HOME": str(TOOLS), "ASYNCAPI_METRICS_CONFIG_PATH": str(TOOLS / ANALYTICS)},
    )
    clean = "don't have governance issues" in result.stdout or "(0 errors, 0 warnings," in result.stdout
    assert result.returncode == 0 and clean, result.stdout + result.stderr


def test_every_example_goes_through_the_java_models_and_back_unchanged(built, examples):
    path, count = examples
    classpath = f"target/classes:{(JAVA_EXAMPLE / 'target' / 'classpath.txt').read_text().strip()}"
    result = _run("java", "-cp", classpath, "nl.accordeer.example.RoundTrip", path, cwd=JAVA_EXAMPLE)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(re.findall(r"^same ", result.stdout, re.M)) == count, result.stdout


def test_every_example_goes_through_the_typescript_models_and_back_unchanged(built, examples):
    path, count = examples
    result = _run("node", built / "typescript" / "build" / "roundtrip.js", path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert len(re.findall(r"^same ", result.stdout, re.M)) == count, result.stdout


def test_every_generated_field_has_a_type_and_every_type_a_name(built):
    java = {path.stem: path.read_text() for path in JAVA_MODELS.glob("*.java")}
    typescript = {path.stem: path.read_text() for path in (built / "typescript" / "models").glob("*.ts")}
    assert {"Declaration", "StatusEvent", "SubmissionRefused", "StatusCode", "Attachment"} <= java.keys()
    untyped = []
    for model, source in java.items():
        assert "Anonymous" not in model
        for kind, name in re.findall(r"^  private (?:final )?(.+?) (\w+)(?: = .+)?;$", source, re.M):
            if "Object" in kind and name != "additionalProperties" and (model, name, kind) not in UNTYPED_BY_NATURE:
                untyped.append(f"Java {model}.{name}: {kind}")
    for model, source in typescript.items():
        assert "Anonymous" not in model
        for name, kind in re.findall(r"^  private _(\w+)\??: (.+);$", source, re.M):
            if re.search(r"\bany\b|\bobject\b|\bunknown\b", kind) and name != "additionalProperties":
                untyped.append(f"TypeScript {model}.{name}: {kind}")
    assert untyped == []
    assert "private long originalOffset;" in java["SubmissionRefused"]
    assert "private java.time.OffsetDateTime occurredAt;" in java["StatusEvent"]
    assert "private final SchemaVersion schemaVersion = SchemaVersion.NUMBER_1;" in java["Declaration"]
    assert "private IdentityType type;" in java["Identity"]
    assert "private _freeFields?: Record<string, string | number | boolean> | null;" in typescript["Declaration"]
