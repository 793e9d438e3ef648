#!/usr/bin/env bash
# Builds the creditbot image (deploy/Dockerfile), tags it with the version and the git commit, and pushes it
# to Amazon ECR. Run from anywhere inside the repository.
#
# Usage: deploy/build-and-push.sh [options]
#   --region REGION        AWS region of the registry (default: $AWS_REGION, then $AWS_DEFAULT_REGION)
#   --account ID           AWS account id of the registry (default: $AWS_ACCOUNT_ID, else asked of STS)
#   --repository NAME      ECR repository (default: $ECR_REPOSITORY, else creditbot)
#   --platform PLATFORM    image platform (default: linux/amd64, the EKS nodes')
#   --jobs N               parallel compile jobs in the build stage (default: the number of cores)
#   --allow-dirty          build even when the work tree has uncommitted changes (the sha tag then lies)
#   --no-push              build and tag only
#   --dry-run              print every command instead of running it; checks still run
#   -h, --help             this text
#
# Tags pushed: <version>-<short sha> (unique: what the DAG and the manifests pin, and what a roll back names)
# and <version> (moves with every build of that version). The version is CMakeLists.txt's project VERSION.
# Needs: git, docker (with a running engine), aws (CLI v2) with credentials allowed ecr:GetAuthorizationToken
# and the ecr:*Layer*/PutImage actions on the repository.
set -euo pipefail

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -E -e 's/^# ?//'; }
die() { echo "build-and-push: $*" >&2; exit 1; }

region="${AWS_REGION:-${AWS_DEFAULT_REGION:-}}"
account="${AWS_ACCOUNT_ID:-}"
repository="${ECR_REPOSITORY:-creditbot}"
platform="linux/amd64"
jobs="$(nproc 2>/dev/null || echo 2)"
allow_dirty=0
push=1
dry_run=0

while (($#)); do
  case "$1" in
    --region) region="${2:?--region needs a value}"; shift 2 ;;
    --account) account="${2:?--account needs a value}"; shift 2 ;;
    --repository) repository="${2:?--repository needs a value}"; shift 2 ;;
    --platform) platform="${2:?--platform needs a value}"; shift 2 ;;
    --jobs) jobs="${2:?--jobs needs a value}"; shift 2 ;;
    --allow-dirty) allow_dirty=1; shift ;;
    --no-push) push=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h | --help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

# run COMMAND...: runs it, or under --dry-run prints it, shell-quoted, on stdout.
run() {
  if ((dry_run)); then
    printf '+'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

# ---- prerequisites ---------------------------------------------------------------------------------------
missing=()
for tool in git docker aws; do command -v "$tool" >/dev/null 2>&1 || missing+=("$tool"); done
if ((${#missing[@]})); then
  if ((dry_run)); then
    echo "build-and-push: note: not installed here: ${missing[*]} (a real run stops)" >&2
  else
    die "missing prerequisites: ${missing[*]} (install git, docker and the AWS CLI v2)"
  fi
fi
[[ "$jobs" =~ ^[1-9][0-9]*$ ]] || die "--jobs: expected a positive number, got '$jobs'"
[[ -n "$region" ]] || die "no region: pass --region or set AWS_REGION"
[[ "$region" =~ ^[a-z]{2}(-[a-z]+)+-[0-9]+$ ]] || die "--region: '$region' does not look like an AWS region"
[[ "$repository" =~ ^[a-z0-9]+([._/-][a-z0-9]+)*$ ]] || die "--repository: '$repository' is not a valid ECR name"

repo_root="$(git rev-parse --show-toplevel 2>/dev/null)" || die "not inside the creditbot git repository"
cd "$repo_root"
[[ -f deploy/Dockerfile && -f CMakeLists.txt ]] || die "$repo_root has no deploy/Dockerfile"

version="$(sed -nE 's/^project\(creditbot VERSION ([0-9]+\.[0-9]+\.[0-9]+).*/\1/p' CMakeLists.txt)"
[[ -n "$version" ]] || die "cannot read the project VERSION from CMakeLists.txt"
sha="$(git rev-parse --short=12 HEAD)"
full_sha="$(git rev-parse HEAD)"
if [[ -n "$(git status --porcelain --untracked-files=no)" ]]; then
  if ((allow_dirty)); then
    echo "build-and-push: warning: uncommitted changes; the image is NOT exactly $sha" >&2
    sha="${sha}-dirty"
  else
    die "uncommitted changes: commit them, or pass --allow-dirty (the tag would not describe the image)"
  fi
fi

if [[ -z "$account" ]]; then
  if ((dry_run)); then
    account="ACCOUNT_ID"  # a dry run calls no AWS API; pass --account to see the real registry
  else
    account="$(aws sts get-caller-identity --query Account --output text)" ||
      die "cannot find the AWS account id (aws sts get-caller-identity failed): pass --account"
  fi
fi
[[ "$account" =~ ^[0-9]{12}$ || ("$dry_run" == 1 && "$account" == ACCOUNT_ID) ]] ||
  die "--account: expected a 12-digit AWS account id, got '$account'"

registry="${account}.dkr.ecr.${region}.amazonaws.com"
image="${registry}/${repository}"
unique_tag="${version}-${sha}"

echo "build-and-push: ${image}:${unique_tag} (and :${version}) from $(git rev-parse --abbrev-ref HEAD)@${sha}" >&2

# ---- log in, build, push ---------------------------------------------------------------------------------
if ((push)); then
  if ((dry_run)); then
    printf '+ aws ecr get-login-password --region %q | docker login --username AWS --password-stdin %q\n' \
      "$region" "$registry"
  else
    aws ecr get-login-password --region "$region" | docker login --username AWS --password-stdin "$registry"
  fi
fi

run docker build \
  --file deploy/Dockerfile \
  --platform "$platform" \
  --build-arg "GIT_SHA=${full_sha}" \
  --build-arg "BUILD_JOBS=${jobs}" \
  --label "org.opencontainers.image.version=${version}" \
  --label "org.opencontainers.image.revision=${full_sha}" \
  --tag "${image}:${unique_tag}" \
  --tag "${image}:${version}" \
  .

if ((push)); then
  run docker push "${image}:${unique_tag}"
  run docker push "${image}:${version}"
  if ((dry_run)); then
    echo "build-and-push: dry run: nothing was built or pushed" >&2
  else
    echo "build-and-push: pushed ${image}:${unique_tag}; deploy it by that tag (docs/RUNBOOK.md, Deploy)" >&2
  fi
fi
