"""credit_bot_automation: one creditbot pass every 15 minutes, as a pod on EKS.

Each run starts one pod from the creditbot image that runs ``creditbot run --once``: read the new Slack
messages, compute the credits, reply in the threads (or, in dry run, only log and write the outbox), record
state and audit, exit. The pod is deleted when it finishes; its log (JSON lines) is streamed into the task log.

Operators set, in Airflow (Admin → Variables):
  creditbot_image    the image to run, pinned by its unique tag <version>-<sha> (deploy/build-and-push.sh).
                     Rolling back = setting it to the previous tag.
  creditbot_dry_run  "true" (default: nothing is posted to Slack) or "false" to post for real.
  creditbot_secret_id  the Secrets Manager secret (default creditbot/production) holding SLACK_BOT_TOKEN,
                     LOOKER_CLIENT_ID, LOOKER_CLIENT_SECRET, PRESTO_PASSWORD…
and, in Kubernetes (namespace creditbot, deploy/k8s/):
  ServiceAccount creditbot   annotated with the IAM role (IRSA) that reads the Secrets Manager secret and S3;
  ConfigMap creditbot-config the non-secret settings (channels, owner, Looker host, warehouse, S3 bucket,
                             CREDITBOT_PUSHGATEWAY_URL…).
Secrets come from Secrets Manager alone: creditbot reads the secret itself at the start of each pass, so a
rotation applies to the next pass. No Kubernetes Secret is mounted: none is needed (a missing one used to stop
the pod with CreateContainerConfigError), and environment variables win over Secrets Manager in creditbot's
order (defaults, config file, Secrets Manager, .env, environment), so a Secret's stale copy would hide every
rotation.
docs/RUNBOOK.md is the full procedure. Values are Jinja templates (rendered when the task runs), not
Variable.get() calls, so parsing this file never touches the metadata database; keep the arguments literal:
deploy/airflow/test_credit_bot_dag.py reads them with `ast` where Airflow is not installed.

Needs Airflow >= 2.4 (``schedule``) and apache-airflow-providers-cncf-kubernetes >= 7.2 (``on_finish_action``;
``is_delete_operator_pod`` was removed in 10.0).
"""

from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.cncf.kubernetes.operators.pod import KubernetesPodOperator
from kubernetes.client import models as k8s

DEFAULT_ARGS = {
    "owner": "account-security",
    "depends_on_past": False,
    # A failed pass is retried twice, 5 minutes apart. Retrying is safe: every request is claimed in the
    # state store and creditbot looks for its own earlier reply in the thread before posting.
    "retries": 2,
    "retry_delay": timedelta(minutes=5),
    # Below the 15-minute period, so a hung pod is killed (and deleted) before the next tick.
    "execution_timeout": timedelta(minutes=10),
}

with DAG(
    dag_id="credit_bot_automation",
    description="creditbot run --once: answer Slack credit requests for SMS pumping fraud on Verify",
    schedule="*/15 * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    # Covers the whole retry budget: 3 attempts x 10 minutes + 2 delays x 5 minutes.
    dagrun_timeout=timedelta(minutes=40),
    default_args=DEFAULT_ARGS,
    tags=["creditbot", "fraud", "slack"],
    doc_md=__doc__,
) as dag:
    run_once = KubernetesPodOperator(
        task_id="creditbot_run_once",
        name="creditbot-run-once",
        namespace="creditbot",
        service_account_name="creditbot",
        image="{{ var.value.get('creditbot_image', '123456789012.dkr.ecr.eu-west-1.amazonaws.com/creditbot:0.1.0') }}",
        image_pull_policy="IfNotPresent",
        cmds=["creditbot"],
        arguments=["run", "--once"],
        env_vars={
            "DRY_RUN": "{{ var.value.get('creditbot_dry_run', 'true') }}",
            # creditbot reads the Secrets Manager secret itself, with the pod's IRSA role.
            "CREDITBOT_SECRET_ID": "{{ var.value.get('creditbot_secret_id', 'creditbot/production') }}",
            "CREDITBOT_LOG_FORMAT": "json",
            "CREDITBOT_HOME": "/var/lib/creditbot",
        },
        env_from=[k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name="creditbot-config"))],
        # From measurement (docs/BENCHMARKS.md, docs/RELIABILITY.md): a pass peaks at 37 MB RSS (release
        # build, /usr/bin/time; the first pass of a new home, which also generates the synthetic warehouse;
        # 18 MB otherwise) and uses well under a second of CPU; Trino pages stream at a flat 12 MB. Request a
        # little above the peak. The limit is set by the largest report: about 4 KB per report row today
        # (issue 20: 851 MB at 200,000 rows), so 1 GiB holds ~200,000 rows; lower it with issue 20.
        container_resources=k8s.V1ResourceRequirements(
            requests={"cpu": "100m", "memory": "64Mi"},
            limits={"cpu": "1", "memory": "1Gi"},
        ),
        # The image's user; a read-only root file system with writable scratch and working folders.
        security_context={"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001, "fsGroup": 10001},
        container_security_context={
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"},
        },
        volumes=[
            k8s.V1Volume(name="work", empty_dir=k8s.V1EmptyDirVolumeSource(size_limit="1Gi")),
            # The S3 audit sink spools each result JSON in /tmp before its PUT (340 MB at 500,000 rows).
            k8s.V1Volume(name="tmp", empty_dir=k8s.V1EmptyDirVolumeSource(size_limit="512Mi")),
        ],
        volume_mounts=[
            k8s.V1VolumeMount(name="work", mount_path="/var/lib/creditbot"),
            k8s.V1VolumeMount(name="tmp", mount_path="/tmp"),
        ],
        labels={"app.kubernetes.io/name": "creditbot", "app.kubernetes.io/component": "run-once"},
        get_logs=True,
        on_finish_action="delete_pod",
        reattach_on_restart=True,
        startup_timeout_seconds=300,
    )
