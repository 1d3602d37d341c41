"""The Helm chart, validated offline with the ecosystem's own tools (`make chart-tools` installs them): helm lint
--strict; helm template with the default and the production values, on install and on upgrade, through kubeconform
-strict against Kubernetes' schemas and the operators' CRD schemas kept in deploy/helm/schemas; promtool on the
alert rules and their unit tests; hadolint on the Containerfile. And what no schema knows: the Strimzi resources
equal our topic and ACL tables both ways, every service's Deployment serves on the ports and probes its code
answers, KEDA scales each on its own group within its partitions, and the alerts and the dashboard ask for
metrics the code exports."""

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from accordeer.chart import CHART_DIR, ENVIRONMENT, KAFKA_FILE, kubernetes_name, rendered
from accordeer.localstack.acls import GROUP, READ, TOPIC, WRITE, bindings, configured_sources
from accordeer.operators import configured_operators, principal_of
from accordeer.paths import DEPLOY_DIR, REPO_ROOT, TOOLS_CACHE
from services.portal.config import PortalSettings
from services.status_api.config import StatusApiSettings
from shared import topology
from shared.kafka.admin import replication_of, wanted_topics
from shared.settings import Settings
from shared.topics import Topics

TOOLS = TOOLS_CACHE / "tools"
KUBERNETES_VERSION = "1.34.2"
PRODUCTION = CHART_DIR / "values-production.yaml"
SCHEMAS = DEPLOY_DIR / "helm" / "schemas"


def _tool(name: str) -> str:
    for candidate in (TOOLS / "bin" / name, REPO_ROOT / ".venv" / "bin" / name):
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    assert found, f"{name} is missing: `make chart-tools` installs it (make test does)"
    return found


def _run(*command: str | Path, stdin: str | None = None) -> str:
    result = subprocess.run(
        [str(part) for part in command], input=stdin, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, f"{' '.join(map(str, command))}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _template(*options: str) -> str:
    return _run(_tool("helm"), "template", "accordeer", CHART_DIR, "--namespace", "office", *options)


def _resources(text: str) -> list[dict]:
    return [document for document in yaml.safe_load_all(text) if document]


def _of_kind(resources: list[dict], kind: str) -> list[dict]:
    return [resource for resource in resources if resource["kind"] == kind]


@pytest.fixture(scope="module")
def default() -> list[dict]:
    return _resources(_template())


def _kubeconform() -> list[str]:
    """kubeconform, strict, with Kubernetes' schemas (made by make chart-tools) and the CRD schemas kept here."""
    return [
        _tool("kubeconform"),
        "-strict",
        "-kubernetes-version",
        KUBERNETES_VERSION,
        "-schema-location",
        f"{TOOLS}/kubernetes-schemas/v{KUBERNETES_VERSION}/{{{{.ResourceKind}}}}{{{{.KindSuffix}}}}.json",
        "-schema-location",
        f"{SCHEMAS}/{{{{.Group}}}}/{{{{.ResourceKind}}}}_{{{{.ResourceAPIVersion}}}}.json",
    ]


RENDERINGS = {
    "default, install": (),
    "default, upgrade": ("--is-upgrade",),
    "production, install": ("-f", str(PRODUCTION)),
    "production, upgrade": ("-f", str(PRODUCTION), "--is-upgrade"),
    "a topic prefix": ("--set", "kafka.topicPrefix=acme."),
}


def test_helm_lint_strict_passes_with_the_default_and_the_production_values():
    _run(_tool("helm"), "lint", "--strict", CHART_DIR)
    _run(_tool("helm"), "lint", "--strict", CHART_DIR, "-f", PRODUCTION)


@pytest.mark.parametrize("rendering", RENDERINGS)
def test_every_rendered_resource_is_valid_against_the_kubernetes_and_crd_schemas(rendering):
    report = json.loads(
        _run(*_kubeconform(), "-summary", "-output", "json", "-", stdin=_template(*RENDERINGS[rendering]))
    )
    summary = report["summary"]
    assert summary["valid"] > 60 and summary["invalid"] == summary["errors"] == summary["skipped"] == 0, report


def test_kubeconform_refuses_a_resource_its_schema_does_not_allow(default):
    """The schemas are really applied: a field the API does not know, and a wrong type, are refused."""
    resources = copy.deepcopy(default)
    [deployment, *_] = _of_kind(resources, "Deployment")
    deployment["spec"]["replicaz"] = 1
    [scaled, *_] = _of_kind(resources, "ScaledObject")
    scaled["spec"]["maxReplicaCount"] = "six"
    result = subprocess.run(
        [*_kubeconform(), "-"],
        input=yaml.safe_dump_all([deployment, scaled]),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1
    assert "replicaz" in result.stdout and "maxReplicaCount" in result.stdout


def test_the_chart_s_kafka_file_is_what_our_tables_give_now():
    assert KAFKA_FILE.read_text() == rendered(), f"{KAFKA_FILE} is stale: accordeer chart --write"


@pytest.mark.parametrize("prefix", ["", "acme."])
def test_the_kafka_topics_are_our_topic_table_both_ways(prefix):
    resources = _resources(_template("--set", f"kafka.topicPrefix={prefix}"))
    config = Settings().config_dir
    wanted = wanted_topics(
        prefix,
        replication_of(ENVIRONMENT),
        sources=configured_sources(config / "authorisations.yaml"),
        writers=[principal_of(name) for name in configured_operators(config / "operators.yaml")],
    )
    in_chart = {
        topic["spec"]["topicName"]: (topic["spec"]["partitions"], topic["spec"]["config"], topic["spec"]["replicas"])
        for topic in _of_kind(resources, "KafkaTopic")
    }
    replicas = replication_of(ENVIRONMENT).replication_factor
    assert in_chart == {name: (partitions, cfg, replicas) for name, (partitions, cfg) in wanted.items()}
    assert {t["metadata"]["labels"]["strimzi.io/cluster"] for t in _of_kind(resources, "KafkaTopic")} == {"accordeer"}


@pytest.mark.parametrize("prefix", ["", "acme."])
def test_the_kafka_users_and_their_acls_are_our_acl_table_both_ways(prefix):
    resources = _resources(_template("--set", f"kafka.topicPrefix={prefix}"))
    config = Settings().config_dir
    operations = {READ: "Read", WRITE: "Write"}
    wanted = {
        (
            kubernetes_name(b.principal),
            {TOPIC: "topic", GROUP: "group"}[b.resource_type],
            b.name,
            "prefix" if b.prefixed else "literal",
            operations.get(b.operation, "Describe"),
        )
        for b in bindings(
            configured_sources(config / "authorisations.yaml"),
            prefix,
            operators=configured_operators(config / "operators.yaml"),
        )
    }
    in_chart = {
        (user["metadata"]["name"], acl["resource"]["type"], acl["resource"]["name"], acl["resource"]["patternType"], op)
        for user in _of_kind(resources, "KafkaUser")
        for acl in user["spec"]["authorization"]["acls"]
        for op in acl["operations"]
    }
    assert in_chart == wanted
    users = _of_kind(resources, "KafkaUser")
    assert {u["spec"]["authentication"]["type"] for u in users} == {"scram-sha-512"}
    assert {kubernetes_name(s.name) for s in topology.SERVICES} | {"operator", "keda"} <= {
        u["metadata"]["name"] for u in users
    }


def _env(container: dict) -> dict[str, str]:
    """The container's plain environment values (those from Secrets are left out)."""
    return {item["name"]: item["value"] for item in container["env"] if "value" in item}


def test_every_service_has_a_deployment_that_serves_the_ports_and_probes_its_code_answers(default, monkeypatch):
    deployments = {d["metadata"]["name"].removeprefix("accordeer-"): d for d in _of_kind(default, "Deployment")}
    assert set(deployments) == {kubernetes_name(s.name) for s in topology.SERVICES}
    services = {s["metadata"]["name"].removeprefix("accordeer-"): s for s in _of_kind(default, "Service")}
    ops_routes = set(re.findall(r'Route\("([^"]+)"', (REPO_ROOT / "shared" / "ops_http.py").read_text()))
    for service in topology.SERVICES:
        name = kubernetes_name(service.name)
        pod = deployments[name]["spec"]["template"]["spec"]
        [container] = pod["containers"]
        assert container["image"] == "registry.example.org/accordeer:0.1.0"
        assert container["args"] == ["python", "-m", f"services.{service.name}"]
        assert (REPO_ROOT / "services" / service.name / "__main__.py").exists()
        env = _env(container)
        ports = {port["name"]: port["containerPort"] for port in container["ports"]}
        # The settings the process builds from exactly this environment listen where the chart points.
        with monkeypatch.context() as patched:
            for variable, value in env.items():
                patched.setenv(variable, value)
            assert (Settings().http_host, Settings().http_port) == ("0.0.0.0", ports["ops"])
            if service.name == "portal":
                assert (PortalSettings().host, PortalSettings().port) == ("0.0.0.0", ports["http"])
            if service.name == "status_api":
                assert (StatusApiSettings().host, StatusApiSettings().port) == ("0.0.0.0", ports["http"])
        for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
            check = container[probe]["httpGet"]
            assert check["path"] in ops_routes and check["port"] == "ops", (name, probe)
        assert container["securityContext"]["readOnlyRootFilesystem"] is True
        assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert env["ACCORDEER_KAFKA_USERNAME"] == name and env["ACCORDEER_KAFKA_SECURITY"] == "scram"
        secret_refs = {i["name"]: i["valueFrom"]["secretKeyRef"] for i in container["env"] if "valueFrom" in i}
        assert secret_refs["ACCORDEER_KAFKA_PASSWORD"] == {"name": name, "key": "password"}
        assert secret_refs["DB_USER"]["name"] == f"accordeer-db-{name}"
        assert {p["targetPort"] for p in services[name]["spec"]["ports"]} == set(ports)
    portal_env = _env(deployments["portal"]["spec"]["template"]["spec"]["containers"][0])
    assert portal_env["ACCORDEER_OPS_ENDPOINTS"] == ",".join(
        f"{s.name}=http://accordeer-{kubernetes_name(s.name)}:8080" for s in topology.SERVICES
    )
    [monitor] = _of_kind(default, "ServiceMonitor")
    assert monitor["spec"]["endpoints"][0]["port"] == "ops" and "/metrics" in ops_routes


def test_keda_scales_each_consumer_on_its_own_group_within_its_partitions_one_pod_at_a_time(default):
    scaled = {s["spec"]["scaleTargetRef"]["name"]: s for s in _of_kind(default, "ScaledObject")}
    topics = Topics()
    partitions = yaml.safe_load(KAFKA_FILE.read_text())["consumers"]
    for service in topology.SERVICES:
        name = f"accordeer-{kubernetes_name(service.name)}"
        if service.name == "portal":
            assert name not in scaled  # on CPU, by an HPA
            continue
        spec = scaled[name]["spec"]
        [kafka] = [t for t in spec["triggers"] if t["type"] == "kafka"]
        assert kafka["metadata"]["consumerGroup"] == service.group(topics)
        assert "topic" not in kafka["metadata"]  # every topic the group reads, each source's own included
        assert spec["maxReplicaCount"] <= partitions[service.name]["partitions"]
        down = spec["advanced"]["horizontalPodAutoscalerConfig"]["behavior"]["scaleDown"]
        assert down["stabilizationWindowSeconds"] >= 300
        assert down["policies"] == [{"type": "Pods", "value": 1, "periodSeconds": 60}]
    dispatch = [t["type"] for t in scaled["accordeer-dispatch"]["spec"]["triggers"]]
    assert dispatch == ["kafka", "postgresql"]
    [hpa] = _of_kind(default, "HorizontalPodAutoscaler")
    assert hpa["spec"]["scaleTargetRef"]["name"] == "accordeer-portal"


def test_the_migrations_run_before_the_services_on_upgrade_and_with_them_on_install():
    [install] = _of_kind(_resources(_template()), "Job")
    [upgrade] = _of_kind(_resources(_template("--is-upgrade")), "Job")
    assert "annotations" not in install["metadata"]
    assert upgrade["metadata"]["annotations"]["helm.sh/hook"] == "pre-upgrade"
    assert install["spec"]["template"]["spec"]["containers"][0]["args"] == ["accordeer", "setup", "--no-provision"]


def test_the_chart_refuses_more_pods_than_partitions(tmp_path):
    values = tmp_path / "values.yaml"
    values.write_text(
        yaml.safe_dump(
            {
                "services": [
                    {
                        "name": "intake",
                        "replicas": 1,
                        "resources": {},
                        "scaling": {"kind": "lag", "min": 1, "max": 7, "lagThreshold": 9},
                    }
                ]
            }
        )
    )
    result = subprocess.run(
        [_tool("helm"), "template", "x", str(CHART_DIR), "-f", str(values)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 1 and "above the 6 partitions" in result.stderr


def test_the_alert_rules_pass_promtool_and_their_unit_tests():
    files = CHART_DIR / "files"
    _run(_tool("promtool"), "check", "rules", files / "alerts.yaml")
    assert "SUCCESS" in _run(_tool("promtool"), "test", "rules", files / "alerts.test.yaml")


def test_the_alerts_and_the_dashboard_ask_only_for_metrics_the_code_exports():
    exported = set()
    for path in [*(REPO_ROOT / "shared").rglob("*.py"), *(REPO_ROOT / "services").rglob("*.py")]:
        exported |= set(re.findall(r'"(accordeer_[a-z_]+)"', path.read_text()))
    exported |= {f"{name}_total" for name in exported if not name.endswith("_total")}
    files = CHART_DIR / "files"
    alerts = yaml.safe_load((files / "alerts.yaml").read_text())
    expressions = [rule["expr"] for group in alerts["groups"] for rule in group["rules"]]
    dashboard = json.loads((files / "dashboard.json").read_text())
    expressions += [target["expr"] for panel in dashboard["panels"] for target in panel["targets"]]
    asked = {name for expr in expressions for name in re.findall(r"\baccordeer_[a-z_]+", expr)}
    assert asked and asked <= exported, asked - exported


def test_hadolint_passes_on_the_containerfile():
    _run(_tool("hadolint"), DEPLOY_DIR / "image" / "Containerfile")


def test_every_role_has_a_secret_and_cloudnativepg_manages_each_with_it(default):
    secrets = {s["metadata"]["name"]: s for s in _of_kind(default, "Secret")}
    [cluster] = _of_kind(default, "Cluster")
    roles = {role["name"]: role for role in cluster["spec"]["managed"]["roles"]}
    from shared.db.roles import OWNER, ROLES

    assert set(roles) == set(ROLES) - {OWNER}
    for role in ROLES:
        secret = f"accordeer-db-{role.removeprefix('accordeer_').replace('_', '-')}"
        assert secrets[secret]["type"] == "kubernetes.io/basic-auth"
        if role != OWNER:
            assert roles[role]["passwordSecret"]["name"] == secret
    assert cluster["spec"]["bootstrap"]["initdb"]["owner"] == OWNER
    assert roles["accordeer_portal"]["inRoles"] == ["accordeer_reader"]
