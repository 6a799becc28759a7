"""A real single-node Apache Kafka broker (KRaft, combined broker+controller) without Docker.

The broker's classpath is assembled from Maven Central with ``tools/kafka/pom.xml`` (the Apache download
mirrors may be unreachable), cached once per Kafka version, and run as a detached JVM in its own process
group. Everything a running broker owns lives in one *home* directory::

    <home>/server.properties   rendered from BrokerConfig
    <home>/log4j2.properties   logs go to <home>/logs/server.log
    <home>/data/               log.dirs (KRaft metadata + topic partitions), formatted once
    <home>/logs/               server.log (Kafka), stdout.log (the JVM's own output)
    <home>/broker.pid          the JVM's pid while it runs
    <home>/broker.json         the last BrokerInfo (ports are reused on restart)

Rendering (``render_server_properties``, ``render_log4j2_properties``, ``cluster_id_from_bytes``) is pure; the
functions that fetch, start, wait for and stop a broker are the I/O edge. Nothing happens at import time.
"""

from __future__ import annotations

import base64
import contextlib
import errno
import fcntl
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

from sitrep.errors import BrokerError, ConfigurationError

HOST = "127.0.0.1"
"""Listeners bind to IPv4 loopback: ``localhost`` may resolve to ::1 first and miss an IPv4-only listener."""

DEFAULT_KAFKA_VERSION = "4.4.0"
DEFAULT_HEAP = "512m"
# A local broker carries little load but is started often (every test session): the client compiler alone
# and the serial collector spend less CPU during start-up than C2 and G1 (measured here: about 1-2 s less
# of 4-6 s on a busy 2-core machine), and their steady-state cost does not matter at this scale.
FAST_START_JVM_OPTIONS: tuple[str, ...] = ("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC")
STOP_TIMEOUT_S = 30.0
READY_TIMEOUT_S = 60.0

JAVA_HINT = "install a Java 17+ runtime, e.g. `apt-get install openjdk-17-jre-headless`"
MAVEN_HINT = "install Maven, e.g. `apt-get install maven` (it fetches Kafka's jars from Maven Central)"

_REQUIRED_CLASSES = ("kafka/Kafka.class", "kafka/tools/StorageTool.class")
_COMPLETE_MARKER = ".complete"

Progress = Callable[[str], None]


def _no_progress(_line: str) -> None:
    return None


# --------------------------------------------------------------------------------------------------
# Values and pure rendering
# --------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BrokerInfo:
    """A running (or last-run) broker: clients connect to ``bootstrap``."""

    bootstrap: str
    port: int
    controller_port: int
    pid: int
    home: Path
    version: str

    def to_json(self) -> str:
        data = asdict(self)
        data["home"] = str(self.home)
        return json.dumps(data, indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> BrokerInfo:
        data = json.loads(text)
        return cls(
            bootstrap=str(data["bootstrap"]),
            port=int(data["port"]),
            controller_port=int(data["controller_port"]),
            pid=int(data["pid"]),
            home=Path(data["home"]),
            version=str(data["version"]),
        )


@dataclass(frozen=True, slots=True)
class BrokerConfig:
    """What goes into server.properties for a single-node combined-mode broker.

    ``extra`` entries are appended last and so override the defaults (Kafka keeps the last duplicate key).
    """

    port: int
    controller_port: int
    data_dir: Path
    num_partitions: int = 1
    auto_create_topics: bool = False
    message_max_bytes: int = 1_048_576
    extra: tuple[tuple[str, str], ...] = field(default_factory=tuple)


def render_server_properties(config: BrokerConfig) -> str:
    """server.properties for a one-node KRaft cluster on 127.0.0.1 with every replication factor at 1.

    Internal topics get one partition and the group rebalance delay is 0 so that a fresh broker serves its
    first consumer group within a second (the defaults, 50 partitions and 3 s, are for real clusters).
    """
    if config.num_partitions < 1:
        raise ConfigurationError(f"num_partitions must be at least 1, got {config.num_partitions}")
    if config.message_max_bytes < 1024:
        raise ConfigurationError(f"message_max_bytes must be at least 1024, got {config.message_max_bytes}")
    if config.port == config.controller_port:
        raise ConfigurationError(f"broker and controller need different ports, both are {config.port}")
    client = f"{HOST}:{config.port}"
    controller = f"{HOST}:{config.controller_port}"
    props: list[tuple[str, str]] = [
        ("process.roles", "broker,controller"),
        ("node.id", "1"),
        ("controller.quorum.bootstrap.servers", controller),
        ("listeners", f"PLAINTEXT://{client},CONTROLLER://{controller}"),
        ("advertised.listeners", f"PLAINTEXT://{client},CONTROLLER://{controller}"),
        ("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
        ("controller.listener.names", "CONTROLLER"),
        ("inter.broker.listener.name", "PLAINTEXT"),
        ("log.dirs", str(config.data_dir)),
        ("num.partitions", str(config.num_partitions)),
        ("default.replication.factor", "1"),
        ("min.insync.replicas", "1"),
        ("auto.create.topics.enable", "true" if config.auto_create_topics else "false"),
        ("message.max.bytes", str(config.message_max_bytes)),
        # A follower never exists here, but keep the fetch size coherent with the largest batch.
        ("replica.fetch.max.bytes", str(max(config.message_max_bytes, 1_048_576))),
        ("offsets.topic.replication.factor", "1"),
        ("offsets.topic.num.partitions", "1"),
        ("transaction.state.log.replication.factor", "1"),
        ("transaction.state.log.min.isr", "1"),
        ("transaction.state.log.num.partitions", "1"),
        ("share.coordinator.state.topic.replication.factor", "1"),
        ("share.coordinator.state.topic.min.isr", "1"),
        ("share.coordinator.state.topic.num.partitions", "1"),
        ("group.initial.rebalance.delay.ms", "0"),
        *config.extra,
    ]
    lines = ["# Written by sitrep.broker; edits are overwritten at the next start."]
    lines += [f"{key}={value}" for key, value in props]
    return "\n".join(lines) + "\n"


def render_log4j2_properties() -> str:
    """A Log4j2 configuration writing Kafka's log to ``${sys:kafka.logs.dir}/server.log``.

    The properties format needs no parser beyond log4j-core itself (YAML would need Jackson's YAML module).
    """
    return "\n".join(
        [
            "status = warn",
            "name = sitrep-kafka",
            "appender.server.type = File",
            "appender.server.name = server",
            "appender.server.fileName = ${sys:kafka.logs.dir}/server.log",
            "appender.server.layout.type = PatternLayout",
            "appender.server.layout.pattern = [%d] %p %m (%c)%n",
            "rootLogger.level = INFO",
            "rootLogger.appenderRef.server.ref = server",
            # Per-request lines would drown the start-up story that error messages quote.
            "logger.request.name = kafka.request.logger",
            "logger.request.level = WARN",
            "",
        ]
    )


def cluster_id_from_bytes(raw: bytes) -> str:
    """A KRaft cluster id as ``kafka.tools.StorageTool random-uuid`` prints it: 16 bytes, URL-safe base64.

    Hand-written rather than asking the JVM, which would cost a second of start-up for 22 characters.
    """
    if len(raw) != 16:
        raise ValueError(f"a cluster id is 16 bytes, got {len(raw)}")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def log4j_version_for(kafka_version: str) -> str:
    """The Log4j2 release a Kafka 4.x tarball ships (the SLF4J binding must match log4j-core)."""
    major, minor = _major_minor(kafka_version)
    if major < 4:
        raise ConfigurationError(
            f"Kafka {kafka_version} is not supported: sitrep's broker needs Kafka 4.x (KRaft, log4j2)"
        )
    return "2.24.3" if (major, minor) < (4, 2) else "2.25.3"


def version_key(version: str) -> tuple[int, ...]:
    """``"4.1.1"`` -> ``(4, 1, 1)``, for ordering Kafka releases."""
    try:
        return tuple(int(part) for part in version.split("."))
    except ValueError:
        raise ConfigurationError(f"not a Kafka version: {version!r} (expected e.g. 4.1.1)") from None


def _major_minor(version: str) -> tuple[int, int]:
    parts = version.split(".")
    try:
        return int(parts[0]), int(parts[1])
    except (IndexError, ValueError):
        raise ConfigurationError(f"not a Kafka version: {version!r} (expected e.g. 4.1.1)") from None


# --------------------------------------------------------------------------------------------------
# Resolving the broker's jars
# --------------------------------------------------------------------------------------------------


def default_cache_dir() -> Path:
    """``~/.cache/sitrep/kafka``: one ``<version>/lib`` per Kafka version."""
    return Path.home() / ".cache" / "sitrep" / "kafka"


def default_pom() -> Path:
    """The pom in the source tree (``tools/kafka/pom.xml`` next to the ``sitrep`` package)."""
    return Path(__file__).resolve().parent.parent / "tools" / "kafka" / "pom.xml"


def ensure_kafka(
    version: str,
    cache_dir: Path | None = None,
    progress: Progress = _no_progress,
    *,
    pom: Path | None = None,
) -> Path:
    """Return a directory holding every runtime jar of Kafka ``version``, fetching it with Maven if needed.

    The directory is ``<cache_dir>/<version>/lib``; it is published atomically (fetched into a temporary
    sibling, verified to contain ``kafka.Kafka`` and ``kafka.tools.StorageTool``, then renamed), and a file
    lock keeps two processes from fetching the same version at once. ``progress`` receives Maven's download
    lines. Raises ConfigurationError when Maven is missing, BrokerError when resolution fails.
    """
    log4j_version = log4j_version_for(version)
    root = (cache_dir or default_cache_dir()) / version
    lib = root / "lib"
    if (lib / _COMPLETE_MARKER).exists():
        return lib
    root.mkdir(parents=True, exist_ok=True)
    with _file_lock(root / ".lock"):
        if (lib / _COMPLETE_MARKER).exists():
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ConfigurationError(f"Maven (`mvn`) is not on PATH: {MAVEN_HINT}")
        pom_path = pom or default_pom()
        if not pom_path.is_file():
            raise ConfigurationError(
                f"the Kafka pom is missing: {pom_path} (run from a sitrep source checkout)"
            )
        staging = Path(tempfile.mkdtemp(prefix="lib-", dir=root))
        try:
            _run_maven(mvn, pom_path, version, log4j_version, staging, progress)
            verify_kafka_lib(staging)
            (staging / _COMPLETE_MARKER).write_text(f"kafka {version}\nlog4j {log4j_version}\n")
            if lib.exists():
                shutil.rmtree(lib)  # an earlier, interrupted publish without its marker
            staging.rename(lib)
        finally:
            if staging.exists():
                shutil.rmtree(staging, ignore_errors=True)
    return lib


def verify_kafka_lib(lib: Path) -> Path:
    """Check that ``lib`` holds a kafka_2.13 jar with both entry points; return that jar."""
    import zipfile  # only needed here

    jars = sorted(
        p for p in lib.glob("kafka_2.13-*.jar") if not p.name.endswith(("-sources.jar", "-test.jar"))
    )
    if not jars:
        raise BrokerError(f"no kafka_2.13-*.jar in {lib}")
    with zipfile.ZipFile(jars[0]) as jar:
        names = set(jar.namelist())
    missing = [name for name in _REQUIRED_CLASSES if name not in names]
    if missing:
        raise BrokerError(f"{jars[0].name} lacks {', '.join(missing)}: not a Kafka broker jar")
    return jars[0]


def _run_maven(mvn: str, pom: Path, version: str, log4j_version: str, out: Path, progress: Progress) -> None:
    cmd = [
        mvn,
        "-B",  # batch mode: plain lines, no colour codes or carriage-return progress bars
        "-f",
        str(pom),
        "dependency:copy-dependencies",
        "-DincludeScope=runtime",
        f"-DoutputDirectory={out}",
        f"-Dkafka.version={version}",
        f"-Dlog4j.version={log4j_version}",
    ]
    progress(f"Resolving Kafka {version} from Maven Central")
    tail: list[str] = []
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True
    ) as proc:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.rstrip()
            tail = [*tail[-39:], line]
            if line.startswith(("Downloading", "Downloaded")):
                progress(line)
        code = proc.wait()
    if code != 0:
        # Maven's first [ERROR] paragraph names the cause; the rest is boilerplate about -e and -X.
        errors: list[str] = []
        for line in tail:
            if line.startswith("[ERROR]"):
                if line.strip() == "[ERROR]" and errors:
                    break
                errors.append(line)
        errors = errors or tail
        raise BrokerError(
            f"Maven could not resolve org.apache.kafka:kafka_2.13:{version} (exit {code}):\n"
            + "\n".join(errors[-15:])
        )


@contextlib.contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------------
# Ports and processes
# --------------------------------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_is_free(port: int) -> bool:
    """True when nothing listens on 127.0.0.1:``port`` and it can be bound."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        # SO_REUSEADDR matches what the JVM does, so a port in TIME_WAIT after a stop counts as free.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((HOST, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                return False
            raise
    return True


# Popen handles of brokers started by this process: keeping them lets us reap the child (a stopped child
# would otherwise linger as a zombie that still answers kill(pid, 0)) and avoids Popen's ResourceWarning.
_CHILDREN: dict[int, subprocess.Popen[bytes]] = {}


def _pid_alive(pid: int) -> bool:
    child = _CHILDREN.get(pid)
    if child is not None:
        return child.poll() is None
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    stat = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        # "pid (comm) S ..." - a zombie ('Z') has exited even though kill(pid, 0) succeeds.
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    return True


def _is_our_broker(pid: int, home: Path) -> bool:
    """Guard against a recycled pid: the process must be kafka.Kafka running this home's properties."""
    if not _pid_alive(pid):
        return False
    cmdline = Path(f"/proc/{pid}/cmdline")
    try:
        args = cmdline.read_bytes().split(b"\0")
    except FileNotFoundError:
        return False
    except OSError:
        return True  # no /proc to ask (not Linux): trust the pid file
    wanted = str((home / "server.properties").resolve()).encode()
    return b"kafka.Kafka" in args and wanted in args


def _tail(path: Path, lines: int = 25) -> str:
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return f"({path} does not exist)"
    return "\n".join(text.splitlines()[-lines:]) or f"({path} is empty)"


def _startup_failure_detail(home: Path) -> str:
    logs = home / "logs"
    return (
        f"last lines of {logs / 'server.log'}:\n{_tail(logs / 'server.log')}\n"
        f"last lines of {logs / 'stdout.log'}:\n{_tail(logs / 'stdout.log', 10)}"
    )


def _find_java() -> str:
    java = shutil.which("java")
    if java is None:
        raise ConfigurationError(f"Java (`java`) is not on PATH: {JAVA_HINT}")
    return java


# --------------------------------------------------------------------------------------------------
# The broker's life cycle
# --------------------------------------------------------------------------------------------------


def broker_status(home: Path) -> BrokerInfo | None:
    """The running broker owned by ``home``, or None when it is not running (a stale pid file is ignored)."""
    home = home.resolve()
    try:
        pid = int((home / "broker.pid").read_text().strip())
        info = BrokerInfo.from_json((home / "broker.json").read_text())
    except (FileNotFoundError, ValueError, KeyError, json.JSONDecodeError):
        return None
    if info.pid != pid or not _is_our_broker(pid, home):
        return None
    return info


def start_broker(
    home: Path,
    *,
    port: int | None = 9092,
    controller_port: int | None = None,
    version: str = DEFAULT_KAFKA_VERSION,
    cache_dir: Path | None = None,
    num_partitions: int = 1,
    auto_create_topics: bool = False,
    message_max_bytes: int = 1_048_576,
    extra_properties: Mapping[str, str] | None = None,
    scram_users: Mapping[str, str] | None = None,
    heap: str = DEFAULT_HEAP,
    jvm_options: tuple[str, ...] = FAST_START_JVM_OPTIONS,
    ready_timeout: float = READY_TIMEOUT_S,
    progress: Progress = _no_progress,
) -> BrokerInfo:
    """Start a single-node broker owned by ``home`` and return once clients can use it.

    Idempotent: when ``home``'s broker already runs, its info is returned unchanged (whatever the arguments).
    ``port`` None or 0 picks a free port; ``controller_port`` None reuses the port stored from an earlier
    run of this home (the KRaft voter set records it) or picks a free one. The storage under ``home/data`` is
    formatted on first start only, so topics and offsets survive ``stop_broker`` + ``start_broker``.
    The JVM gets ``-Xmx<heap>`` plus ``jvm_options`` (default: tuned for a quick start, not throughput).
    ``scram_users`` (name -> password) become SCRAM-SHA-256 and SCRAM-SHA-512 credentials when the storage is
    formatted (KRaft keeps them in its metadata log; later starts ignore the argument). A SASL listener is
    declared through ``extra_properties`` (``listeners``, ``listener.security.protocol.map``, ...); the
    PLAINTEXT listener stays for the broker's own readiness probe and inter-broker traffic.

    Raises ConfigurationError when Java or Maven is missing or a port is taken, BrokerError when the jars
    cannot be fetched, the JVM exits during start-up, or the broker is not ready within ``ready_timeout``
    seconds (the message carries the tail of server.log). A broker that failed to become ready is stopped.
    """
    home = home.resolve()
    running = broker_status(home)
    if running is not None:
        return running
    java = _find_java()
    previous = _previous_info(home)
    if previous is not None and version_key(version) < version_key(previous.version):
        # A newer broker writes metadata records an older one cannot read ("Can't read version 4 of
        # BrokerEndpoint" when 4.1.1 opened a 4.4.0 home), so refuse before starting a doomed JVM.
        raise ConfigurationError(
            f"{home} holds data written by Kafka {previous.version}; Kafka {version} cannot read it. "
            f"Start Kafka {previous.version} (or newer), or delete {home / 'data'} to begin empty."
        )
    lib = ensure_kafka(version, cache_dir, progress)

    client_port = port or free_port()
    if controller_port is None:
        controller_port = previous.controller_port if previous is not None else free_port()
        while controller_port == client_port:
            controller_port = free_port()
    for what, number in (("broker", client_port), ("controller", controller_port)):
        if not port_is_free(number):
            hint = " (pass --port 0 to pick a free one)" if what == "broker" else ""
            raise ConfigurationError(f"{what} port {HOST}:{number} is already in use{hint}")

    data_dir = home / "data"
    logs_dir = home / "logs"
    for directory in (home, data_dir, logs_dir):
        directory.mkdir(parents=True, exist_ok=True)
    config = BrokerConfig(
        port=client_port,
        controller_port=controller_port,
        data_dir=data_dir,
        num_partitions=num_partitions,
        auto_create_topics=auto_create_topics,
        message_max_bytes=message_max_bytes,
        extra=tuple((extra_properties or {}).items()),
    )
    properties = home / "server.properties"
    properties.write_text(render_server_properties(config))
    log4j = home / "log4j2.properties"
    log4j.write_text(render_log4j2_properties())

    if not (data_dir / "meta.properties").exists():
        progress("Formatting KRaft storage")
        _format_storage(java, lib, properties, logs_dir, scram_users or {})

    progress(f"Starting Kafka {version} on {HOST}:{client_port}")
    jvm = [
        java,
        f"-Xmx{heap}",
        "-Xms64m",
        *jvm_options,
        "-Djava.awt.headless=true",
        f"-Dkafka.logs.dir={logs_dir}",
        f"-Dlog4j2.configurationFile={log4j}",
        "-cp",
        f"{lib}/*",
        "kafka.Kafka",
        str(properties),
    ]
    with (logs_dir / "stdout.log").open("ab") as out:
        proc = subprocess.Popen(
            jvm,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=home,
            start_new_session=True,
        )
    _CHILDREN[proc.pid] = proc
    info = BrokerInfo(
        bootstrap=f"{HOST}:{client_port}",
        port=client_port,
        controller_port=controller_port,
        pid=proc.pid,
        home=home,
        version=version,
    )
    (home / "broker.pid").write_text(f"{proc.pid}\n")
    (home / "broker.json").write_text(info.to_json() + "\n")

    try:
        _wait_ready(info.bootstrap, ready_timeout, lambda: _pid_alive(proc.pid), home)
    except BrokerError:
        stop_broker(home, timeout=10)
        raise
    return info


def stop_broker(home: Path, timeout: float = STOP_TIMEOUT_S) -> bool:
    """Stop ``home``'s broker: SIGTERM (a clean shutdown), SIGKILL after ``timeout`` seconds.

    Returns True when a broker was running and has stopped, False when none was running.
    """
    home = home.resolve()
    pid_file = home / "broker.pid"
    try:
        pid = int(pid_file.read_text().strip())
    except (FileNotFoundError, ValueError):
        return False
    if not _is_our_broker(pid, home):
        pid_file.unlink(missing_ok=True)
        return False
    _signal_group(pid, signal.SIGTERM)
    if not _wait_gone(pid, timeout):
        _signal_group(pid, signal.SIGKILL)
        _wait_gone(pid, 10)
    _CHILDREN.pop(pid, None)
    pid_file.unlink(missing_ok=True)
    return True


def wait_ready(bootstrap: str, timeout: float = READY_TIMEOUT_S) -> None:
    """Block until ``bootstrap`` accepts TCP connections and answers a metadata request.

    Raises BrokerError after ``timeout`` seconds.
    """
    _wait_ready(bootstrap, timeout, lambda: True, None)


def _wait_ready(bootstrap: str, timeout: float, alive: Callable[[], bool], home: Path | None) -> None:
    host, _, port_text = bootstrap.rpartition(":")
    port = int(port_text)
    deadline = time.monotonic() + timeout
    last_error = "no connection yet"
    while time.monotonic() < deadline:
        if not alive():
            detail = _startup_failure_detail(home) if home is not None else ""
            raise BrokerError(f"the Kafka broker exited during start-up; {detail}")
        try:
            with socket.create_connection((host, port), timeout=1):
                pass
        except OSError as exc:
            last_error = f"connect: {exc}"
            time.sleep(0.1)
            continue
        try:
            _metadata_round_trip(bootstrap, max(1.0, deadline - time.monotonic()))
        except BrokerError as exc:
            last_error = f"metadata: {exc}"
            time.sleep(0.2)
            continue
        return
    detail = f"; {_startup_failure_detail(home)}" if home is not None else ""
    raise BrokerError(f"Kafka at {bootstrap} not ready after {timeout:.0f} s ({last_error}){detail}")


def _metadata_round_trip(bootstrap: str, timeout: float) -> None:
    """One metadata request through kafka-python; any failure becomes BrokerError (meaning "not yet")."""
    # Imported here: kafka-python is only needed once a broker is being waited for.
    from kafka import KafkaAdminClient
    from kafka.errors import KafkaError

    timeout_ms = int(min(timeout, 10.0) * 1000)
    try:
        admin = KafkaAdminClient(
            bootstrap_servers=bootstrap,
            client_id="sitrep-broker-probe",
            request_timeout_ms=timeout_ms,
        )
        try:
            cluster = admin.describe_cluster()
        finally:
            admin.close()
    except (KafkaError, OSError) as exc:
        raise BrokerError(f"{type(exc).__name__}: {exc}") from exc
    if not cluster.get("brokers"):
        raise BrokerError("metadata lists no brokers yet")


def scram_arguments(users: Mapping[str, str]) -> list[str]:
    """``kafka-storage format`` arguments creating SCRAM-SHA-256 and -512 credentials for ``users``.

    StorageTool parses ``[name=...,password=...]`` without quoting, so a comma, bracket or equals sign in a
    name or password would be misread: refused here rather than silently creating another credential.
    """
    args: list[str] = []
    for name, password in users.items():
        for part in (name, password):
            if not part or any(c in part for c in ',[]="\n'):
                raise ConfigurationError('a SCRAM user name or password is empty or holds one of , [ ] = " ')
        for mechanism in ("SCRAM-SHA-256", "SCRAM-SHA-512"):
            args += ["--add-scram", f"{mechanism}=[name={name},password={password}]"]
    return args


def _format_storage(
    java: str, lib: Path, properties: Path, logs_dir: Path, scram_users: Mapping[str, str]
) -> None:
    cluster_id = cluster_id_from_bytes(secrets.token_bytes(16))
    while cluster_id.startswith("-"):  # Kafka's Uuid.randomUuid avoids these; a leading '-' reads as a flag
        cluster_id = cluster_id_from_bytes(secrets.token_bytes(16))
    cmd = [
        java,
        "-Xmx256m",
        "-XX:TieredStopAtLevel=1",  # a one-shot tool: skip the optimising JIT, start faster
        f"-Dkafka.logs.dir={logs_dir}",
        "-cp",
        f"{lib}/*",
        "kafka.tools.StorageTool",
        "format",
        "--standalone",
        "-t",
        cluster_id,
        "-c",
        str(properties),
        # The passwords are on this one-shot JVM's command line for about a second; that is how
        # StorageTool takes them (there is no file option), and only local test/dev brokers use it.
        *scram_arguments(scram_users),
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, stdin=subprocess.DEVNULL, check=False)
    if result.returncode != 0:
        output = (result.stdout + result.stderr)[-2000:]
        for password in scram_users.values():
            output = output.replace(password, "***")
        raise BrokerError(f"formatting KRaft storage failed (exit {result.returncode}):\n" + output)


def _previous_info(home: Path) -> BrokerInfo | None:
    if not (home / "data" / "meta.properties").exists():
        return None
    try:
        return BrokerInfo.from_json((home / "broker.json").read_text())
    except (FileNotFoundError, ValueError, KeyError, json.JSONDecodeError):
        return None


def _signal_group(pid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pid, sig)  # the JVM leads its own session, so its group id is its pid
    except ProcessLookupError:
        return
    except PermissionError:
        os.kill(pid, sig)


def _wait_gone(pid: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _pid_alive(pid):
            return True
        time.sleep(0.1)
    return not _pid_alive(pid)
