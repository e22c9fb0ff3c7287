"""Check the Helm chart in helm/congvan without a cluster (run by ``make lint``).

Always: Chart.yaml and values.yaml parse, the expected templates exist, every ``.Values.…`` path a
template reads exists in values.yaml, every ``include`` names a defined template, and every
``CONGVAN_*`` key of ``config`` is a real setting that the chart does not also set elsewhere.

With the Helm SDK (``pip install helm-python-sdk``: Helm's Go library behind ctypes, no ``helm``
binary needed): ``helm lint --strict`` and offline renders of several value sets, each manifest
parsed and checked (probes, hooks, security context, ingress hosts, HPA/replicas).
Usage: ``python helm/check_chart.py [--require-helm]``; exits 1 on any problem.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

CHART = Path(__file__).resolve().parent / "congvan"
TEMPLATES = CHART / "templates"
EXPECTED_TEMPLATES = (
    "_helpers.tpl",
    "NOTES.txt",
    "configmap.yaml",
    "deployment-web.yaml",
    "deployment-worker.yaml",
    "job-migrate.yaml",
    "service.yaml",
    "ingress.yaml",
    "hpa.yaml",
    "pdb.yaml",
)
# Set by the templates themselves or from Secrets: never in `config`.
MANAGED_KEYS = {
    "CONGVAN_BASE_DOMAIN",
    "CONGVAN_VAR_DIR",
    "CONGVAN_DATABASE_URL",
    "CONGVAN_DATABASE_ADMIN_URL",
    "CONGVAN_SECRET_KEY",
    "CONGVAN_BROKER_URL",
    "CONGVAN_STORAGE_URL",
}
VALUES_PATH = re.compile(r"\.Values((?:\.[A-Za-z_][A-Za-z0-9_]*)+)")
INCLUDE = re.compile(r"\binclude\s+\"([^\"]+)\"")
DEFINE = re.compile(r"\bdefine\s+\"([^\"]+)\"")


def static_problems() -> list[str]:
    problems: list[str] = []
    chart = yaml.safe_load((CHART / "Chart.yaml").read_text(encoding="utf-8"))
    for key in ("apiVersion", "name", "version", "appVersion"):
        if not chart.get(key):
            problems.append(f"Chart.yaml: {key} is missing")
    if chart.get("apiVersion") != "v2":
        problems.append("Chart.yaml: apiVersion must be v2")
    values = yaml.safe_load((CHART / "values.yaml").read_text(encoding="utf-8"))

    for name in EXPECTED_TEMPLATES:
        if not (TEMPLATES / name).is_file():
            problems.append(f"templates/{name} is missing")

    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.iterdir())}
    defined = {m for text in texts.values() for m in DEFINE.findall(text)}
    for name, text in texts.items():
        for path in VALUES_PATH.findall(text):
            if not _resolves(values, path.strip(".").split(".")):
                problems.append(f"templates/{name}: .Values{path} is not in values.yaml")
        for included in INCLUDE.findall(text):
            if included not in defined:
                problems.append(f"templates/{name}: include {included!r} is not defined")
        if text.count("{{") != text.count("}}"):
            problems.append(f"templates/{name}: unbalanced '{{{{' / '}}}}'")
    problems += _config_problems(values.get("config") or {})
    return problems


def _resolves(values: Any, keys: list[str]) -> bool:
    node = values
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return False
        node = node[key]
    return True


def _config_problems(config: dict[str, Any]) -> list[str]:
    problems = []
    try:
        sys.path.insert(0, str(CHART.parents[1]))
        from core.settings import Settings

        settings = {f"CONGVAN_{name.upper()}" for name in Settings.model_fields}
    except ImportError:
        settings = None
    for key in config:
        if key in MANAGED_KEYS:
            problems.append(f"values.yaml: config.{key} is set by the chart; remove it")
        elif key.startswith("CONGVAN_") and settings is not None and key not in settings:
            problems.append(f"values.yaml: config.{key} is not a setting of core/settings.py")
    return problems


# ------------------------------------------------------------------ rendering (Helm SDK)

SCENARIOS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "custom": {
        "customDomains": ["VanBan.HaNoi.gov.vn", "egov.example.org"],
        "serviceAccountName": "congvan",
        "imagePullSecrets": [{"name": "registry"}],
        "extraEnv": [{"name": "TZ", "value": "Asia/Ho_Chi_Minh"}],
        "image": {"tag": "1.2.3"},
        "web": {"autoscaling": {"enabled": False}, "pdb": {"enabled": False}},
        "worker": {"autoscaling": {"enabled": False}},
        "ingress": {"tls": {"enabled": False}},
    },
    "minimal": {"ingress": {"enabled": False}, "migration": {"enabled": False}},
}


def _documents(manifests: dict[str, str]) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, text in manifests.items():
        if not path.endswith((".yaml", ".yml")):
            continue
        for document in yaml.safe_load_all(text):
            if document:
                yield path, document


def render_problems(helm: Any) -> list[str]:
    problems: list[str] = []
    report = helm.lint(str(CHART), strict=True)
    problems += [f"helm lint: {e}" for e in report.get("errors", [])]
    problems += [
        f"helm lint: {m['path']}: {m['error']}" for m in report["messages"] if m["severity"] >= 2
    ]
    chart = helm.Chart.load(str(CHART))
    for scenario, values in SCENARIOS.items():
        manifests = chart.render(values, name="cv", namespace="gov", is_install=True)
        docs = [doc for _, doc in _documents(manifests)]
        problems += [f"[{scenario}] {p}" for p in _check_documents(docs, values)]
    try:
        chart.render({"baseDomain": ""}, name="cv", namespace="gov", is_install=True)
        problems.append("[no-base-domain] rendering succeeded; baseDomain must be required")
    except helm.HelmError as exc:
        if "baseDomain is required" not in str(exc):
            problems.append(f"[no-base-domain] unexpected error: {exc}")
    return problems


def _check_documents(docs: list[dict[str, Any]], values: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in docs:
        by_kind.setdefault(doc["kind"], []).append(doc)
    expected = {"ConfigMap", "Deployment", "Service"}
    if values.get("ingress", {}).get("enabled", True):
        expected.add("Ingress")
    if values.get("migration", {}).get("enabled", True):
        expected.add("Job")
    problems += [f"no {kind} rendered" for kind in sorted(expected - set(by_kind))]

    hpa_targets = {
        d["spec"]["scaleTargetRef"]["name"] for d in by_kind.get("HorizontalPodAutoscaler", [])
    }
    for deployment in by_kind.get("Deployment", []):
        name = deployment["metadata"]["name"]
        has_replicas = "replicas" in deployment["spec"]
        if (name in hpa_targets) == has_replicas:
            problems.append(f"{name}: exactly one of an HPA or spec.replicas is expected")
        problems += _check_pod(name, deployment["spec"]["template"]["spec"])
        if name.endswith("-web"):
            container = deployment["spec"]["template"]["spec"]["containers"][0]
            if container.get("readinessProbe", {}).get("httpGet", {}).get("path") != "/readyz":
                problems.append(f"{name}: readiness probe must GET /readyz")
            if container.get("livenessProbe", {}).get("httpGet", {}).get("path") != "/healthz":
                problems.append(f"{name}: liveness probe must GET /healthz")
    for job in by_kind.get("Job", []):
        hooks = job["metadata"].get("annotations", {}).get("helm.sh/hook", "")
        if set(hooks.split(",")) != {"pre-install", "pre-upgrade"}:
            problems.append(f"{job['metadata']['name']}: must be a pre-install,pre-upgrade hook")
        pod = job["spec"]["template"]["spec"]
        env = {e["name"] for e in pod["containers"][0].get("env", [])}
        if not {"CONGVAN_DATABASE_URL", "CONGVAN_DATABASE_ADMIN_URL"} <= env:
            problems.append("migration job lacks CONGVAN_DATABASE_URL / CONGVAN_DATABASE_ADMIN_URL")
        if pod["containers"][0]["command"] != ["congvan", "migrate"]:
            problems.append("migration job must run `congvan migrate`")
        problems += _check_pod(job["metadata"]["name"], pod)
    for ingress in by_kind.get("Ingress", []):
        hosts = [rule["host"] for rule in ingress["spec"]["rules"]]
        base = "congvan.example.gov.vn"
        wanted = [base, f"*.{base}", *(d.lower() for d in values.get("customDomains", []))]
        if hosts != wanted:
            problems.append(f"ingress hosts {hosts} != {wanted}")
    return problems


def _check_pod(name: str, pod: dict[str, Any]) -> list[str]:
    problems = []
    if not pod.get("securityContext", {}).get("runAsNonRoot"):
        problems.append(f"{name}: pod must set runAsNonRoot")
    for container in pod["containers"]:
        context = container.get("securityContext", {})
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}/{container['name']}: allowPrivilegeEscalation must be false")
        if not context.get("readOnlyRootFilesystem"):
            problems.append(f"{name}/{container['name']}: root filesystem must be read-only")
        if not container.get("resources", {}).get("requests"):
            problems.append(f"{name}/{container['name']}: resource requests are missing")
    return problems


def main(argv: list[str]) -> int:
    problems = static_problems()
    try:
        import helm_python as helm
    except ImportError:
        helm = None
    if helm is not None:
        problems += render_problems(helm)
    elif "--require-helm" in argv:
        problems.append("the Helm SDK is not installed: pip install helm-python-sdk")
    for problem in problems:
        print(f"helm/congvan: {problem}")
    mode = "lint + render" if helm is not None else "static checks only (no Helm SDK)"
    print(f"chart: {'FAILED' if problems else 'OK'} ({mode})")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
