#!/usr/bin/python3
"""deploy/k8s against the real binaries (a ctest test).

Renders every overlay of deploy/k8s with `kubectl kustomize` and checks, for
each container of membershipd, quotad, notifyd and the gateway:
  - every PARTYDEV_* variable (env, and envFrom/configMapKeyRef resolved in
    the rendered ConfigMaps) and every --flag in args is one the binary
    accepts: its `--help` lists them (the gateway's from its binary when
    built, else from deploy/gateway/config.go's options table);
  - the container ports, the gRPC probes and the Prometheus annotation use
    the ports of the --listen / --metrics_listen the container ends up with
    (defaults from --help, overridden by env, then args);
  - readiness and liveness are native gRPC probes (grpc.health.v1) on the
    gRPC port; the grace period outlasts the drain (--drain_seconds);
  - the addresses the gateway and the services dial (PARTYDEV_*_ADDR,
    PARTYDEV_REDIS) name a Service of the overlay whose port leads to the
    right container port;
  - the rule-set ConfigMaps mounted at <config_dir>/rule_sets hold exactly
    services/<service>/rules/rule_sets/*.json.

usage: manifests_test.py BIN_DIR SOURCE_DIR [MANIFEST.yaml ...]
With manifests named, checks those instead of rendering the overlays.
"""

import os
import re
from pathlib import Path
import shutil
import subprocess
import sys

import yaml

SERVICES = {"membershipd": "membership", "quotad": "quota", "notifyd": "notification"}
HELP_LINE = re.compile(r"^\s+--(\w+)\s+(PARTYDEV_\w+)\s")
DEFAULT_LINE = re.compile(r"^\s+default: (.*)$")
VAR_REF = re.compile(r"\$\((\w+)\)")


class Options:
    """A binary's flags, their variables and defaults."""

    def __init__(self, source, pairs, defaults):
        self.source = source
        self.env_of = dict(pairs)  # flag -> env
        self.flag_of = {e: f for f, e in pairs}
        self.defaults = defaults  # flag -> default


def parse_help(text, source):
    pairs, defaults, last = [], {}, None
    for line in text.splitlines():
        m = HELP_LINE.match(line)
        if m:
            pairs.append((m.group(1), m.group(2)))
            last = m.group(1)
            continue
        m = DEFAULT_LINE.match(line)
        if m and last:
            defaults[last] = m.group(1).strip()
    if not pairs:
        raise SystemExit(f"FAIL: no option found in the help of {source}")
    return Options(source, pairs, defaults)


def binary_options(path):
    out = subprocess.run([path, "--help"], capture_output=True, text=True, timeout=30)
    return parse_help(out.stdout + out.stderr, path)


def gateway_options(bin_dir, src):
    for path in (
        os.environ.get("PARTYDEV_GATEWAY_BINARY", ""),
        os.path.join(bin_dir, "partydev-gateway"),
        os.path.join(src, "deploy/gateway/build/partydev-gateway"),
    ):
        if path and os.access(path, os.X_OK):
            return binary_options(path)
    config = os.path.join(src, "deploy/gateway/config.go")
    if not os.path.exists(config):
        return None
    pairs, defaults = [], {}
    for m in re.finditer(r'\{"(\w+)", "(PARTYDEV_\w+)", "([^"]*)"', open(config).read()):
        pairs.append((m.group(1), m.group(2)))
        defaults[m.group(1)] = m.group(3)
    return Options(config + " (no gateway binary built)", pairs, defaults)


def port_of(address):
    return int(address.rsplit(":", 1)[1])


class Checker:
    def __init__(self, name, objects, src):
        self.name = name
        self.objects = objects
        self.src = src
        self.failures = []
        self.checks = 0
        # The liveness-only health name the binaries serve.
        header = (Path(src) / "common" / "server.h").read_text()
        found = re.search(r'kLivenessHealthService\[\] = "([^"]+)"', header)
        self.liveness_service = found.group(1) if found else None

    def expect(self, ok, message):
        self.checks += 1
        if not ok:
            self.failures.append(f"{self.name}: {message}")

    def find(self, kind, name):
        for o in self.objects:
            if o.get("kind") == kind and o["metadata"]["name"] == name:
                return o
        return None

    def env_of(self, container, where):
        """The container's variables: envFrom first, env over it."""
        env = {}
        for source in container.get("envFrom") or []:
            ref = source.get("configMapRef")
            self.expect(ref is not None, f"{where}: envFrom other than configMapRef")
            if ref:
                cm = self.find("ConfigMap", ref["name"])
                self.expect(cm is not None, f"{where}: envFrom names no ConfigMap {ref['name']}")
                env.update((cm or {}).get("data") or {})
        for var in container.get("env") or []:
            if "value" in var:
                env[var["name"]] = str(var["value"])
            elif "configMapKeyRef" in (var.get("valueFrom") or {}):
                ref = var["valueFrom"]["configMapKeyRef"]
                cm = self.find("ConfigMap", ref["name"]) or {}
                value = (cm.get("data") or {}).get(ref["key"])
                self.expect(value is not None, f"{where}: {var['name']} names no ConfigMap key {ref}")
                env[var["name"]] = value or ""
            else:
                env[var["name"]] = "SECRET"
        # $(VAR) expansion, as the kubelet does.
        return {k: VAR_REF.sub(lambda m: env.get(m.group(1), m.group(0)), v) for k, v in env.items()}

    def check_options(self, container, options, where):
        """Every PARTYDEV_* variable and --flag is known; the effective values."""
        env = self.env_of(container, where)
        referenced = set()
        for var in container.get("env") or []:
            referenced.update(VAR_REF.findall(str(var.get("value", ""))))
        values = dict(options.defaults)
        for key, value in env.items():
            if key.startswith("PARTYDEV_"):
                self.expect(key in options.flag_of,
                            f"{where}: {key} is not a variable of {options.source}")
                if key in options.flag_of:
                    values[options.flag_of[key]] = value
            else:
                # A helper variable is fine only as part of a PARTYDEV_ one.
                self.expect(key in referenced or key.startswith("REDISCLI"),
                            f"{where}: {key} is neither a PARTYDEV_ variable nor used by one")
        self.expect(not container.get("command"), f"{where}: command overrides the image's binary")
        for arg in container.get("args") or []:
            m = re.fullmatch(r"--(\w+)=(.*)", arg)
            self.expect(m is not None, f"{where}: argument {arg!r} is not --flag=value")
            if m:
                self.expect(m.group(1) in options.env_of,
                            f"{where}: --{m.group(1)} is not a flag of {options.source}")
                values[m.group(1)] = m.group(2)
        return values

    def ports(self, container):
        return {p.get("name"): p["containerPort"] for p in container.get("ports") or []}

    def check_dial(self, address, target_container, target_port_name, where):
        """host:port names a Service here whose port reaches that container port."""
        m = re.fullmatch(r"(?:redis://(?::[^@]*@)?)?([\w.-]+):(\d+)(?:/\d+)?", address)
        self.expect(m is not None, f"{where}: cannot read address {address!r}")
        if not m:
            return
        host, port = m.group(1).split(".")[0], int(m.group(2))
        service = self.find("Service", host)
        self.expect(service is not None, f"{where}: {address} names no Service of the overlay")
        if service is None:
            return
        entry = [p for p in service["spec"]["ports"] if p["port"] == port]
        self.expect(len(entry) == 1, f"{where}: Service {host} has no port {port}")
        if entry:
            target = entry[0].get("targetPort", port)
            cports = self.ports(target_container)
            number = cports.get(target) if isinstance(target, str) else target
            self.expect(number == cports.get(target_port_name),
                        f"{where}: Service {host}:{port} leads to {target}, not the "
                        f"{target_port_name} port {cports.get(target_port_name)}")

    def check_rule_sets(self, spec, container, config_dir, service, where):
        mounts = {m["mountPath"]: m["name"] for m in container.get("volumeMounts") or []}
        volume_name = mounts.get(config_dir.rstrip("/") + "/rule_sets")
        self.expect(volume_name is not None, f"{where}: nothing mounted at {config_dir}/rule_sets")
        volume = [v for v in spec.get("volumes") or [] if v["name"] == volume_name]
        if not volume_name or not volume:
            return
        cm = self.find("ConfigMap", volume[0]["configMap"]["name"]) or {}
        data = cm.get("data") or {}
        directory = os.path.join(self.src, "services", service, "rules", "rule_sets")
        files = {f: open(os.path.join(directory, f), encoding="utf-8").read()
                 for f in os.listdir(directory) if f.endswith(".json")}
        self.expect(set(data) == set(files),
                    f"{where}: rule-set ConfigMap holds {sorted(data)}, {directory} {sorted(files)}")
        for f in set(data) & set(files):
            self.expect(data[f] == files[f], f"{where}: rule set {f} differs from {directory}/{f}")

    def check_service(self, workload, container, options, service):
        where = f"{workload['metadata']['name']}/{container['name']}"
        spec = workload["spec"]["template"]["spec"]
        values = self.check_options(container, options, where)
        grpc_port, metrics_port = port_of(values["listen"]), port_of(values["metrics_listen"])
        ports = self.ports(container)
        self.expect(ports == {"grpc": grpc_port, "metrics": metrics_port},
                    f"{where}: container ports {ports}, the binary listens on gRPC "
                    f"{grpc_port} and metrics {metrics_port}")
        for probe_kind in ("readinessProbe", "livenessProbe"):
            probe = container.get(probe_kind) or {}
            self.expect(set(probe) & {"httpGet", "tcpSocket", "exec"} == set(),
                        f"{where}: {probe_kind} is not (only) a gRPC probe")
            grpc = probe.get("grpc")
            self.expect(grpc is not None, f"{where}: {probe_kind} is not a gRPC probe")
            if grpc:
                self.expect(grpc.get("port") == grpc_port,
                            f"{where}: {probe_kind} probes port {grpc.get('port')}, gRPC is on {grpc_port}")
                # Readiness follows Redis ("" or a service's name); liveness
                # asks the name that stays SERVING while the process runs.
                wanted = ({self.liveness_service} if probe_kind == "livenessProbe"
                          else set())
                self.expect(grpc.get("service", "") in ("", None) or
                            grpc["service"].startswith(f"partydev.{service}.") or
                            grpc["service"] in wanted,
                            f"{where}: {probe_kind} asks health of {grpc.get('service')}")
                if probe_kind == "livenessProbe":
                    self.expect(grpc.get("service") == self.liveness_service,
                                f"{where}: livenessProbe asks {grpc.get('service')!r}, not "
                                f"{self.liveness_service!r} (common/server.h): a Redis "
                                f"outage would restart the pod")
        annotations = workload["spec"]["template"]["metadata"].get("annotations") or {}
        self.expect(annotations.get("prometheus.io/scrape") == "true", f"{where}: no prometheus.io/scrape")
        self.expect(annotations.get("prometheus.io/port") == str(metrics_port),
                    f"{where}: prometheus.io/port {annotations.get('prometheus.io/port')}, metrics on {metrics_port}")
        self.check_grace(spec, values, where)
        # The Redis it dials, and the rule sets it loads.
        redis = self.find("StatefulSet", "partydev-redis")
        if redis is not None:
            self.check_dial(values["redis"], redis["spec"]["template"]["spec"]["containers"][0],
                            "redis", where)
        self.check_rule_sets(spec, container, values["config_dir"], service, where)

    def check_grace(self, spec, values, where):
        grace = spec.get("terminationGracePeriodSeconds", 30)
        drain = int(values["drain_seconds"])
        self.expect(drain < grace <= drain + 30,
                    f"{where}: terminationGracePeriodSeconds {grace} does not just outlast the drain {drain}s")

    def check_gateway(self, workload, container, options):
        where = f"{workload['metadata']['name']}/{container['name']}"
        values = self.check_options(container, options, where)
        port = port_of(values["listen"])
        self.expect(self.ports(container) == {"http": port},
                    f"{where}: container ports {self.ports(container)}, the gateway listens on {port}")
        # Ready while the backends answer; alive while the process serves
        # (deploy/gateway/main.go serves both paths).
        for probe_kind, path in (("readinessProbe", "/healthz"), ("livenessProbe", "/livez")):
            get = (container.get(probe_kind) or {}).get("httpGet") or {}
            self.expect(get.get("path") == path and get.get("port") in ("http", port),
                        f"{where}: {probe_kind} is not GET {path} on {port}")
        self.check_grace(workload["spec"]["template"]["spec"], values, where)
        for flag, name in (("membership", "membershipd"), ("quota", "quotad"),
                           ("notification", "notifyd")):
            target = self.find("Deployment", name)
            if target:
                self.check_dial(values[flag], target["spec"]["template"]["spec"]["containers"][0],
                                "grpc", where)


def render(src, overlay):
    out = subprocess.run(["kubectl", "kustomize", overlay], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise SystemExit(f"FAIL: kubectl kustomize {overlay}: {out.stderr}")
    return out.stdout


def main():
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    bin_dir, src = sys.argv[1], sys.argv[2]
    options = {name: binary_options(os.path.join(bin_dir, name)) for name in SERVICES}
    gateway = gateway_options(bin_dir, src)
    if len(sys.argv) > 3:
        inputs = [(f, open(f).read()) for f in sys.argv[3:]]
    else:
        if shutil.which("kubectl") is None:
            raise SystemExit("FAIL: kubectl not found (tools/check-k8s installs Debian's kubernetes-client)")
        overlays = os.path.join(src, "deploy/k8s/overlays")
        inputs = [(o, render(src, os.path.join(overlays, o))) for o in sorted(os.listdir(overlays))]
    failures, checks = [], 0
    for name, text in inputs:
        objects = [o for o in yaml.safe_load_all(text) if o]
        checker = Checker(name, objects, src)
        seen = set()
        for workload in objects:
            if workload.get("kind") not in ("Deployment", "StatefulSet"):
                continue
            for container in workload["spec"]["template"]["spec"]["containers"]:
                image = container["image"].split("@")[0].rsplit(":", 1)[0]
                binary = image.rsplit("/", 1)[-1]
                if image.startswith("partydev/") and binary in SERVICES:
                    checker.check_service(workload, container, options[binary], SERVICES[binary])
                    seen.add(binary)
                elif image == "partydev/gateway" and gateway is not None:
                    checker.check_gateway(workload, container, gateway)
                    seen.add("gateway")
        checker.expect(set(SERVICES) <= seen, f"the overlay runs only {sorted(seen)}")
        print(f"{name}: {checker.checks} checks on {sorted(seen)}, {len(checker.failures)} failed")
        failures += checker.failures
        checks += checker.checks
    print(f"options from: {', '.join(o.source for o in list(options.values()) + [gateway] if o)}")
    for f in failures:
        print("FAIL:", f)
    print(f"{checks - len(failures)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
