#!/usr/bin/env python3
"""Checks deploy/airflow/credit_bot_dag.py without Airflow (not installable on the development machines).

    python3 deploy/airflow/test_credit_bot_dag.py        # exit 0 when every check passes

1. The DAG file compiles (py_compile).
2. Its `DAG(...)` and `KubernetesPodOperator(...)` calls are read with `ast` (module-level names such as
   DEFAULT_ARGS are followed) and every argument the deployment depends on is checked: schedule, catchup,
   max_active_runs, retries, retry_delay, execution_timeout, on_finish_action, no is_delete_operator_pod,
   container resources, command and arguments, service account, secrets (Secrets Manager alone: no
   Kubernetes Secret in the pod's environment, since the environment wins over Secrets Manager), image and
   DRY_RUN Variables.
3. Each check is shown to fail on a DAG broken in that one way (so no check passes vacuously).
4. Where Airflow is installed (staging), the DAG also loads in a DagBag with no import errors.
Standard library only.
"""

import ast
import os
import py_compile
import re
import sys
import tempfile
import unittest
from datetime import datetime, timedelta

DAG_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "credit_bot_dag.py")
OPERATOR_MODULE = "airflow.providers.cncf.kubernetes.operators.pod"


class Call:
    """A call the DAG file makes, kept as data: `k8s.V1ResourceRequirements(requests=…)` → name
    "k8s.V1ResourceRequirements", args, kwargs."""

    def __init__(self, name, args, kwargs):
        self.name, self.args, self.kwargs = name, args, kwargs

    def __repr__(self):
        return f"Call({self.name}, {self.args}, {self.kwargs})"


def dotted_name(node):
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{dotted_name(node.value)}.{node.attr}"
    raise ValueError(f"not a name: {ast.dump(node)}")


def evaluate(node, names):
    """The value of a literal expression; timedelta/datetime calls become real values, other calls
    become Call objects, names defined at module level are followed."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, (ast.List, ast.Tuple)):
        return [evaluate(e, names) for e in node.elts]
    if isinstance(node, ast.Dict):
        return {evaluate(k, names): evaluate(v, names) for k, v in zip(node.keys, node.values)}
    if isinstance(node, ast.Name):
        if node.id in names:
            return evaluate(names[node.id], names)
        if node.id == "__doc__":
            return "<docstring>"
        raise ValueError(f"unknown name {node.id}")
    if isinstance(node, ast.Call):
        name = dotted_name(node.func)
        args = [evaluate(a, names) for a in node.args]
        kwargs = {k.arg: evaluate(k.value, names) for k in node.keywords}
        if name == "timedelta":
            return timedelta(*args, **kwargs)
        if name == "datetime":
            return datetime(*args, **kwargs)
        return Call(name, args, kwargs)
    raise ValueError(f"not a literal: {ast.dump(node)}")


class DagFile:
    """The parsed DAG file: its imports, its DAG(...) call and its KubernetesPodOperator(...) calls."""

    def __init__(self, source):
        self.source = source
        self.tree = ast.parse(source)
        self.names = {}
        self.imports = set()
        for node in self.tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
                self.names[node.targets[0].id] = node.value
            if isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    self.imports.add(f"{node.module}.{alias.name}")
        self.calls = [n for n in ast.walk(self.tree) if isinstance(n, ast.Call)]

    def calls_named(self, name):
        return [evaluate(c, self.names) for c in self.calls
                if isinstance(c.func, (ast.Name, ast.Attribute)) and dotted_name(c.func).split(".")[-1] == name]

    def dag(self):
        found = self.calls_named("DAG")
        if len(found) != 1:
            raise AssertionError(f"expected one DAG(...) call, found {len(found)}")
        return found[0].kwargs

    def operator(self):
        found = self.calls_named("KubernetesPodOperator")
        if len(found) != 1:
            raise AssertionError(f"expected one KubernetesPodOperator(...) call, found {len(found)}")
        return found[0].kwargs

    def all_keywords(self):
        return {k.arg for c in self.calls for k in c.keywords}


def variable_default(template, variable):
    """The default of `{{ var.value.get('NAME', 'DEFAULT') }}` in a Jinja template, or None."""
    match = re.fullmatch(r"\{\{\s*var\.value\.get\(\s*'" + re.escape(variable) + r"'\s*,\s*'([^']*)'\s*\)\s*\}\}",
                         template or "")
    return match.group(1) if match else None


# Each check takes a DagFile and raises AssertionError with what is wrong.
def check_imports(f):
    assert f"{OPERATOR_MODULE}.KubernetesPodOperator" in f.imports, \
        f"KubernetesPodOperator must be imported from {OPERATOR_MODULE}"
    assert not any("kubernetes_pod" in i for i in f.imports), "operators.kubernetes_pod was removed in provider 10"
    assert "airflow.providers.cncf.kubernetes.secret.Secret" not in f.imports, \
        "no Kubernetes Secret: secrets come from Secrets Manager (CREDITBOT_SECRET_ID)"


def check_dag(f):
    dag = f.dag()
    assert dag.get("dag_id") == "credit_bot_automation", f"dag_id {dag.get('dag_id')!r}"
    assert dag.get("schedule") == "*/15 * * * *", f"schedule {dag.get('schedule')!r}"
    assert "schedule_interval" not in dag, "schedule_interval is gone in Airflow 3: use schedule"
    assert dag.get("catchup") is False, f"catchup {dag.get('catchup')!r}"
    assert dag.get("max_active_runs") == 1, f"max_active_runs {dag.get('max_active_runs')!r}"
    assert isinstance(dag.get("start_date"), datetime), "start_date must be a fixed datetime"


def check_default_args(f):
    args = f.dag().get("default_args") or {}
    assert args.get("retries") == 2, f"retries {args.get('retries')!r}"
    assert args.get("retry_delay") == timedelta(minutes=5), f"retry_delay {args.get('retry_delay')!r}"
    assert args.get("execution_timeout") == timedelta(minutes=10), \
        f"execution_timeout {args.get('execution_timeout')!r}"
    assert args["execution_timeout"] < timedelta(minutes=15), "execution_timeout must end before the next tick"
    budget = 3 * args["execution_timeout"] + 2 * args["retry_delay"]
    timeout = f.dag().get("dagrun_timeout")
    assert timeout is None or timeout >= budget, f"dagrun_timeout {timeout} cuts the retries short ({budget})"


def check_pod_lifecycle(f):
    op = f.operator()
    assert op.get("on_finish_action") == "delete_pod", f"on_finish_action {op.get('on_finish_action')!r}"
    assert "is_delete_operator_pod" not in f.all_keywords(), "is_delete_operator_pod was removed: on_finish_action"


def check_resources(f):
    op = f.operator()
    assert "resources" not in op, "the dict `resources` argument was removed: use container_resources"
    res = op.get("container_resources")
    assert isinstance(res, Call) and res.name.endswith("V1ResourceRequirements"), \
        f"container_resources must be k8s.V1ResourceRequirements, got {res!r}"
    # From measurement (the comment in the DAG): peak RSS of a pass 37 MB; see docs/RELIABILITY.md.
    assert res.kwargs.get("requests") == {"cpu": "100m", "memory": "64Mi"}, f"requests {res.kwargs.get('requests')}"
    assert res.kwargs.get("limits") == {"cpu": "1", "memory": "1Gi"}, f"limits {res.kwargs.get('limits')}"


def check_command(f):
    op = f.operator()
    assert op.get("cmds") == ["creditbot"], f"cmds {op.get('cmds')!r}"
    assert op.get("arguments") == ["run", "--once"], f"arguments {op.get('arguments')!r}"


def check_identity_and_secrets(f):
    op = f.operator()
    assert op.get("service_account_name"), "service_account_name must be set (IRSA)"
    # Secrets Manager alone. A Kubernetes Secret in the environment would (a) stop the pod with
    # CreateContainerConfigError when it is missing and (b) win over Secrets Manager when present (creditbot's
    # order: defaults, config file, Secrets Manager, .env, environment), hiding every rotation.
    assert not op.get("secrets"), "no secrets=[Secret(...)]: creditbot reads Secrets Manager itself"
    for source in op.get("env_from") or []:
        assert not (isinstance(source, Call) and "secret_ref" in source.kwargs), \
            "no env_from secret_ref: the environment would override Secrets Manager"
    assert "V1SecretKeySelector" not in f.source and "secret_key_ref" not in f.source, "no secretKeyRef env"
    env = op.get("env_vars") or {}
    assert isinstance(env, dict), "env_vars must be a dict literal"
    secret_id = variable_default(env.get("CREDITBOT_SECRET_ID"), "creditbot_secret_id")
    assert secret_id, "CREDITBOT_SECRET_ID (Secrets Manager) must come from the Variable creditbot_secret_id"
    for name, value in env.items():
        assert not re.search(r"(TOKEN|SECRET|PASSWORD)$", name) or name == "CREDITBOT_SECRET_ID", \
            f"{name} is a secret: inject it with Secret(...), not env_vars"


def check_variables(f):
    op = f.operator()
    image_default = variable_default(op.get("image"), "creditbot_image")
    assert image_default, f"image must be {{{{ var.value.get('creditbot_image', DEFAULT) }}}}, got {op.get('image')!r}"
    assert re.fullmatch(r"[\w.-]+(:\d+)?/[\w./-]+:[\w.-]+", image_default), f"default image {image_default!r}"
    dry_run = variable_default((op.get("env_vars") or {}).get("DRY_RUN"), "creditbot_dry_run")
    assert dry_run == "true", f"DRY_RUN must come from the Variable creditbot_dry_run, default 'true' ({dry_run!r})"


CHECKS = [check_imports, check_dag, check_default_args, check_pod_lifecycle, check_resources, check_command,
          check_identity_and_secrets, check_variables]

# One way to break the DAG per check: (check, text to replace, replacement).
MUTATIONS = [
    (check_imports, "operators.pod import", "operators.kubernetes_pod import"),
    (check_imports, "from kubernetes.client import models as k8s",
     "from airflow.providers.cncf.kubernetes.secret import Secret\nfrom kubernetes.client import models as k8s"),
    (check_dag, '"*/15 * * * *"', '"*/30 * * * *"'),
    (check_dag, "catchup=False", "catchup=True"),
    (check_dag, "max_active_runs=1", "max_active_runs=2"),
    (check_default_args, '"retries": 2', '"retries": 0'),
    (check_default_args, '"retry_delay": timedelta(minutes=5)', '"retry_delay": timedelta(minutes=1)'),
    (check_default_args, '"execution_timeout": timedelta(minutes=10)', '"execution_timeout": timedelta(minutes=20)'),
    (check_pod_lifecycle, 'on_finish_action="delete_pod"', 'on_finish_action="keep_pod"'),
    (check_pod_lifecycle, 'on_finish_action="delete_pod"', 'on_finish_action="delete_pod", is_delete_operator_pod=True'),
    (check_resources, '"memory": "1Gi"', '"memory": "4Gi"'),
    (check_resources, 'requests={"cpu": "100m"', 'requests={"cpu": "1"'),
    (check_command, 'arguments=["run", "--once"]', 'arguments=["serve"]'),
    (check_identity_and_secrets, 'service_account_name="creditbot",', ""),
    (check_identity_and_secrets, "        env_from=[",
     '        secrets=[Secret("env", "SLACK_BOT_TOKEN", "creditbot", "SLACK_BOT_TOKEN")],\n        env_from=['),
    (check_identity_and_secrets, "env_from=[",
     'env_from=[k8s.V1EnvFromSource(secret_ref=k8s.V1SecretEnvSource(name="creditbot", optional=True)), '),
    (check_identity_and_secrets, "'creditbot_secret_id', 'creditbot/production'", "'secret_id', 'creditbot/production'"),
    (check_variables, "'creditbot_dry_run', 'true'", "'creditbot_dry_run', 'false'"),
    (check_variables, "{{ var.value.get('creditbot_image', ", "{{ var.value.get('image', "),
]


def read_dag():
    with open(DAG_PATH, encoding="utf-8") as f:
        return f.read()


class CreditBotDagTest(unittest.TestCase):
    def test_compiles(self):
        with tempfile.TemporaryDirectory() as tmp:
            py_compile.compile(DAG_PATH, cfile=os.path.join(tmp, "dag.pyc"), doraise=True)

    def test_every_check_passes(self):
        dag_file = DagFile(read_dag())
        for check in CHECKS:
            with self.subTest(check=check.__name__):
                check(dag_file)

    def test_every_check_catches_its_breakage(self):
        source = read_dag()
        for check, old, new in MUTATIONS:
            with self.subTest(check=check.__name__, mutation=old):
                self.assertIn(old, source, "the mutation no longer applies: update MUTATIONS")
                with self.assertRaises(AssertionError):
                    check(DagFile(source.replace(old, new, 1)))

    def test_loads_in_airflow_where_installed(self):
        try:
            from airflow.models import DagBag  # noqa: F401  (only on hosts with Airflow, e.g. staging)
        except ImportError:
            self.skipTest("Airflow is not installed here")
        bag = DagBag(dag_folder=DAG_PATH, include_examples=False)
        self.assertEqual(bag.import_errors, {})
        dag = bag.get_dag("credit_bot_automation")
        self.assertIsNotNone(dag)
        self.assertEqual(len(dag.tasks), 1)


if __name__ == "__main__":
    unittest.main(verbosity=2)
