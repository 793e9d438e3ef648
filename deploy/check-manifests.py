#!/usr/bin/python3
"""Checks the Kubernetes manifests in deploy/k8s/ against what the deployment depends on.

    /usr/bin/python3 deploy/check-manifests.py        # exit 0 when every check passes

Loads every manifest (PyYAML: Debian's python3-yaml) and asserts:
  - kustomization.yaml lists every manifest, sets the namespace, and sets the image that every container uses;
  - CronJob: every 15 minutes, concurrencyPolicy Forbid, startingDeadlineSeconds, activeDeadlineSeconds 600,
    backoffLimit 2, history limits, restartPolicy Never, `run --once`;
  - Deployment: 1 replica, Recreate, liveness /healthz and readiness /readyz on 8080, resources,
    CREDITBOT_HTTP_ADDR=0.0.0.0:8080, `serve`;
  - both pods: the ServiceAccount, non-root as the Dockerfile's uid, read-only root file system with emptyDir
    volumes on /tmp and the Dockerfile's WORKDIR, no privilege escalation, capabilities dropped, seccomp
    RuntimeDefault, no host namespaces;
  - ServiceAccount: the IRSA annotation eks.amazonaws.com/role-arn;
  - NetworkPolicy: ingress only from the monitoring namespace to 8080; egress only DNS (53) and 443/8443,
    never to the instance metadata address;
  - Service: selects the serve pods, port 8080;
  - both pods' memory limits hold the largest report CREDITBOT_MAX_REPORT_ROWS lets in (issue 20: ~30 MB plus
    ~700 bytes a report row);
and that each check fails on a manifest broken in that one way. Where kubectl is installed, also that
`kubectl kustomize deploy/k8s` builds. Also checks deploy/slack-app-manifest.yaml: only keys of Slack's
manifest schema (as typed in slackapi/node-slack-sdk), exactly the bot scopes and events creditbot needs,
Sign in with Slack's user scopes (openid, profile, email) and an https redirect URL ending in
/auth/slack/callback, Socket Mode on, org-wide deployment off.

Operations as code (issue 21): the PrometheusRule (deploy/k8s/prometheusrule.yaml) holds the runbook's alerts
(monitoring.coreos.com/v1, every alert named with an expr, a severity label) and the Grafana dashboard
(deploy/grafana/creditbot.json) parses, with a Prometheus query in every panel; every metric either names
(creditbot_*, process_*, a histogram's _bucket/_sum/_count) is one creditbot defines: the names are read from
the sources (the `constexpr char …[] = "creditbot_…"` constants under src/, histograms from their
DefineHistogram calls), never from a list kept here. Each check fails on a rule or panel naming a metric that
does not exist.
"""

import copy
import glob
import ipaddress
import json
import os
import re
import shutil
import subprocess
import sys
import unittest

try:
    import yaml
except ImportError:  # pragma: no cover
    sys.exit("check-manifests: PyYAML is missing: apt-get install python3-yaml (and run with /usr/bin/python3)")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
K8S = os.path.join(ROOT, "deploy", "k8s")
DOCKERFILE = os.path.join(ROOT, "deploy", "Dockerfile")
SLACK_MANIFEST = os.path.join(ROOT, "deploy", "slack-app-manifest.yaml")
GRAFANA_DASHBOARD = os.path.join(ROOT, "deploy", "grafana", "creditbot.json")
SRC = os.path.join(ROOT, "src")
RUNBOOK_ALERTS = {"CreditbotNoSuccessfulPass", "CreditbotAbsent", "CreditbotErrorRate", "CreditbotExternalErrors",
                  "CreditbotSlowReplies"}

# The Slack app manifest keys, per section (slackapi/node-slack-sdk, web-api types/request/manifest.ts).
SLACK_SCHEMA = {
    "": {"_metadata", "display_information", "features", "oauth_config", "settings", "functions"},
    "_metadata": {"major_version", "minor_version"},
    "display_information": {"name", "description", "long_description", "background_color"},
    "features": {"app_home", "bot_user", "shortcuts", "slash_commands", "unfurl_domains"},
    "features.app_home": {"home_tab_enabled", "messages_tab_enabled", "messages_tab_read_only_enabled"},
    "features.bot_user": {"display_name", "always_online"},
    "oauth_config": {"redirect_urls", "scopes", "token_management_enabled"},
    "oauth_config.scopes": {"bot", "user"},
    "settings": {"allowed_ip_address_ranges", "event_subscriptions", "incoming_webhooks", "interactivity",
                 "org_deploy_enabled", "socket_mode_enabled", "token_rotation_enabled", "function_runtime"},
    "settings.event_subscriptions": {"bot_events", "user_events", "request_url"},
    "settings.interactivity": {"is_enabled", "message_menu_options_url", "request_url"},
}
SLACK_BOT_SCOPES = {"channels:history", "groups:history", "chat:write", "im:write", "reactions:write",
                    "channels:read", "groups:read", "usergroups:read"}


def load_manifests():
    """{kind: document} for every manifest in deploy/k8s (one document of each kind), plus the file list."""
    docs, files = {}, {}
    for name in sorted(os.listdir(K8S)):
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(K8S, name), encoding="utf-8") as f:
            for doc in yaml.safe_load_all(f):
                if doc is None:
                    continue
                kind = doc.get("kind")
                assert kind, f"{name}: a document without a kind"
                assert kind not in docs, f"{name}: a second {kind}"
                docs[kind] = doc
                files[kind] = name
    return docs, files


def dockerfile_runtime():
    """(uid, workdir) of the Dockerfile's last stage."""
    uid = workdir = None
    with open(DOCKERFILE, encoding="utf-8") as f:
        for line in f:
            if line.startswith("FROM "):
                uid = workdir = None
            elif line.startswith("USER "):
                uid = int(line.split()[1].split(":")[0])
            elif line.startswith("WORKDIR "):
                workdir = line.split()[1]
    return uid, workdir


UID, WORKDIR = dockerfile_runtime()


def pod_spec(doc):
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    return doc["spec"]["template"]["spec"]


def pod_labels(doc):
    if doc["kind"] == "CronJob":
        return doc["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    return doc["spec"]["template"]["metadata"]["labels"]


def only_container(doc):
    containers = pod_spec(doc)["containers"]
    assert len(containers) == 1, f"{doc['kind']}: expected one container"
    return containers[0]


def env_of(container):
    return {e["name"]: e.get("value") for e in container.get("env", [])}


def resolve_port(container, port):
    if isinstance(port, int):
        return port
    for p in container.get("ports", []):
        if p.get("name") == port:
            return p["containerPort"]
    raise AssertionError(f"no container port named {port}")


# ---- checks: each takes the {kind: doc} map and raises AssertionError -------------------------------------
def check_kustomization(docs, files=None):
    k = docs["Kustomization"]
    assert k.get("namespace") == "creditbot", "kustomization must set namespace creditbot"
    listed = set(k.get("resources", []))
    on_disk = {f for kind, f in (files or {}).items() if kind != "Kustomization"}
    assert not on_disk or listed == on_disk, f"kustomization resources {sorted(listed)} != files {sorted(on_disk)}"
    images = {i["name"]: i for i in k.get("images", [])}
    assert "creditbot" in images and images["creditbot"].get("newTag"), "kustomization must pin the creditbot image"
    for kind in ("CronJob", "Deployment"):
        assert only_container(docs[kind])["image"] == "creditbot", f"{kind}: image must be `creditbot` (kustomize sets it)"


def check_cronjob(docs):
    c = docs["CronJob"]
    spec = c["spec"]
    assert len(c["metadata"]["name"]) <= 52, "CronJob names are limited to 52 characters"
    assert spec.get("schedule") == "*/15 * * * *", f"schedule {spec.get('schedule')!r}"
    assert spec.get("concurrencyPolicy") == "Forbid", f"concurrencyPolicy {spec.get('concurrencyPolicy')!r}"
    deadline = spec.get("startingDeadlineSeconds")
    assert isinstance(deadline, int) and 0 < deadline < 900, f"startingDeadlineSeconds {deadline!r}"
    assert isinstance(spec.get("successfulJobsHistoryLimit"), int), "successfulJobsHistoryLimit must be set"
    assert isinstance(spec.get("failedJobsHistoryLimit"), int), "failedJobsHistoryLimit must be set"
    job = spec["jobTemplate"]["spec"]
    assert job.get("activeDeadlineSeconds") == 600, f"activeDeadlineSeconds {job.get('activeDeadlineSeconds')!r}"
    assert job.get("backoffLimit") == 2, f"backoffLimit {job.get('backoffLimit')!r}"
    assert pod_spec(c).get("restartPolicy") == "Never", "restartPolicy must be Never (each retry a new pod)"
    assert only_container(c).get("args") == ["run", "--once"], f"args {only_container(c).get('args')!r}"
    assert env_of(only_container(c)).get("DRY_RUN") == "true", "the shipped CronJob must be a dry run"


def check_deployment(docs):
    d = docs["Deployment"]
    spec = d["spec"]
    assert spec.get("replicas") == 1, f"replicas {spec.get('replicas')!r}"
    assert spec.get("strategy", {}).get("type") == "Recreate", "strategy must be Recreate (one Socket Mode consumer)"
    assert spec["selector"]["matchLabels"].items() <= pod_labels(d).items(), "selector does not match the pod labels"
    c = only_container(d)
    assert c.get("args") == ["serve"], f"args {c.get('args')!r}"
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        http = c.get(probe, {}).get("httpGet", {})
        assert http.get("path") == path, f"{probe} path {http.get('path')!r}, expected {path}"
        assert resolve_port(c, http.get("port")) == 8080, f"{probe} port must be 8080"
    resources = c.get("resources", {})
    for part in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources.get(part, {})), f"resources.{part} needs cpu and memory"
    assert env_of(c).get("CREDITBOT_HTTP_ADDR") == "0.0.0.0:8080", "CREDITBOT_HTTP_ADDR must be 0.0.0.0:8080"
    assert env_of(c).get("DRY_RUN") == "true", "the shipped Deployment must be a dry run"


def check_pod_security(docs):
    for kind in ("CronJob", "Deployment"):
        doc = docs[kind]
        pod, c = pod_spec(doc), only_container(doc)
        psc, csc = pod.get("securityContext", {}), c.get("securityContext", {})
        assert pod.get("serviceAccountName") == docs["ServiceAccount"]["metadata"]["name"], f"{kind}: service account"
        assert psc.get("runAsNonRoot") is True or csc.get("runAsNonRoot") is True, f"{kind}: runAsNonRoot"
        assert psc.get("runAsUser", csc.get("runAsUser")) == UID, f"{kind}: runAsUser must be the image's {UID}"
        assert psc.get("fsGroup") == UID, f"{kind}: fsGroup {UID} lets the user read the IRSA token"
        assert csc.get("allowPrivilegeEscalation") is False, f"{kind}: allowPrivilegeEscalation must be false"
        assert csc.get("readOnlyRootFilesystem") is True, f"{kind}: readOnlyRootFilesystem must be true"
        assert csc.get("capabilities", {}).get("drop") == ["ALL"], f"{kind}: capabilities must drop ALL"
        assert not csc.get("privileged"), f"{kind}: privileged"
        seccomp = csc.get("seccompProfile", psc.get("seccompProfile", {}))
        assert seccomp.get("type") == "RuntimeDefault", f"{kind}: seccompProfile RuntimeDefault"
        for host in ("hostNetwork", "hostPID", "hostIPC"):
            assert not pod.get(host), f"{kind}: {host}"
        empty_dirs = {v["name"] for v in pod.get("volumes", []) if "emptyDir" in v}
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        for path in ("/tmp", WORKDIR):
            assert mounts.get(path) in empty_dirs, f"{kind}: {path} must be an emptyDir mount (read-only root)"


def check_service_account(docs):
    sa = docs["ServiceAccount"]
    arn = sa["metadata"].get("annotations", {}).get("eks.amazonaws.com/role-arn", "")
    assert re.fullmatch(r"arn:aws[a-z-]*:iam::(\d{12}|ACCOUNT_ID):role/[\w+=,.@/-]+", arn), f"IRSA role-arn {arn!r}"


def check_network_policy(docs):
    np = docs["NetworkPolicy"]
    spec = np["spec"]
    selector = spec["podSelector"].get("matchLabels", {})
    for kind in ("CronJob", "Deployment"):
        assert selector.items() <= pod_labels(docs[kind]).items(), f"NetworkPolicy does not select the {kind} pods"
    assert set(spec.get("policyTypes", [])) == {"Ingress", "Egress"}, "policyTypes must be Ingress and Egress"
    ingress = spec.get("ingress", [])
    assert len(ingress) == 1, f"expected one ingress rule, found {len(ingress)}"
    sources = ingress[0].get("from", [])
    assert sources and all(
        s.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "monitoring"}
        and "ipBlock" not in s for s in sources), "ingress only from the monitoring namespace"
    assert [p.get("port") for p in ingress[0].get("ports", [])] == [8080], "ingress only to port 8080"
    metadata_ip = ipaddress.ip_address("169.254.169.254")
    saw_dns = saw_https = False
    for rule in spec.get("egress", []):
        ports = rule.get("ports")
        assert ports, "an egress rule without ports allows every port"
        numbers = {p["port"] for p in ports}
        if numbers == {53}:
            assert {p.get("protocol", "TCP") for p in ports} == {"UDP", "TCP"}, "DNS needs UDP and TCP 53"
            saw_dns = True
            continue
        if numbers == {9091}:  # the Pushgateway, inside the cluster's monitoring namespace only
            assert rule.get("to") and all(
                p.get("namespaceSelector", {}).get("matchLabels") == {"kubernetes.io/metadata.name": "monitoring"}
                and "ipBlock" not in p for p in rule["to"]), "egress to 9091 only to the monitoring namespace"
            continue
        assert numbers <= {443, 8443}, f"egress to ports {sorted(numbers)}: only 443 and 8443 (and DNS)"
        saw_https = saw_https or 443 in numbers
        for peer in rule.get("to", []):
            block = peer.get("ipBlock")
            assert block, "non-DNS egress must name IP blocks"
            excepted = any(metadata_ip in ipaddress.ip_network(e) for e in block.get("except", []))
            assert metadata_ip not in ipaddress.ip_network(block["cidr"]) or excepted, \
                f"egress to {block['cidr']} reaches the instance metadata service"
    assert saw_dns and saw_https, "egress must allow DNS and 443"


def defined_metrics():
    """(every metric family name creditbot defines, the histogram families), read from src/."""
    constants, names, histograms = {}, set(), set()
    sources = [p for p in glob.glob(os.path.join(SRC, "**", "*.*"), recursive=True)
               if p.endswith((".h", ".cc")) and not p.endswith("_test.cc")]
    texts = {}
    for path in sources:
        with open(path, encoding="utf-8") as f:
            texts[path] = f.read()
        for constant, name in re.findall(r'constexpr char (\w+)\[\] =\s*"((?:creditbot|process)_\w+)"', texts[path]):
            constants[constant] = name
            names.add(name)
    for text in texts.values():
        for constant in re.findall(r"DefineHistogram\(\s*(\w+)", text):
            if constant in constants:
                histograms.add(constants[constant])
    return names, histograms


METRICS, HISTOGRAMS = defined_metrics()


def unknown_metrics(expr):
    """The creditbot_*/process_* names in a PromQL expression that creditbot does not define."""
    unknown = []
    for name in re.findall(r"\b((?:creditbot|process)_[A-Za-z0-9_]+)", expr):
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        if name in METRICS or (base in HISTOGRAMS and base != name):
            continue
        unknown.append(name)
    return unknown


def check_prometheus_rule(docs):
    rule = docs["PrometheusRule"]
    assert rule.get("apiVersion") == "monitoring.coreos.com/v1", f"PrometheusRule apiVersion {rule.get('apiVersion')!r}"
    alerts = {}
    for group in rule["spec"]["groups"]:
        assert group.get("name") and group.get("rules"), "a rule group needs a name and rules"
        for r in group["rules"]:
            assert r.get("alert") and isinstance(r.get("expr"), str), f"rule {r!r}: alert and expr"
            assert r.get("labels", {}).get("severity") in ("page", "ticket"), f"{r['alert']}: severity page|ticket"
            missing = unknown_metrics(r["expr"])
            assert not missing, f"{r['alert']}: metrics creditbot does not define: {missing}"
            alerts[r["alert"]] = r
    assert RUNBOOK_ALERTS <= set(alerts), f"missing the runbook's alerts {sorted(RUNBOOK_ALERTS - set(alerts))}"
    assert "creditbot_last_successful_pass_timestamp_seconds" in alerts["CreditbotNoSuccessfulPass"]["expr"]


def check_grafana_dashboard(dashboard):
    assert dashboard.get("uid") and dashboard.get("title"), "dashboard uid and title"
    panels = dashboard.get("panels") or []
    assert panels, "a dashboard without panels"
    used = set()
    for panel in panels:
        targets = panel.get("targets") or []
        assert targets, f"panel {panel.get('title')!r} has no query"
        for target in targets:
            expr = target.get("expr", "")
            assert expr, f"panel {panel.get('title')!r}: a target without expr"
            missing = unknown_metrics(expr)
            assert not missing, f"panel {panel.get('title')!r}: metrics creditbot does not define: {missing}"
            used.update(re.findall(r"\b(?:creditbot|process)_\w+", expr))
    assert "creditbot_last_successful_pass_timestamp_seconds" in used, "the dashboard must show the last pass"


def check_service(docs):
    svc = docs["Service"]
    assert svc["spec"]["selector"].items() <= pod_labels(docs["Deployment"]).items(), "Service must select serve pods"
    c = only_container(docs["Deployment"])
    ports = svc["spec"]["ports"]
    assert any(p.get("port") == 8080 and resolve_port(c, p.get("targetPort", 8080)) == 8080 for p in ports), \
        "Service must expose 8080"


# Issue 20: the most one calculation may hold (docs/BENCHMARKS.md, "Calculations at any size"): the
# process's own ~30 MB, plus per report row ~300 bytes while the engine runs and ~700 while the pass records
# the ledger entry's cells (353 MB for 500,000 rows by bench/calc_size/pass.sh; the audit record is streamed,
# never held). CREDITBOT_MAX_REPORT_ROWS bounds the rows.
POD_BASE_BYTES = 30 * 2**20
POD_BYTES_PER_REPORT_ROW = 700


def memory_bytes(quantity):
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "K": 10**3, "M": 10**6, "G": 10**9}
    for suffix, factor in units.items():
        if str(quantity).endswith(suffix):
            return int(str(quantity)[:-len(suffix)]) * factor
    return int(quantity)


def max_report_rows(docs):
    """CREDITBOT_MAX_REPORT_ROWS from the ConfigMap, else its default in src/app/config.h."""
    configured = docs["ConfigMap"].get("data", {}).get("CREDITBOT_MAX_REPORT_ROWS")
    if configured:
        return int(configured)
    with open(os.path.join(SRC, "app", "config.h"), encoding="utf-8") as f:
        found = re.search(r"kDefaultMaxReportRows = ([0-9']+);", f.read())
    assert found, "kDefaultMaxReportRows not found in src/app/config.h"
    return int(found.group(1).replace("'", ""))


def check_memory_fits_reports(docs):
    rows = max_report_rows(docs)
    need = POD_BASE_BYTES + POD_BYTES_PER_REPORT_ROW * rows
    for kind in ("CronJob", "Deployment"):
        limit = memory_bytes(only_container(docs[kind]).get("resources", {}).get("limits", {}).get("memory", 0))
        assert limit >= need, (f"{kind}: memory limit {limit} bytes < {need}, what a report of {rows} rows "
                               "(CREDITBOT_MAX_REPORT_ROWS) may take")


CHECKS = [check_kustomization, check_cronjob, check_deployment, check_pod_security, check_service_account,
          check_network_policy, check_service, check_prometheus_rule, check_memory_fits_reports]


def mutate(path, value):
    """A mutation setting docs[path[0]][path[1]]…[path[-1]] = value (None deletes)."""
    def apply(docs):
        node = docs
        for key in path[:-1]:
            node = node[key]
        if value is None:
            del node[path[-1]]
        else:
            node[path[-1]] = value
    return apply


CJ_POD = ["CronJob", "spec", "jobTemplate", "spec", "template", "spec"]
DEP_POD = ["Deployment", "spec", "template", "spec"]
MUTATIONS = [
    (check_cronjob, mutate(["CronJob", "spec", "concurrencyPolicy"], "Allow")),
    (check_cronjob, mutate(["CronJob", "spec", "schedule"], "*/5 * * * *")),
    (check_cronjob, mutate(["CronJob", "spec", "startingDeadlineSeconds"], None)),
    (check_cronjob, mutate(["CronJob", "spec", "jobTemplate", "spec", "activeDeadlineSeconds"], 3600)),
    (check_cronjob, mutate(["CronJob", "spec", "jobTemplate", "spec", "backoffLimit"], 6)),
    (check_deployment, mutate(["Deployment", "spec", "replicas"], 2)),
    (check_memory_fits_reports, mutate(DEP_POD + ["containers", 0, "resources", "limits", "memory"], "256Mi")),
    (check_memory_fits_reports, mutate(CJ_POD + ["containers", 0, "resources", "limits", "memory"], "352Mi")),
    (check_memory_fits_reports, mutate(["ConfigMap", "data", "CREDITBOT_MAX_REPORT_ROWS"], "2000000")),
    (check_deployment, mutate(["Deployment", "spec", "strategy"], {"type": "RollingUpdate"})),
    (check_deployment, mutate(DEP_POD + ["containers", 0, "readinessProbe", "httpGet", "path"], "/healthz")),
    (check_deployment, mutate(DEP_POD + ["containers", 0, "livenessProbe"], None)),
    (check_deployment, mutate(DEP_POD + ["containers", 0, "env"], [])),
    (check_pod_security, mutate(DEP_POD + ["containers", 0, "securityContext", "readOnlyRootFilesystem"], False)),
    (check_pod_security, mutate(CJ_POD + ["containers", 0, "securityContext", "allowPrivilegeEscalation"], True)),
    (check_pod_security, mutate(DEP_POD + ["containers", 0, "securityContext", "capabilities"], {"drop": []})),
    (check_pod_security, mutate(CJ_POD + ["securityContext", "runAsUser"], 0)),
    (check_pod_security, mutate(CJ_POD + ["volumes"], [])),
    (check_service_account, mutate(["ServiceAccount", "metadata", "annotations"], {})),
    (check_network_policy, mutate(["NetworkPolicy", "spec", "ingress", 0, "from"], [{"ipBlock": {"cidr": "0.0.0.0/0"}}])),
    (check_network_policy, mutate(["NetworkPolicy", "spec", "egress", 1, "ports"], [{"protocol": "TCP", "port": 80}])),
    (check_network_policy, mutate(["NetworkPolicy", "spec", "egress", 1, "to", 0, "ipBlock", "except"], [])),
    (check_network_policy, mutate(["NetworkPolicy", "spec", "egress", 2, "ports"], None)),
    (check_service, mutate(["Service", "spec", "selector"], {"app": "other"})),
    (check_kustomization, mutate(["Kustomization", "images"], [])),
    (check_prometheus_rule, mutate(["PrometheusRule", "apiVersion"], "monitoring.coreos.com/v1alpha1")),
    (check_prometheus_rule, mutate(["PrometheusRule", "spec", "groups", 0, "rules", 0, "expr"],
                                   "time() - creditbot_last_pass_ok_timestamp_seconds > 2700")),
    (check_prometheus_rule, mutate(["PrometheusRule", "spec", "groups", 0, "rules", 3, "expr"],
                                   "rate(process_cpu_seconds[5m]) > 1")),
    (check_prometheus_rule, mutate(["PrometheusRule", "spec", "groups", 0, "rules", 4, "expr"],
                                   "histogram_quantile(0.95, rate(creditbot_time_to_reply_bucket[1h])) > 300")),
    (check_network_policy, mutate(["NetworkPolicy", "spec", "egress", 3, "to"], [{"ipBlock": {"cidr": "0.0.0.0/0"}}])),
]


class ManifestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.docs, cls.files = load_manifests()

    def test_dockerfile_facts(self):
        self.assertEqual(UID, 10001)
        self.assertTrue(WORKDIR and WORKDIR.startswith("/"))

    def test_every_kind_present(self):
        for kind in ("Kustomization", "Namespace", "ServiceAccount", "ConfigMap", "NetworkPolicy", "Service",
                     "Deployment", "CronJob", "PrometheusRule"):
            self.assertIn(kind, self.docs)

    def test_every_check_passes(self):
        for check in CHECKS:
            with self.subTest(check=check.__name__):
                if check is check_kustomization:
                    check(self.docs, self.files)
                else:
                    check(self.docs)

    def test_every_check_catches_its_breakage(self):
        for number, (check, apply) in enumerate(MUTATIONS):
            with self.subTest(check=check.__name__, mutation=number):
                docs = copy.deepcopy(self.docs)
                apply(docs)
                with self.assertRaises((AssertionError, KeyError)):
                    check(docs)

    def test_kustomize_builds(self):
        kubectl = shutil.which("kubectl")
        if not kubectl:
            self.skipTest("kubectl is not installed here")
        out = subprocess.run([kubectl, "kustomize", K8S], capture_output=True, text=True, timeout=60)
        self.assertEqual(out.returncode, 0, out.stderr)
        built = [d for d in yaml.safe_load_all(out.stdout) if d]
        self.assertEqual(len(built), len(self.docs) - 1)  # everything but the Kustomization itself
        images = {c["image"] for d in built if d["kind"] in ("CronJob", "Deployment") for c in
                  pod_spec(d)["containers"]}
        self.assertEqual(len(images), 1)
        self.assertRegex(images.pop(), r"\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com/creditbot:")
        for d in built:
            if d["kind"] != "Namespace":
                self.assertEqual(d["metadata"].get("namespace"), "creditbot", d["kind"])


class MetricNamesTest(unittest.TestCase):
    def test_names_come_from_the_sources(self):
        # A few families the registry defines (src/common/metrics.h, process_metrics.cc), found by the parser.
        for name in ("creditbot_requests_total", "creditbot_last_successful_pass_timestamp_seconds",
                     "creditbot_build_info", "process_resident_memory_bytes", "creditbot_config_reloads_total"):
            self.assertIn(name, METRICS)
        self.assertEqual(HISTOGRAMS, {"creditbot_external_call_seconds", "creditbot_time_to_reply_seconds"})
        self.assertEqual(unknown_metrics("rate(creditbot_time_to_reply_seconds_bucket[5m])"), [])
        self.assertEqual(unknown_metrics("creditbot_requests_total_bucket"), ["creditbot_requests_total_bucket"])

    def test_grafana_dashboard(self):
        with open(GRAFANA_DASHBOARD, encoding="utf-8") as f:
            dashboard = json.load(f)
        check_grafana_dashboard(dashboard)
        for change in ("creditbot_requests_totals", "process_rss_bytes"):
            broken = copy.deepcopy(dashboard)
            broken["panels"][2]["targets"][0]["expr"] = f"sum(rate({change}[5m]))"
            with self.subTest(mutation=change), self.assertRaises(AssertionError):
                check_grafana_dashboard(broken)
        broken = copy.deepcopy(dashboard)
        broken["panels"][3]["targets"] = []
        with self.assertRaises(AssertionError):
            check_grafana_dashboard(broken)


def check_slack_manifest(manifest):
    def walk(node, path):
        if not isinstance(node, dict) or path not in SLACK_SCHEMA:
            return
        unknown = set(node) - SLACK_SCHEMA[path]
        assert not unknown, f"Slack manifest: unknown keys {sorted(unknown)} under {path or 'the top'}"
        for key, value in node.items():
            walk(value, f"{path}.{key}" if path else key)
    walk(manifest, "")
    assert manifest["display_information"]["name"] == "creditbot", "display name"
    assert manifest["features"]["bot_user"]["display_name"] == "creditbot", "bot display name"
    scopes = manifest["oauth_config"]["scopes"]
    assert set(scopes.get("bot", [])) == SLACK_BOT_SCOPES and len(scopes["bot"]) == len(SLACK_BOT_SCOPES), \
        f"bot scopes {scopes.get('bot')} != {sorted(SLACK_BOT_SCOPES)}"
    # Sign in with Slack (issue 18): exactly the OpenID Connect scopes of the person signing in, and the
    # dashboard's callback as the redirect URL.
    assert scopes.get("user") == ["openid", "profile", "email"], f"user scopes {scopes.get('user')}"
    redirects = manifest["oauth_config"].get("redirect_urls", [])
    assert redirects and all(url.startswith("https://") and url.endswith("/auth/slack/callback")
                             for url in redirects), f"redirect URLs {redirects}"
    settings = manifest["settings"]
    assert settings["event_subscriptions"]["bot_events"] == ["message.channels", "message.groups"], "bot events"
    assert settings["socket_mode_enabled"] is True, "socket_mode_enabled"
    # The Approve / Reject / Adjust buttons and the modals (issue 17): Socket Mode carries them without a
    # request URL; over HTTP it is https://<host>/slack/interactivity.
    assert settings["interactivity"]["is_enabled"] is True, "interactivity"
    assert settings["org_deploy_enabled"] is False, "org_deploy_enabled"


class SlackManifestTest(unittest.TestCase):
    def test_manifest(self):
        with open(SLACK_MANIFEST, encoding="utf-8") as f:
            manifest = yaml.safe_load(f)
        check_slack_manifest(manifest)
        for path, value in ((["settings", "socket_mode_enabled"], False),
                            (["oauth_config", "scopes", "bot"], sorted(SLACK_BOT_SCOPES) + ["users:read"]),
                            (["settings", "event_subscriptions", "bot_events"], ["message.im"]),
                            (["settings", "socket_mode"], True),
                            (["settings", "interactivity", "is_enabled"], False),
                            (["oauth_config", "scopes", "user"], ["openid", "profile", "email", "users:read"]),
                            (["oauth_config", "redirect_urls"], ["https://creditbot.example.com/oauth"])):
            broken = copy.deepcopy(manifest)
            node = broken
            for key in path[:-1]:
                node = node[key]
            node[path[-1]] = value
            with self.subTest(mutation=path), self.assertRaises(AssertionError):
                check_slack_manifest(broken)


if __name__ == "__main__":
    unittest.main(verbosity=2)
