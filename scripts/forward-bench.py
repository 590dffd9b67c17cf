#!/usr/bin/env python3
"""Throughput of one `planetary forward` TCP stream on loopback (VL.md §12.8, issue 15).

Starts a root, a controller and two `planetary node --nic userspace` in a temporary directory (no
privileges), joins both to a network, exchanges their credentials with one ping-vl2 over IPv6,
has B expose the port of a TCP source (this script) that sends SIZE MiB per connection, runs
`planetary forward` on A, and reads SIZE MiB through A's local port: a cold transfer (first
connection) and RUNS warm ones. Prints MiB/s (the client's view, first byte to last) and the CPU
seconds per GiB of the two node JVMs (utime+stime, first byte to last).

Usage: python3 scripts/forward-bench.py [--size MIB] [--runs N] [--jar PLANETARY.jar] (after ./build
package; --jar measures another build, e.g. the one before a change, with the same script).
`python3 scripts/tunnel-bench.py --paths direct,planetary` gives `planetary tunnel` beside it;
BENCHMARKS.md ("planetary forward") has the results.
"""
import argparse, json, os, shutil, socket, statistics, subprocess, sys, tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLI = []  # java -jar <a copy of planetary.jar>: a rebuild during the run cannot pull the jar from under the daemons
CLK = os.sysconf("SC_CLK_TCK")


def run(d, *args):
    r = subprocess.run([*CLI, *args], cwd=d, capture_output=True, text=True, timeout=120)
    if r.returncode != 0:
        sys.exit(f"planetary {' '.join(args)}: exit {r.returncode}\n{r.stdout}{r.stderr}")
    return r.stdout


def daemon(d, role, name, *extra):
    args = [*CLI, role, "--home", os.path.join(d, name), "--port", "0", "--json", *extra]
    p = subprocess.Popen(args, cwd=d, stdout=subprocess.PIPE, stderr=open(os.path.join(d, name + ".err"), "w"), text=True)
    for line in p.stdout:
        if '"event":"ready"' in line:
            threading.Thread(target=lambda: [None for _ in p.stdout], daemon=True).start()  # keep draining
            return p, json.loads(line)
    sys.exit(f"{name} did not start; see {d}/{name}.err")



def await_status(d, home, status, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        nets = json.loads(run(d, "networks", "--home", home, "--json"))
        if nets and nets[0]["status"] == status:
            return nets[0]
        time.sleep(0.3)
    sys.exit(f"{home}: network not {status} within {seconds} s")


def assigned(net, sep):
    return next(a.split("/")[0] for a in net["assignedAddresses"] if sep in a)


def cpu(pid):
    with open(f"/proc/{pid}/stat") as f:
        parts = f.read().rsplit(")", 1)[1].split()
    return (int(parts[11]) + int(parts[12])) / CLK


def source(size):
    """A TCP server on 127.0.0.1 that sends `size` bytes to each connection, then closes it."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(8)
    chunk = os.urandom(1 << 20)

    def serve():
        while True:
            c, _ = srv.accept()

            def send(c=c):
                left = size
                with c:
                    while left > 0:
                        n = min(left, len(chunk))
                        c.sendall(chunk[:n])
                        left -= n
            threading.Thread(target=send, daemon=True).start()
    threading.Thread(target=serve, daemon=True).start()
    return srv.getsockname()[1]


def transfer(port, size, pids):
    s = socket.create_connection(("127.0.0.1", port))
    buf = bytearray(1 << 20)
    got = 0
    first = None
    c0 = 0
    while got < size:
        n = s.recv_into(buf)
        if n == 0:
            break
        if first is None:
            first = time.perf_counter()
            c0 = sum(cpu(p) for p in pids)
        got += n
    end = time.perf_counter()
    c1 = sum(cpu(p) for p in pids)
    s.close()
    if got < size:
        sys.exit(f"only {got} of {size} bytes came through")
    secs = end - first
    return size / secs / (1 << 20), (c1 - c0) / (size / (1 << 30))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--size", type=int, default=256, help="MiB per transfer")
    ap.add_argument("--runs", type=int, default=3, help="warm transfers")
    ap.add_argument("--jar", default=os.path.join(ROOT, "planetary-cli", "target", "planetary.jar"), help="the build to measure")
    a = ap.parse_args()
    size = a.size << 20
    procs = []
    with tempfile.TemporaryDirectory(prefix="forward-bench-") as d:
        jar = a.jar
        if not os.path.exists(jar):
            sys.exit(f"{jar} is missing: ./build package first")
        shutil.copy(jar, os.path.join(d, "planetary.jar"))
        jdk = subprocess.run(["bash", "-c", f". {ROOT}/scripts/jdk.sh && planetary_use_jdk && command -v java"],
                             capture_output=True, text=True, check=True).stdout.strip()
        CLI[:] = [jdk, "--enable-native-access=ALL-UNNAMED", "-jar", os.path.join(d, "planetary.jar")]
        try:
            root, r = daemon(d, "root", "root1")
            procs.append(root)
            run(d, "rootset", "keygen", "it")
            run(d, "rootset", "create", "--name", "it", "--revision", "1", "--update-key", "it.updatepub", "--key", "it.updatekey",
                "-o", "it.rootset", "--force", "--root", f"{d}/root1/identity.public@127.0.0.1/{r['port']}")
            rs = os.path.join(d, "it.rootset")
            ctl, _ = daemon(d, "controller", "ctl", "--rootset", rs)
            procs.append(ctl)
            nwid = run(d, "controller", "network", "create", "--home", f"{d}/ctl", "--name", "bench", "--route", "10.147.19.0/24",
                       "--pool", "10.147.19.1-10.147.19.254", "--rfc4193").strip()
            src = source(size)
            os.makedirs(f"{d}/b", mode=0o700)
            with open(f"{d}/b/planetary.json", "w") as f:
                json.dump({"forward": {"expose": [src]}}, f)
            na, ra = daemon(d, "node", "a", "--nic", "userspace", "--rootset", rs)
            nb, rb = daemon(d, "node", "b", "--nic", "userspace", "--rootset", rs)
            procs += [na, nb]
            for name, ready in (("a", ra), ("b", rb)):
                run(d, "join", "--home", f"{d}/{name}", nwid)
                run(d, "controller", "member", "authorize", "--home", f"{d}/ctl", nwid, ready["address"])
            await_status(d, f"{d}/a", "OK")
            b = await_status(d, f"{d}/b", "OK")
            run(d, "ping-vl2", "--home", f"{d}/a", "-c", "3", "-i", "0.2", nwid, assigned(b, ":"))
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            local = s.getsockname()[1]
            s.close()
            print(run(d, "forward", "--home", f"{d}/a", str(local), nwid, f"{assigned(b, '.')}:{src}").strip(), file=sys.stderr)
            pids = [na.pid, nb.pid]
            cold = transfer(local, size, pids)
            warm = [transfer(local, size, pids) for _ in range(a.runs)]
            print(run(d, "forward", "list", "--home", f"{d}/a").strip(), file=sys.stderr)
            print(f"| `planetary forward` ({os.path.basename(jar)}), {a.size} MiB | {statistics.median(w[0] for w in warm):.1f} | "
                  f"{statistics.median(w[1] for w in warm):.2f} | {cold[0]:.1f} | {cold[1]:.2f} |")
            print("warm runs (MiB/s):", ", ".join(f"{w[0]:.1f}" for w in warm), file=sys.stderr)
        finally:
            for p in procs:
                p.terminate()
            for p in procs:
                try:
                    p.wait(20)
                except subprocess.TimeoutExpired:
                    p.kill()


if __name__ == "__main__":
    main()
