#!/usr/bin/env bash
# Checks deploy/Dockerfile on a machine with no container engine (the development machines and CI):
#
#  1. structure: every stage FROM debian:12-slim; a build stage that configures the `release` preset with
#     tests off; a runtime stage with a numeric non-root USER, WORKDIR + VOLUME, EXPOSE 8080, a HEALTHCHECK
#     on /healthz, ENTRYPOINT ["creditbot"] and CMD ["run", "--once"]; no compiler, -dev package, curl or
#     wget in the runtime stage;
#  2. packages: every package the build stage leaves out is in scripts/packages.txt (so the filter is not
#     stale), and every runtime package is in scripts/packages.txt, a direct dependency of one, or
#     ca-certificates;
#  3. the HEALTHCHECK command itself, run with bash against a stub HTTP server on loopback: healthy on 200,
#     unhealthy on 503 and on a closed port;
#  4. with a release binary (--binary PATH, default build/release/creditbot when it exists, or one built by
#     --build DIR with the build stage's own commands): every shared library it needs (readelf NEEDED,
#     resolved with ldd, owned per dpkg -S) belongs to a package the runtime stage installs;
#  5. with --rootfs DIR (root only; DIR made once by `debootstrap --variant=minbase bookworm DIR`, the
#     same Debian 12 minimal base as debian:12-slim): the Dockerfile's stages replayed in copies of DIR, as
#     docker build would run them: ARG/ENV/WORKDIR, RUN under chroot, COPY from the build context (the
#     repository less .dockerignore) or from the build stage. The build stage is replayed too (apt-get of
#     its packages, then the release build at -j1: many minutes) unless --binary or --build gives the
#     binary. Then, with the runtime stage's ENV, WORKDIR and USER, `creditbot --version` and
#     `creditbot run --once` (the embedded default) run as `docker run IMAGE …` would; prints the size the
#     runtime stage adds.
#
# Usage: deploy/check-dockerfile.sh [--binary PATH | --build DIR] [--rootfs DIR [--context DIR]] [--no-healthcheck]
#   --context DIR   the build context for --rootfs (default: the repository's work tree; e.g. a clean
#                   `git archive HEAD` export plus its .dockerignore, to leave uncommitted work out)
# Exit 0 when every check passes; each failure is one "FAIL" line.
set -euo pipefail
invoked_from="$PWD"
cd "$(dirname "$0")/.."

dockerfile=deploy/Dockerfile
packages_file=scripts/packages.txt
binary=""
explicit_binary=0
context=""
build_dir=""
rootfs=""
run_healthcheck=1

usage() { sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'; }

while (($#)); do
  case "$1" in
    --binary) binary="${2:?--binary needs a path}"; explicit_binary=1; shift 2 ;;
    --build) build_dir="${2:?--build needs a directory}"; explicit_binary=1; shift 2 ;;
    --rootfs) rootfs="${2:?--rootfs needs a directory}"; shift 2 ;;
    --context) context="${2:?--context needs a directory}"; shift 2 ;;
    --no-healthcheck) run_healthcheck=0; shift ;;
    -h | --help) usage; exit 0 ;;
    *) echo "check-dockerfile: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done
# Paths given on the command line are relative to where the script was called from.
absolute() { if [[ -z "$1" || "$1" == /* ]]; then echo "$1"; else echo "$invoked_from/$1"; fi; }
binary="$(absolute "$binary")" build_dir="$(absolute "$build_dir")" rootfs="$(absolute "$rootfs")"
context="$(absolute "${context:-$PWD}")"

failures=0
pass() { printf 'ok    %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
quiet() { "$@" >/dev/null 2>&1; }
check() {  # check DESCRIPTION COMMAND...
  local description="$1"; shift
  if "$@"; then pass "$description"; else fail "$description"; fi
}

# The Dockerfile as logical instructions: comments dropped, continuation lines joined, one per line, each
# prefixed with its stage number (0 = before the first FROM).
instructions="$(awk '
  /^[[:space:]]*#/ && !cont { next }
  {
    line = $0
    if (line ~ /\\[[:space:]]*$/) { sub(/\\[[:space:]]*$/, "", line); buf = buf line " "; cont = 1; next }
    buf = buf line; cont = 0
    if (buf ~ /^[[:space:]]*$/) { buf = ""; next }
    sub(/^[[:space:]]+/, "", buf)
    if (toupper(buf) ~ /^FROM /) stage++
    print stage + 0 "\t" buf
    buf = ""
  }' "$dockerfile")"

stage_count="$(awk -F'\t' 'END { print $1 + 0 }' <<<"$instructions")"
in_stage() { awk -F'\t' -v s="$1" '$1 == s { print $2 }' <<<"$instructions"; }
build_stage="$(in_stage 1)"
runtime_stage="$(in_stage "$stage_count")"
preamble="$(in_stage 0)"

# ---- 1. structure ----------------------------------------------------------------------------------------
check "at least two stages (build, runtime)" test "$stage_count" -ge 2

base_default="$(sed -n 's/^ARG DEBIAN_IMAGE=\(.*\)$/\1/p' <<<"$preamble")"
from_ok=1
while IFS= read -r from; do
  image="$(awk '{ print $2 }' <<<"$from")"
  # shellcheck disable=SC2016  # the literal text of the FROM line
  if [[ "$image" == '${DEBIAN_IMAGE}' ]]; then image="$base_default"; fi
  [[ "$image" == debian:12-slim ]] || from_ok=0
done < <(awk -F'\t' 'toupper($2) ~ /^FROM / { print $2 }' <<<"$instructions")
check "every stage is FROM debian:12-slim" test "$from_ok" = 1

check "build stage configures the release preset with tests off" \
  grep -qE 'cmake --preset release .*-DCREDITBOT_TESTS=OFF' <<<"$build_stage"
check "build stage builds the creditbot target" grep -qE 'cmake --build build/release --target creditbot' <<<"$build_stage"
check "build stage installs from scripts/packages.txt" grep -q 'scripts/packages.txt' <<<"$build_stage"

runtime_user="$(awk 'toupper($1) == "USER" { u = $2 } END { print u }' <<<"$runtime_stage")"
numeric_non_root() { [[ "$1" =~ ^([0-9]+)(:[0-9]+)?$ ]] && ((BASH_REMATCH[1] != 0)); }
check "runtime USER is numeric and not root (USER $runtime_user)" numeric_non_root "$runtime_user"
check "runtime USER is uid 10001" test "${runtime_user%%:*}" = 10001
check "runtime has a WORKDIR" grep -q '^WORKDIR /' <<<"$runtime_stage"
workdir="$(awk '$1 == "WORKDIR" { w = $2 } END { print w }' <<<"$runtime_stage")"
check "runtime declares the WORKDIR ($workdir) a VOLUME" grep -qF "VOLUME [\"$workdir\"]" <<<"$runtime_stage"
check "runtime EXPOSEs 8080" grep -qx 'EXPOSE 8080' <<<"$runtime_stage"
check "runtime binds serve to 0.0.0.0:8080" grep -q 'CREDITBOT_HTTP_ADDR=0.0.0.0:8080' <<<"$runtime_stage"
# Issue 15: no silent stand-ins. The image's ENV must not point creditbot at the sample inbox or looks, or a
# deployment that forgets CREDITBOT_LOOK_CATALOG would answer real requests from the sample.
sample_env="$(grep -E '^ENV ' <<<"$runtime_stage" | grep -oE '[A-Z_]+=[^ ]*sample[^ ]*' || true)"
check "runtime ENV sets no sample path${sample_env:+ (found: ${sample_env//$'\n'/ })}" test -z "$sample_env"
check "runtime has a HEALTHCHECK on /healthz" grep -qE '^HEALTHCHECK .*CMD .*/healthz' <<<"$runtime_stage"
check 'ENTRYPOINT ["creditbot"]' grep -qx 'ENTRYPOINT \["creditbot"\]' <<<"$runtime_stage"
check 'CMD ["run", "--once"]' grep -qx 'CMD \["run", "--once"\]' <<<"$runtime_stage"
other_copies="$(grep -E '^COPY ' <<<"$runtime_stage" |
  grep -vE '^COPY --from=build (/tmp/creditbot|/src/data/sample/[^ ]+) ' || true)"
check "runtime copies only the binary and the sample from the build stage${other_copies:+ (also: $other_copies)}" \
  test -z "$other_copies"

# Package names an `apt-get install` in a stage names (words after `install`, up to the next `;`/`&&`).
installed_in() {
  grep -oE 'apt-get install [^;&]*' <<<"$1" | sed 's/apt-get install//' | tr ' ' '\n' |
    grep -E '^[a-z0-9][a-z0-9.+-]+$' | sort -u || true
}
runtime_packages="$(installed_in "$runtime_stage")"
check "runtime installs packages" test -n "$runtime_packages"
forbidden="$(grep -E -- '-dev$|^(g\+\+|gcc|clang|cmake|ninja-build|curl|wget|build-essential|make)$' <<<"$runtime_packages" || true)"
check "runtime installs no compiler, -dev package, curl or wget${forbidden:+ (found: ${forbidden//$'\n'/ })}" \
  test -z "$forbidden"

# ---- 2. packages -----------------------------------------------------------------------------------------
mapfile -t listed < <(grep -vE '^[[:space:]]*(#|$)' "$packages_file")
is_listed() { local p; for p in "${listed[@]}"; do [[ "$p" == "$1" ]] && return 0; done; return 1; }

excluded_pattern="$(grep -oE "grep -vxE '[^']+'" <<<"$build_stage" | sed -E "s/grep -vxE '([^']+)'/\1/")"
check "build stage names the packages it leaves out" test -n "$excluded_pattern"
IFS='|' read -r -a excluded <<<"$excluded_pattern"
for package in "${excluded[@]}"; do
  check "left out of the build stage, and in $packages_file: $package" is_listed "$package"
done
build_packages="$(printf '%s\n' "${listed[@]}" | grep -vxE "$excluded_pattern" || true)"
for package in cmake ninja-build g++ pkg-config; do
  check "build stage installs $package" grep -qx "$package" <<<"$build_packages"
done

# Direct dependencies of the packages in packages.txt (dpkg's own records; they need not be installed).
dependencies_of_listed() {
  local p
  for p in "${listed[@]}"; do
    apt-cache depends --no-recommends --no-suggests "$p" 2>/dev/null |
      sed -nE 's/^ *\|?(Pre)?Depends: <?([^ >]+)>?.*/\2/p'
  done | sort -u
}
listed_dependencies="$(dependencies_of_listed)"
while IFS= read -r package; do
  [[ -n "$package" ]] || continue
  if is_listed "$package"; then
    pass "runtime package $package is in $packages_file"
  elif grep -qx "$package" <<<"$listed_dependencies"; then
    pass "runtime package $package is a runtime dependency of a package in $packages_file"
  elif [[ "$package" == ca-certificates ]]; then
    pass "runtime package ca-certificates (CA bundle for libcurl's TLS)"
  else
    fail "runtime package $package is neither in $packages_file nor a dependency of one"
  fi
done <<<"$runtime_packages"

# ---- 3. the HEALTHCHECK command ------------------------------------------------------------------------
healthcheck_json="$(sed -nE 's/^HEALTHCHECK .*CMD (\[.*\])$/\1/p' <<<"$runtime_stage")"
if ((run_healthcheck)) && [[ -n "$healthcheck_json" ]]; then
  stub_dir="$(mktemp -d)"
  stub_pid=""
  cleanup() { if [[ -n "$stub_pid" ]]; then kill "$stub_pid" 2>/dev/null || true; fi; rm -rf "$stub_dir"; }
  trap cleanup EXIT
  # The stub is started with a final argument "serve", as `creditbot serve` is, so the command's
  # "is serve running?" test holds; it answers /healthz with the status in its first argument.
  cat >"$stub_dir/stub.py" <<'PY'
import http.server, sys
status = int(sys.argv[1])
class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        code = status if self.path == "/healthz" else 404
        self.send_response(code); self.send_header("Content-Length", "3"); self.end_headers()
        self.wfile.write(b"ok\n")
    def log_message(self, *args): pass
server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
with open(sys.argv[2], "w") as f: f.write(str(server.server_address[1]))
server.serve_forever()
PY
  mapfile -t healthcheck_argv < <(python3 -c 'import json, sys; print("\n".join(json.loads(sys.argv[1])))' "$healthcheck_json" |
    awk 'NR <= 2')
  healthcheck_script="$(python3 -c 'import json, sys; print(json.loads(sys.argv[1])[2])' "$healthcheck_json")"
  run_probe() {  # run_probe PORT → the HEALTHCHECK's exit code
    local rc=0
    CREDITBOT_HTTP_ADDR="0.0.0.0:$1" timeout 10 "${healthcheck_argv[@]}" "$healthcheck_script" 2>/dev/null || rc=$?
    echo "$rc"
  }
  start_stub() {  # start_stub STATUS → sets stub_pid and port
    rm -f "$stub_dir/port"
    python3 "$stub_dir/stub.py" "$1" "$stub_dir/port" serve >/dev/null 2>&1 &
    stub_pid=$!
    for _ in $(seq 50); do [[ -s "$stub_dir/port" ]] && break; sleep 0.1; done
    port="$(cat "$stub_dir/port")"
  }
  stop_stub() { kill "$stub_pid" 2>/dev/null || true; wait "$stub_pid" 2>/dev/null || true; stub_pid=""; }

  start_stub 200
  check "HEALTHCHECK: healthy when /healthz answers 200" test "$(run_probe "$port")" = 0
  stop_stub
  start_stub 503
  check "HEALTHCHECK: unhealthy when /healthz answers 503" test "$(run_probe "$port")" != 0
  # The same stub (a "serve" process) stays up; nothing listens on the port it just gave up, so connect fails.
  closed_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  check "HEALTHCHECK: unhealthy when nothing listens" test "$(run_probe "$closed_port")" != 0
  stop_stub
  # Without a serve process (as in `run --once`): healthy. Needs a private PID namespace, since another
  # process on this machine may well be a `serve`.
  if unshare --pid --fork --mount-proc true 2>/dev/null; then
    rc=0
    CREDITBOT_HTTP_ADDR="0.0.0.0:$closed_port" unshare --pid --fork --mount-proc \
      "${healthcheck_argv[@]}" "$healthcheck_script" || rc=$?
    check "HEALTHCHECK: healthy (nothing to probe) when serve is not running" test "$rc" = 0
  else
    pass "HEALTHCHECK: no-serve case skipped (unshare --pid not permitted here)"
  fi
fi

# ---- 4. runtime libraries of a release binary ------------------------------------------------------------
if [[ -n "$build_dir" ]]; then
  # The build stage's commands, outside the container: its packages must be installed here.
  missing=()
  while IFS= read -r package; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
  done <<<"$build_packages"
  check "build-stage packages installed here${missing[*]:+ (missing: ${missing[*]})}" test "${#missing[@]}" = 0
  cmake --preset release -B "$build_dir" -DCREDITBOT_TESTS=OFF >/dev/null
  nice cmake --build "$build_dir" --target creditbot -j 1
  binary="$build_dir/creditbot"
elif [[ -z "$binary" && -x build/release/creditbot ]]; then
  binary=build/release/creditbot
fi

if [[ -n "$binary" ]]; then
  check "$binary --version" quiet "$binary" --version
  mapfile -t needed < <(readelf -d "$binary" | sed -nE 's/.*\(NEEDED\).*\[(.*)\]/\1/p')
  check "$binary needs shared libraries (readelf)" test "${#needed[@]}" -gt 0
  # check_owner SONAME PATH: the Debian package owning PATH is one the runtime stage installs.
  check_owner() {
    local soname="$1" path="$2" owner="" candidate
    for candidate in "$path" "$(realpath "$path")" "/usr${path}" "${path#/usr}"; do
      owner="$(dpkg -S "$candidate" 2>/dev/null | head -n1 | cut -d: -f1)" && [[ -n "$owner" ]] && break
    done
    if [[ -z "$owner" ]]; then
      fail "$soname ($path): no Debian package owns it"
    elif grep -qx "$owner" <<<"$runtime_packages"; then
      pass "$soname → $owner, installed by the runtime stage"
    else
      fail "$soname → $owner, NOT installed by the runtime stage"
    fi
  }
  ldd_output="$(ldd "$binary")"
  for soname in "${needed[@]}"; do
    path="$(awk -v s="$soname" '$1 == s && $2 == "=>" { print $3 }' <<<"$ldd_output")"
    if [[ -z "$path" ]]; then fail "$soname: not found by ldd"; continue; fi
    check_owner "$soname" "$path"
  done
  # Libraries the binary opens itself on first use (dlopen), so readelf does not list them:
  # src/common/lazy_libcurl.cc's libcurl.so.4 and src/common/lazy_openssl.cc's libssl.so.3 (with its
  # libcrypto.so.3).
  opened_on_first_use=(libcurl.so.4 libssl.so.3 libcrypto.so.3)
  for soname in "${opened_on_first_use[@]}"; do
    path="$(ldconfig -p | awk -v s="$soname" '$1 == s { print $NF; exit }')"
    if [[ -z "$path" ]]; then fail "$soname (opened on first use): not found by ldconfig"; continue; fi
    check_owner "$soname" "$path"
  done
else
  echo "note  no release binary: the ELF-dependency check was skipped (give --binary PATH or --build DIR)"
fi

# ---- 5. the stages replayed in Debian 12 minbase roots ----------------------------------------------------
# replay_stage ROOT BUILD_ROOT: runs the instructions of $stage_text in the root file system ROOT as Docker
# would: ARG defaults and ENV as the environment of RUN, RUN under chroot (/bin/sh -c, in the WORKDIR),
# COPY from the build context (the repository less .dockerignore) or --from=build (BUILD_ROOT).
# Leaves image_env, workdir and user set for the final `docker run`.
replay_stage() {
  local root="$1" build_root="$2" instruction keyword rest pair source target
  declare -gA image_env=()
  declare -A arg_env=()
  workdir="/" user="0:0"
  while IFS= read -r instruction; do
    keyword="${instruction%% *}" rest="${instruction#* }"
    case "$keyword" in
      ARG)
        [[ "$rest" == *=* ]] && arg_env["${rest%%=*}"]="${rest#*=}" ;;
      ENV)
        for pair in $rest; do image_env["${pair%%=*}"]="${pair#*=}"; done ;;
      WORKDIR)
        workdir="$rest"; mkdir -p "$root$workdir" ;;
      USER) user="$rest" ;;
      RUN)
        local env_args=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root) name
        for name in "${!arg_env[@]}"; do env_args+=("$name=${arg_env[$name]}"); done
        for name in "${!image_env[@]}"; do env_args+=("$name=${image_env[$name]}"); done
        echo "replay RUN ${rest:0:100}…"
        # shellcheck disable=SC2016  # expanded by the shell inside the root
        if ! nice chroot "$root" /usr/bin/env -i "${env_args[@]}" /bin/sh -c 'cd "$0" && eval "$1"' "$workdir" "$rest" \
          >"$root.log" 2>&1; then
          tail -n 30 "$root.log"; fail "RUN failed: ${rest:0:80}"; return 1
        fi ;;
      COPY)
        if [[ "$rest" == --from=build\ * ]]; then
          read -r _ source target <<<"$rest"; source="$build_root$source"
        else
          read -r source target <<<"$rest"
          source="$context/$source"
          if [[ "$source" == "$context/." ]]; then
            local excludes=() pattern
            while IFS= read -r pattern; do
              [[ "$pattern" =~ ^[[:space:]]*(#|$) ]] && continue
              pattern="${pattern%/}"; excludes+=("--exclude=./${pattern#\*\*/}")
            done <"$context/.dockerignore"
            [[ "$target" == /* ]] || target="$workdir/$target"
            mkdir -p "$root$target"
            tar -C "$context" "${excludes[@]}" -cf - . | tar -C "$root$target" -xf -
            continue
          fi
        fi
        [[ "$target" == /* ]] || target="$workdir/$target"
        if [[ "$target" == */ ]]; then
          mkdir -p "$root$target"; cp -a "${source%/}/." "$root$target"
        else
          mkdir -p "$root$(dirname "$target")"; cp -a "$source" "$root$target"
        fi ;;
    esac
  done < <(grep -E '^(ARG|ENV|WORKDIR|USER|RUN|COPY) ' <<<"$stage_text")
}

fresh_root() {  # fresh_root DIR: a copy of the --rootfs base, ready for apt-get
  cp -a "$rootfs" "$1"
  cp /etc/resolv.conf "$1/etc/resolv.conf"
  rm -rf "$1/var/cache/apt/archives/"*.deb
}

if [[ -n "$rootfs" ]]; then
  if [[ "$(id -u)" != 0 || ! -x "$rootfs/bin/sh" ]] || ! grep -q '^12' "$rootfs/etc/debian_version" 2>/dev/null; then
    fail "--rootfs $rootfs: needs root and a Debian 12 root (debootstrap --variant=minbase bookworm $rootfs)"
  else
    scratch="$(mktemp -d)"
    build_root="$scratch/build"
    if ((explicit_binary)); then
      # The build stage's two products, from the given binary and the repository.
      mkdir -p "$build_root/tmp" "$build_root/src/data"
      strip --strip-unneeded -o "$build_root/tmp/creditbot" "$binary"
      cp -a data/sample "$build_root/src/data/sample"
      replay_build_ok=1
    else
      echo "replaying the build stage in $build_root (apt-get, then a -j1 release build: many minutes)"
      fresh_root "$build_root"
      stage_text="$build_stage"
      if replay_stage "$build_root" ""; then
        replay_build_ok=1
        pass "replayed build stage: packages installed, release preset built, $(chroot "$build_root" /src/build/release/creditbot --version)"
      else
        replay_build_ok=0
      fi
    fi
    if ((replay_build_ok)); then
      runtime_root="$scratch/runtime"
      fresh_root "$runtime_root"
      size_before="$(du -sk --exclude=./proc --exclude=./sys "$runtime_root" | cut -f1)"
      stage_text="$runtime_stage"
      if replay_stage "$runtime_root" "$build_root"; then
        size_after="$(du -sk --exclude=./proc --exclude=./sys "$runtime_root" | cut -f1)"
        run_env=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME="$workdir")
        for name in "${!image_env[@]}"; do run_env+=("$name=${image_env[$name]}"); done
        in_image() {  # in_image ARGS...: `docker run IMAGE ARGS...`, as closely as a chroot allows
          # shellcheck disable=SC2016  # expanded by the shell inside the root
          chroot --userspec="$user" "$runtime_root" /usr/bin/env -i "${run_env[@]}" \
            /bin/sh -c 'cd "$0" && exec creditbot "$@"' "$workdir" "$@"
        }
        check "replayed runtime stage: creditbot --version → $(in_image --version 2>&1)" quiet in_image --version
        run_log="$(mktemp)"
        # The self-test of deploy/Dockerfile's header: the sample, named explicitly.
        if in_image run --once --set CREDITBOT_INBOX=/usr/share/creditbot/sample/inbox.jsonl \
          --set CREDITBOT_LOOK_CATALOG=/usr/share/creditbot/sample/looks >"$run_log" 2>&1; then
          pass "replayed runtime stage: creditbot run --once (embedded default) as uid ${user%%:*}"
        else
          fail "replayed runtime stage: creditbot run --once failed"
        fi
        sed 's/^/      | /' "$run_log" | head -n 40
        echo "      | ($(wc -l <"$run_log") lines; files written: $(cd "$runtime_root$workdir" && find . -type f | sort | tr '\n' ' '))"
        rm -f "$run_log"
        check "run --once wrote its state, outbox and audit records into the WORKDIR volume" \
          test -s "$runtime_root$workdir/state.db" -a -s "$runtime_root$workdir/outbox.jsonl" -a -d "$runtime_root$workdir/audit"
        echo "note  the runtime stage adds $(((size_after - size_before) / 1024)) MiB to Debian 12 minbase" \
          "($((size_before / 1024)) MiB here without the .deb cache; debian:12-slim is ~75 MiB)"
      fi
    fi
    rm -rf "$scratch"
  fi
fi

if ((failures)); then
  echo "check-dockerfile: $failures check(s) failed"
  exit 1
fi
echo "check-dockerfile: all checks passed"
