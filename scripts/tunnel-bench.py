#!/usr/bin/env python3
"""Side-by-side TCP forwarding benchmark: direct, `ssh -L`, `planetary tunnel` (issue 19).

Every path moves SIZE MiB from a TCP source on loopback through a freshly started forward to a
client that reads it all, twice: a cold transfer (first connection) and a warm one (same forward).
Paths run interleaved, once per round; RUNS rounds, medians printed as a Markdown table. Columns:
MiB/s (client's view, first byte to last), CPU seconds per GiB of both forwarding processes
(utime+stime from /proc over their process trees, first byte to last: ssh + sshd with its
per-connection children, or the listener + tunnel JVMs), and set-up to first byte of the cold
transfer (starting the forward until the client reads its first byte: JVM start, handshake and
stream open for planetary), and the warm set-up: connecting to the running forward until the first
byte of the second transfer (ssh: a new channel on its session; planetary: a new stream on its
session); then the median over --streams more new connections 0.1 s apart, each read to its first
byte and reset (a forward that is already running). --trace: the planetary JVMs print each OPEN step
(-Dplanetary.tunnel.trace=true) and the medians per step are printed, on the host's monotonic clock.
--after-bulk N: N more new streams per run, each opened at once after a transfer of --after-size MiB through
the running forward (the stream that follows a bulk transfer; several samples per run, one column).

Usage: python3 scripts/tunnel-bench.py [--size MIB] [--runs N] [--streams N] [--after-bulk N [--after-size MIB]] [--trace] [--jar THIS.jar]
           [--paths direct,ssh,ssh-aes,planetary,planetary-mtu1432,planetary-nocc,planetary-ack2,planetary-ack8,planetary-16k]
           [--compare-jar OLD/planetary.jar] [--extra NAME=ARGS ...] [--jvm NAME=FLAGS ...] [--threads]
(after ./build package). ssh paths need OpenSSH: the script installs openssh-server from Debian with
apt-get if sshd is missing and runs a private sshd on 127.0.0.1 with its own config and keys in a
temporary directory (never the system's). BENCHMARKS.md ("planetary tunnel against ssh -L") has
the results and what each path means.
"""
import argparse, os, shutil, signal, socket, statistics, subprocess, sys, tempfile, threading, time, json

CLK = os.sysconf("SC_CLK_TCK")
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def threads_of(pid):
    """{thread name: utime+stime s} of one process, threads with the same name summed (GC workers, pool workers)."""
    out = {}
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{t}/stat") as f:
                    head, rest = f.read().rsplit(")", 1)
                name = head.split("(", 1)[1].rstrip("0123456789#- ")
                parts = rest.split()
                out[name] = out.get(name, 0.0) + (int(parts[11]) + int(parts[12])) / CLK
            except (FileNotFoundError, IndexError):
                pass
    except FileNotFoundError:
        pass
    return out


THREADS = False


def sleeps_of(pid):
    """Voluntary context switches of all threads of one process: each is a thread that blocked
    (futex, epoll, a socket) and was woken again, so their count is the process's wake-ups."""
    total = 0
    try:
        for t in os.listdir(f"/proc/{pid}/task"):
            try:
                with open(f"/proc/{pid}/task/{t}/status") as f:
                    for line in f:
                        if line.startswith("voluntary_ctxt_switches:"):
                            total += int(line.split()[1])
            except FileNotFoundError:
                pass
    except FileNotFoundError:
        pass
    return total


def cpu_of_tree(pid):
    """utime+stime (s) of pid and every descendant (live ones)."""
    total = 0.0
    seen = set()
    stack = [pid]
    while stack:
        p = stack.pop()
        if p in seen:
            continue
        seen.add(p)
        try:
            with open(f"/proc/{p}/stat") as f:
                parts = f.read().rsplit(")", 1)[1].split()
            total += (int(parts[11]) + int(parts[12])) / CLK
            with open(f"/proc/{p}/task/{p}/children") as f:
                stack.extend(int(c) for c in f.read().split())
        except (FileNotFoundError, ProcessLookupError, IndexError):
            pass
    return total


class Source:
    """A TCP server on loopback that sends SIZE bytes to every connection, then closes it."""

    def __init__(self, size):
        self.size = size
        # one random block for all connections: made per connection it cost ~2.5 ms before the first
        # byte (the "direct" new-stream figure up to the third round of issue 19)
        self.block = memoryview(os.urandom(1 << 20))
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, c):
        block = self.block
        left = self.size
        try:
            while left > 0:
                n = min(left, len(block))
                c.sendall(block[:n])
                left -= n
        except OSError:
            pass
        finally:
            c.close()


def fetch(port, size, deadline_s=120.0, on_first=None):
    """Connects (retrying until the forward listens) and reads until EOF. Returns (t_connect_ok, t_first, t_end, n)."""
    end_by = time.monotonic() + deadline_s
    while True:
        try:
            s = socket.create_connection(("127.0.0.1", port), timeout=deadline_s)
            break
        except OSError:
            if time.monotonic() > end_by:
                raise
            time.sleep(0.01)
    buf = bytearray(1 << 20)
    n = 0
    first = None
    while True:
        r = s.recv_into(buf)
        if r == 0:
            break
        if first is None:
            first = time.monotonic()
            if on_first:
                on_first()
        n += r
    end = time.monotonic()
    s.close()
    if n != size:
        # an empty connection (forward not ready yet, e.g. ssh accepted before its session was up) counts as failure
        raise RuntimeError(f"received {n} bytes, expected {size}")
    return first, end, n


def first_byte(port):
    """Connects to a running forward, reads until the first byte, then closes (a reset). Returns (t_connect, t_first)."""
    t0 = time.monotonic()
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # close = RST
        if not s.recv(1):
            raise RuntimeError("the forward closed the connection before the first byte")
        return t0, time.monotonic()
    finally:
        s.close()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Sshd:
    def __init__(self, tmp):
        self.tmp = tmp
        sshd = shutil.which("sshd") or "/usr/sbin/sshd"
        if not os.path.exists(sshd):
            print("installing openssh-server and openssh-client from Debian (apt-get)", file=sys.stderr)
            subprocess.run(["apt-get", "install", "-y", "-q", "-o", "DPkg::Lock::Timeout=300", "openssh-server", "openssh-client"], check=True,
                           stdout=subprocess.DEVNULL, env=dict(os.environ, DEBIAN_FRONTEND="noninteractive"))
        self.sshd = sshd
        d = os.path.join(tmp, "ssh")
        os.makedirs(d, mode=0o700)
        self.dir = d
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/host"], check=True)
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", f"{d}/user"], check=True)
        shutil.copy(f"{d}/user.pub", f"{d}/authorized_keys")
        os.chmod(f"{d}/authorized_keys", 0o600)
        self.port = free_port()
        with open(f"{d}/sshd_config", "w") as f:
            f.write(f"""Port {self.port}
ListenAddress 127.0.0.1
HostKey {d}/host
AuthorizedKeysFile {d}/authorized_keys
PidFile {d}/sshd.pid
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
""")
        os.makedirs("/run/sshd", exist_ok=True)
        self.proc = subprocess.Popen([sshd, "-D", "-e", "-f", f"{d}/sshd_config"], stderr=open(f"{d}/sshd.log", "w"))
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)

    def forward_cmd(self, local, target_port, cipher):
        cmd = ["ssh", "-N", "-i", f"{self.dir}/user", "-p", str(self.port), "-o", "StrictHostKeyChecking=no",
               "-o", f"UserKnownHostsFile={self.dir}/known_hosts", "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes",
               "-L", f"127.0.0.1:{local}:127.0.0.1:{target_port}"]
        if cipher:
            cmd[1:1] = ["-c", cipher]
        return cmd + [f"{os.environ.get('USER', 'root')}@127.0.0.1"]

    def close(self):
        self.proc.terminate()
        self.proc.wait()


JAR = None


def java_cmd(jar=None, jvm=()):
    jdk = subprocess.run(["bash", "-c", f". {ROOT}/scripts/jdk.sh && planetary_use_jdk && command -v java"],
                         capture_output=True, text=True, check=True).stdout.strip()
    return [jdk, *jvm, "-jar", jar or JAR or os.path.join(ROOT, "planetary-cli", "target", "planetary.jar")]


class Planetary:
    def __init__(self, tmp, jar=None, jvm=()):
        self.dir = os.path.join(tmp, "planetary-" + str(abs(hash((jar, tuple(jvm))))))
        os.makedirs(self.dir)
        self.java = java_cmd(jar, jvm)
        for n in ("server", "client"):
            subprocess.run(self.java + ["keygen", n], cwd=self.dir, check=True, stdout=subprocess.DEVNULL)

    def role(self, verb):
        """The java command line for one side: '{verb}' in a --jvm flag becomes 'listen' or 'tunnel'."""
        return [a.replace("{verb}", verb) for a in self.java]

    def err(self, role):
        """Where a JVM's standard error goes: a file per process with --trace (OpenTrace lines), else nowhere."""
        if TRACE is None:
            return subprocess.DEVNULL
        self.runs = getattr(self, "runs", 0) + (role == "listener")
        return open(os.path.join(self.dir, f"{role}-{self.runs}.err"), "w")

    def start_listener(self, target_port, extra):
        p = subprocess.Popen(self.role("listen") + ["listen", "--json", "--bind", "127.0.0.1:0", "--key", "server.key", "--no-state",
                                          "--allow", "client.pub", "--allow-tunnel", f"127.0.0.1:{target_port}"] + extra,
                             cwd=self.dir, stdout=subprocess.PIPE, stderr=self.err("listener"), text=True)
        for line in p.stdout:
            if '"listening"' in line:
                addr = json.loads(line)["address"]
                threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()
                return p, addr
        raise RuntimeError("listener did not start")

    def tunnel_cmd(self, udp, local, target_port, extra):
        return self.role("tunnel") + ["tunnel", udp, "--local", f"127.0.0.1:{local}", "--key", "client.key", "--peer", "server.pub",
                            "--remote", f"127.0.0.1:{target_port}", "--no-state"] + extra


def run_path(name, args, src, size, ssh, pl):
    """One run: a cold transfer through a freshly started forward, then a warm one through the same
    forward. Returns (cold MiB/s, cold CPU s/GiB, set-up ms, warm MiB/s, warm CPU s/GiB, warm set-up ms): warm set-up
    is from connecting to the running forward to the first byte (a new stream on an established session)."""
    procs = []
    if TRACE is not None:
        TRACE.clear()  # this run's streams only
    try:
        if name == "direct":
            c0 = time.monotonic()
            first, end, n = fetch(src.port, size)
            mib = n / (1 << 20) / (end - first)
            c2 = time.monotonic()
            first2, end2, n2 = fetch(src.port, size)
            return mib, None, (first - c0) * 1000, n2 / (1 << 20) / (end2 - first2), None, (first2 - c2) * 1000, new_streams(src.port), None
        local = free_port()
        if name.startswith("ssh"):
            t0 = time.monotonic()
            procs.append(subprocess.Popen(ssh.forward_cmd(local, src.port, args), stderr=subprocess.DEVNULL))
            trees = [procs[0].pid, ssh.proc.pid]
        else:
            lp, udp = pl.start_listener(src.port, args)
            procs.append(lp)
            t0 = time.monotonic()
            procs.append(subprocess.Popen(pl.tunnel_cmd(udp, local, src.port, args), cwd=pl.dir,
                                          stdout=subprocess.DEVNULL, stderr=pl.err("tunnel")))
            trees = [lp.pid, procs[1].pid]
        cold = transfer(name, local, size, trees)
        t1 = time.monotonic()
        warm = transfer(name, local, size, trees)
        if TRACE is not None:
            TRACE.append((None, t1, warm[2]))  # stream 2: the warm transfer's, from the cold one's end
        c0 = sum(cpu_of_tree(p) + children_time(p) for p in trees)
        th0 = {p: threads_of(p) for p in trees} if THREADS else {}
        streams = new_streams(local)
        if THREADS and STREAMS:  # where the new streams' CPU went, per thread name (ms per new stream)
            for i, p in enumerate(trees):
                d = sorted(((v - th0[p].get(k, 0.0), k) for k, v in threads_of(p).items()), reverse=True)
                role = ["listener", "tunnel"][i] if name == "planetary" else ["ssh", "sshd"][i]
                print(f"#     {role} per new stream: " + ", ".join(f"{k} {v * 1000 / STREAMS:.1f}" for v, k in d[:8] if v > 0) + " (CPU ms)",
                      file=sys.stderr)
        after = after_bulk(src, local) if name == "planetary" or name.startswith("ssh") else None
        if STREAMS:  # CPU of both forwarding processes per new stream: a figure the machine's load moves less than the wall clock
            print(f"#     CPU per new stream (both forwarding processes): "
                  f"{(sum(cpu_of_tree(p) + children_time(p) for p in trees) - c0) * 1000 / STREAMS:.2f} ms", file=sys.stderr)
        return cold[0], cold[1], (cold[2] - t0) * 1000, warm[0], warm[1], (warm[2] - t1) * 1000, streams, after
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(10)
            except subprocess.TimeoutExpired:
                p.kill()
        if TRACE is not None and name == "planetary" and procs:
            print_trace(pl)


def print_trace(pl):
    """Median time of each OPEN hop (OpenTrace, -Dplanetary.tunnel.trace=true) of the new streams after the warm
    transfer, in ms from the client's connect, both JVMs' lines on one clock (CLOCK_MONOTONIC)."""
    marks = {}
    for role in ("tunnel", "listener"):
        try:
            with open(os.path.join(pl.dir, f"{role}-{pl.runs}.err")) as f:
                for line in f:
                    w = line.split()
                    if len(w) == 6 and w[0] == "trace" and w[2] == "stream":
                        marks.setdefault(int(w[3]), {}).setdefault(f"{w[1]} {w[4]}", int(w[5]) / 1e6)
        except FileNotFoundError:
            return
    clients = [(t0, t1) for sid, t0, t1 in TRACE if sid is not None and sid < AFTER_ID0]
    hop_medians(marks, [x for x in TRACE if x[0] is not None and x[0] < AFTER_ID0], "OPEN hops")
    for sid, t0, t1 in TRACE:
        if sid is None:  # the warm transfer's stream (2), in ms from the end of the cold transfer
            print("#     the warm transfer's stream (ms from the cold transfer's end): " + ", ".join(
                f"{k} {(v - t0) * 1000:.2f}" for v, k in sorted((v, k) for k, v in marks.get(2, {}).items())) + f", client first byte {(t1 - t0) * 1000:.2f}",
                  file=sys.stderr)
    if AFTER_BULK:
        after = [x for x in TRACE if x[0] is not None and x[0] >= AFTER_ID0]
        hop_medians(marks, after, "OPEN hops right after a bulk transfer")
        for sid, t0, t1 in after:  # each sample's hops: one slow hop shows in its line, not in a median
            m = marks.get(sid, {})
            print(f"#       stream {sid}: " + ", ".join(f"{k} {(v - t0) * 1000:.2f}" for v, k in sorted((v, k) for k, v in m.items()))
                  + f", client first byte {(t1 - t0) * 1000:.2f}", file=sys.stderr)
    # each new stream in order (the first ones run code the warm transfer did not: warm-up shows here)
    ms = [(t1 - t0) * 1000 for t0, t1 in clients]
    print("#     client first byte per stream, in order (ms): " + " ".join(f"{v:.2f}" for v in ms), file=sys.stderr)
    if len(ms) > 10:
        print(f"#     median of the first 10 new streams {statistics.median(ms[:10]):.2f} ms, of the other {len(ms) - 10} "
              f"{statistics.median(ms[10:]):.2f} ms", file=sys.stderr)
    TRACE.clear()


def hop_medians(marks, clients, title):
    """Prints the median ms from the client's connect of each traced hop over `clients` [(stream id, t0, t1)]."""
    hops = {}
    for sid, t0, t1 in clients:
        m = marks.get(sid)
        if not m:
            continue
        m = dict(m, **{"client connect": t0, "client first byte": t1})
        for k, v in m.items():
            hops.setdefault(k, []).append((v - t0) * 1000)
    rows = sorted((statistics.median(v), k) for k, v in hops.items())
    print(f"#     {title} (ms from connect, median of {len(clients)}): " + ", ".join(f"{k} {v:.2f}" for v, k in rows), file=sys.stderr)


AFTER_BULK = 0
AFTER_SIZE = 50
AFTER_ID0 = 1 << 30  # stream ids of the tunnel from the first after-bulk transfer on (set per run)


def after_bulk(src, port):
    """AFTER_BULK times: a transfer of AFTER_SIZE MiB through the running forward, then at once (no pause) a new
    stream read to its first byte and reset: ms from connect to first byte of each such stream (the stall right
    after a bulk transfer, several samples per run). Returns their median, or None."""
    global AFTER_ID0
    if not AFTER_BULK:
        return None
    AFTER_ID0 = 3 + STREAMS  # planetary's stream ids: cold 1, warm 2, new streams, then bulk/new pairs
    size = src.size
    src.size = AFTER_SIZE << 20
    times = []
    try:
        for j in range(AFTER_BULK):
            time.sleep(STREAM_GAP_S)
            fetch(port, src.size)
            t0, t1 = first_byte(port)
            times.append((t1 - t0) * 1000)
            if TRACE is not None:
                TRACE.append((AFTER_ID0 + 2 * j + 1, t0, t1))
    finally:
        src.size = size
    print(f"#     new stream right after a {AFTER_SIZE} MiB transfer, in order (ms): " + " ".join(f"{v:.2f}" for v in times), file=sys.stderr)
    return statistics.median(times)


STREAMS = 10
STREAM_GAP_S = 0.1
TRACE = None


def new_streams(port):
    """Median ms from connect to first byte over STREAMS new connections to the running forward, STREAM_GAP_S apart
    (after the warm transfer: a forward that is already running, e.g. a tunnel daemon)."""
    times = []
    for _ in range(STREAMS):
        time.sleep(STREAM_GAP_S)
        t0, t1 = first_byte(port)
        times.append((t1 - t0) * 1000)
        if TRACE is not None:
            TRACE.append((3 + len(times) - 1, t0, t1))
    return statistics.median(times) if times else None


def transfer(name, local, size, trees):
    """One transfer through the forward on `local`: (MiB/s, CPU s/GiB of the forwarding processes, time of the first byte).

    CPU is counted from the first byte to the last (JVM start and the handshake are in the set-up
    column); processes are sampled while alive, sshd's per-connection children included."""
    cpu0 = []
    th0 = {}

    def at_first():
        cpu0.append(sum(cpu_of_tree(p) + children_time(p) for p in trees))
        if THREADS:
            for p in trees:
                th0[p] = threads_of(p)
                th0[(p, "sleeps")] = sleeps_of(p)

    first, end, n = fetch(local, size, on_first=at_first)
    gib = n / (1 << 30)
    if THREADS:  # where the CPU went, per thread name (--threads)
        for i, p in enumerate(trees):
            t1 = threads_of(p)
            d = sorted(((v - th0.get(p, {}).get(k, 0.0), k) for k, v in t1.items()), reverse=True)
            role = ["listener", "tunnel"][i] if name == "planetary" else ["ssh", "sshd"][i]
            sleeps = (sleeps_of(p) - th0.get((p, "sleeps"), 0)) / (n / (1 << 20))
            print(f"#     {role}: " + ", ".join(f"{k} {v / gib:.2f}" for v, k in d[:8] if v > 0) + f" (CPU s/GiB); {sleeps:.1f} wake-ups per MiB",
                  file=sys.stderr)
    cpu1 = sum(cpu_of_tree(p) + children_time(p) for p in trees)
    return n / (1 << 20) / (end - first), (cpu1 - cpu0[0]) / gib, first


def children_time(pid):
    """cutime+cstime (s): CPU of reaped children (sshd's per-connection processes)."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            parts = f.read().rsplit(")", 1)[1].split()
        return (int(parts[13]) + int(parts[14])) / CLK
    except FileNotFoundError:
        return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=500, help="MiB per run (default 500)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--paths", default="direct,ssh,ssh-aes,planetary,planetary-mtu1432")
    ap.add_argument("--compare-jar", help="also run path 'planetary-before' with this planetary.jar (a build to compare against)")
    ap.add_argument("--extra", action="append", default=[],
                    help="NAME=ARGS: another planetary path with these arguments on both sides, e.g. 'big=--mtu 65507'")
    ap.add_argument("--jvm", action="append", default=[],
                    help="NAME=FLAGS: another planetary path whose JVMs (both sides) get these flags, e.g. 'c1=-XX:TieredStopAtLevel=1'; "
                         "'{verb}' in FLAGS becomes listen or tunnel, e.g. 'aot=-XX:AOTCache=/tmp/{verb}.aot'")
    ap.add_argument("--jvm-before", action="append", default=[],
                    help="NAME=FLAGS: as --jvm, for the --compare-jar build: path 'planetary-before-NAME', e.g. its own AOT cache "
                         "'aot=-XX:AOTCache=/tmp/old.aot' beside --jvm 'aot=-XX:AOTCache=/tmp/new.aot'")
    ap.add_argument("--jar", help="the planetary.jar of this build (default planetary-cli/target/planetary.jar)")
    ap.add_argument("--threads", action="store_true", help="print CPU per thread name for each run: s/GiB of each transfer, ms per new stream of the new streams (sshd: its main process only)")
    ap.add_argument("--streams", type=int, default=10,
                    help="new streams per run after the warm transfer, 0.1 s apart, each read to its first byte (default 10)")
    ap.add_argument("--after-bulk", type=int, default=0,
                    help="per run, N more pairs after the new streams: a transfer of --after-size MiB, then at once a new stream "
                         "read to its first byte (the stream opened right after a bulk transfer; planetary and ssh paths)")
    ap.add_argument("--after-size", type=int, default=50, help="MiB of each --after-bulk transfer (default 50)")
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory (the JVMs' --trace output, to line up with GC or JIT logs)")
    ap.add_argument("--trace", action="store_true",
                    help="planetary JVMs trace their OPEN hops (-Dplanetary.tunnel.trace=true): print the median time of each")
    a = ap.parse_args()
    global THREADS, STREAMS, TRACE, JAR, AFTER_BULK, AFTER_SIZE
    JAR = a.jar
    AFTER_BULK = a.after_bulk
    AFTER_SIZE = a.after_size
    THREADS = a.threads
    STREAMS = a.streams
    TRACE = [] if a.trace else None
    size = a.size << 20
    paths = {"direct": None, "ssh": "", "ssh-aes": "aes256-gcm@openssh.com", "planetary": [],
             "planetary-mtu1432": ["--mtu", "1432"], "planetary-nocc": [], "planetary-ack2": [], "planetary-ack8": [], "planetary-16k": []}
    order = [p for p in a.paths.split(",") if p]
    for e in a.extra:
        k, v = e.split("=", 1)
        paths["planetary-" + k] = v.split()
        order.append("planetary-" + k)
    if a.compare_jar:
        paths["planetary-before"] = []
        order.insert(order.index("planetary") if "planetary" in order else len(order), "planetary-before")
    tmp = tempfile.mkdtemp(prefix="tunnel-bench-")
    src = Source(size)
    ssh = Sshd(tmp) if any(p.startswith("ssh") for p in order) else None
    pl = Planetary(tmp) if any(p.startswith("planetary") for p in order) else None
    before = Planetary(tmp, a.compare_jar) if a.compare_jar else None
    # variants of this build with a tunnel tuning property (benchmark knobs, TunnelProtocol)
    knobs = {"planetary-nocc": ["-Dplanetary.tunnel.congestionControl=false"], "planetary-ack2": ["-Dplanetary.tunnel.ackEvery=2"],
             "planetary-ack8": ["-Dplanetary.tunnel.ackEvery=8"], "planetary-16k": ["-Dplanetary.tunnel.maxPacket=16384"]}
    for e in a.jvm:
        k, v = e.split("=", 1)
        knobs["planetary-" + k] = v.split()
        order.append("planetary-" + k)
        paths["planetary-" + k] = []
    knobs_before = {}
    for e in a.jvm_before:
        if not a.compare_jar:
            ap.error("--jvm-before needs --compare-jar")
        k, v = e.split("=", 1)
        knobs_before["planetary-before-" + k] = v.split()
        order.insert(order.index("planetary-" + k) if "planetary-" + k in order else len(order), "planetary-before-" + k)
        paths["planetary-before-" + k] = []
    if a.trace:
        knobs_before = {k: ["-Dplanetary.tunnel.trace=true", *v] for k, v in knobs_before.items()}
        for pl_ in [x for x in (pl, before) if x]:
            pl_.java[1:1] = ["-Dplanetary.tunnel.trace=true"]
        knobs = {k: ["-Dplanetary.tunnel.trace=true", *v] for k, v in knobs.items()}
    variants = {p: Planetary(tmp, None, knobs[p]) for p in order if p in knobs}
    variants.update({p: Planetary(tmp, a.compare_jar, v) for p, v in knobs_before.items()})
    with open("/proc/loadavg") as f:
        load0 = f.read().split()[:3]
    print(f"# {a.size} MiB per run, {a.runs} runs per path, {os.cpu_count()} CPUs, load before: {' '.join(load0)}")
    results = {p: [] for p in order}
    try:
        for r in range(a.runs):          # interleaved: every path once per round, so load drifts hit all alike
            for p in order:
                try:
                    results[p].append(run_path(p if not p.startswith("planetary") else "planetary", paths[p], src, size, ssh,
                                               before if p == "planetary-before" else variants.get(p, pl)))
                except Exception as e:  # noqa: BLE001 - a failed run is reported, the rest continue
                    print(f"# {p} run {r + 1} failed: {e}", file=sys.stderr)
                if results[p]:
                    print(f"#   {p} run {r + 1}: " + fmt(results[p][-1]), file=sys.stderr)
    finally:
        if ssh:
            ssh.close()
    with open("/proc/loadavg") as f:
        load1 = f.read().split()[:3]
    print(f"# load after: {' '.join(load1)}")
    print("| Path | MiB/s (warm) | CPU s per GiB (warm, both forwarding processes) | MiB/s (cold) | CPU s per GiB (cold) | set-up to first byte (ms, cold) "
          f"| new stream to first byte (ms, warm) | new streams on the running forward (ms, median of {STREAMS}; runs' medians) "
          + (f"| new stream right after a {AFTER_SIZE} MiB transfer (ms, median of {AFTER_BULK}; runs' medians) " if AFTER_BULK else "") + "| runs |")
    print("|---|---|---|---|---|---|---|---|" + ("---|" if AFTER_BULK else "") + "---|")

    def med(rs, i):
        return None if rs[0][i] is None else statistics.median(x[i] for x in rs)

    def cell(v, f):
        return "—" if v is None else format(v, f)

    for p in order:
        rs = results[p]
        if not rs:
            print(f"| {p} | failed | | | | | | 0 |")
            continue
        print(f"| {p} | {cell(med(rs, 3), ',.1f')} | {cell(med(rs, 4), '.2f')} | {cell(med(rs, 0), ',.1f')} | {cell(med(rs, 1), '.2f')} "
              f"| {cell(med(rs, 2), ',.0f')} | {cell(med(rs, 5), ',.1f')} "
              f"| {cell(med(rs, 6), '.2f')} ({', '.join('—' if x[6] is None else format(x[6], '.2f') for x in rs)}) "
              + (f"| {cell(med(rs, 7), '.2f')} ({', '.join('—' if x[7] is None else format(x[7], '.2f') for x in rs)}) " if AFTER_BULK else "")
              + f"| {len(rs)} |")
    if a.keep:
        print(f"# kept {tmp} (keys, sshd config, --trace output per JVM)")
    else:
        shutil.rmtree(tmp, ignore_errors=True)


def fmt(r):
    mib, cpu, setup, wmib, wcpu, wsetup, streams, after = r
    return (f"cold {mib:,.1f} MiB/s" + ("" if cpu is None else f" {cpu:.2f} CPU s/GiB") + f", set-up {setup:,.0f} ms; warm {wmib:,.1f} MiB/s"
            + ("" if wcpu is None else f" {wcpu:.2f} CPU s/GiB") + f", new stream {wsetup:,.1f} ms"
            + ("" if streams is None else f", {STREAMS} new streams median {streams:.2f} ms")
            + ("" if after is None else f", {AFTER_BULK} right after a transfer median {after:.2f} ms"))


if __name__ == "__main__":
    main()
