"""Shared pieces of the benchmark tools (tools/bench, tools/bench-boot,
tools/bench-guest, tools/bench-footprint): the one QEMU command line every
benchmark boot uses, a serial-line runner that timestamps each line, the KVM
probe, the Xen image, host facts and number formatting.

Every boot, Xenolith or Xen, runs under the same QEMU settings:

    qemu-system-x86_64 -accel tcg -cpu Haswell-noTSX,+x2apic -m 256M -smp 1
        -display none -monitor none -serial stdio -no-reboot
        -device isa-debug-exit,iobase=0xf4,iosize=0x04
        then either -kernel HV -append LINE -initrd GUEST    (direct, multiboot1)
        or          -cdrom ISO -boot d                        (GRUB, multiboot2)

Only the hypervisor image and its command line differ.
"""
import hashlib, os, platform, re, shutil, subprocess, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BUILD = os.path.join(ROOT, "build")
LOGS = os.path.join(BUILD, "bench-logs")
WORK = os.path.join(BUILD, "bench-work")

MEMORY = "256M"
SMP = 1
TCG_CPU = "Haswell-noTSX,+x2apic"
KVM_CPU = "host,-arch-capabilities"

# Hypervisor command lines. Both give dom0 64 MiB; the Xen line is the one
# tools/run-qemu and make test-xen use.
XENOLITH_LINE = "console=com1 dom0_mem=64M"
XEN_LINE = "console=com1 com1=115200,8n1 dom0_mem=64M,max:64M loglvl=all guest_loglvl=all"
XEN_NOMIT = "spec-ctrl=no xpti=false"

# Xen configurations, in the order the tables show them. The headline one is
# booted exactly as Xenolith is (same QEMU command line but for the image and
# -append) and runs without the speculative mitigations Xenolith does not
# have; the others are kept to show what the mitigations and the GRUB-boot
# artifact cost (docs/performance.md).
HEADLINE = "xen-nomit"
XEN_CONFIGS = {
    # key: (label, boot for the guest figures, extra Xen options, description)
    "xen-nomit": ("Xen no-mit", "direct", XEN_NOMIT,
                  "Xen 4.17 booted as Xenolith is, spec-ctrl=no xpti=false (no speculative "
                  "mitigations, like Xenolith): the headline comparison"),
    "xen-direct": ("Xen default", "direct", "",
                   "the same Xen with its default settings: under TCG's Haswell model, which "
                   "claims no Meltdown immunity, XPTI is on for dom0"),
    "xen-grub": ("Xen default GRUB", "grub", "",
                 "Xen default booted by GRUB (multiboot2), as make test-xen does: inflated by a "
                 "QEMU TCG artifact (GRUB's module code stays translated on the page that becomes "
                 "Xen's stack, docs/performance.md)"),
}


def qemu_base(accel="tcg"):
    cmd = ["qemu-system-x86_64"]
    cmd += ["-accel", "kvm", "-cpu", KVM_CPU] if accel == "kvm" else ["-accel", "tcg", "-cpu", TCG_CPU]
    cmd += ["-m", MEMORY, "-smp", str(SMP), "-display", "none", "-monitor", "none",
            "-serial", "stdio", "-no-reboot", "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    return cmd


def qemu_cmd(accel, boot, kernel=None, cmdline="", guest=None, iso=None):
    """kernel: an uncompressed multiboot1 image (direct); iso: for GRUB."""
    cmd = qemu_base(accel)
    if boot == "direct":
        cmd += ["-kernel", kernel, "-append", cmdline, "-initrd", guest.replace(",", ",,")]
    else:
        cmd += ["-cdrom", iso, "-boot", "d"]
    return cmd


def make_iso(hv, cmdline, guest, output):
    """A GRUB rescue ISO (tools/make-iso) booting hv by multiboot2 with guest as dom0."""
    os.makedirs(os.path.dirname(output), exist_ok=True)
    subprocess.run([os.path.join(ROOT, "tools/make-iso"), "--hv", hv, "--hv-cmdline", cmdline,
                    "--guest", guest, "--output", output], check=True, stdout=subprocess.DEVNULL)
    return output


class Run:
    """One QEMU run: serial lines with their times since QEMU was started."""

    def __init__(self):
        self.lines = []          # (seconds since start, wall-clock time, text)
        self.returncode = None
        self.exit_time = None    # seconds since start when QEMU exited by itself
        self.killed = None       # why we stopped QEMU: "stopped" (on_line asked), "timeout"
        self.stderr = ""

    def first(self, regex):
        """Time of the first line matching regex, or None."""
        r = re.compile(regex)
        for t, _, text in self.lines:
            if r.search(text):
                return t
        return None

    def text(self):
        return "\n".join(l[2] for l in self.lines)

    def save(self, path, header=""):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w") as f:
            if header:
                f.write(header.rstrip("\n") + "\n")
            f.write("# seconds since QEMU start, then the serial line\n")
            for t, _, text in self.lines:
                f.write(f"{t:9.4f} {text}\n")
            if self.exit_time is not None:
                f.write(f"{self.exit_time:9.4f} # QEMU exited by itself, status {self.returncode}\n")
            elif self.killed:
                f.write(f"# QEMU stopped by the benchmark ({self.killed})\n")


def run_serial(cmd, timeout, on_line=None, stdin_pipe=False):
    """Start QEMU, timestamp every serial line. on_line(run, proc, t, text)
    may return True to stop QEMU at once (the runner kills it). Returns a Run."""
    run = Run()
    t0 = time.monotonic()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         stdin=subprocess.PIPE if stdin_pipe else subprocess.DEVNULL)
    timed_out, finished = threading.Event(), threading.Event()

    def watchdog():
        if finished.wait(timeout):
            return
        timed_out.set()
        p.kill()
    threading.Thread(target=watchdog, daemon=True).start()
    err = []
    reader = threading.Thread(target=lambda: err.append(p.stderr.read()), daemon=True)
    reader.start()
    stop = False
    for raw in p.stdout:
        now = time.monotonic() - t0
        text = raw.decode(errors="replace").rstrip("\r\n").replace("\r", "")
        run.lines.append((now, time.time(), text))
        if on_line and not stop and on_line(run, p, now, text):
            stop = True
            run.killed = "stopped"
            p.kill()
            break
    p.wait()
    end = time.monotonic() - t0
    finished.set()
    if timed_out.is_set():
        run.killed = "timeout"
    elif not stop:
        run.exit_time = end
    run.returncode = p.returncode
    reader.join(2)
    run.stderr = "\n".join(l for l in (err[0].decode(errors="replace") if err else "").splitlines()
                           if "TCG doesn't support requested feature" not in l)
    return run


def kvm_probe():
    """(usable, reason) from tools/kvm-probe (cached per boot of the machine)."""
    p = subprocess.run([os.path.join(ROOT, "tools/kvm-probe")], capture_output=True, text=True)
    usable = p.stdout.strip() == "kvm"
    reason = p.stderr.strip().replace("kvm-probe: ", "")
    reason = re.sub(r": using TCG", "", reason).replace(" (cached)", "")
    return usable, ("" if usable else reason or "KVM unusable here")


def fetch_xen():
    """(path of xen.gz, path of the uncompressed multiboot1 image, problem or None)."""
    p = subprocess.run([os.path.join(ROOT, "tools/fetch-xen")], capture_output=True, text=True)
    gz = p.stdout.strip()
    if p.returncode != 0 or not os.path.isfile(gz):
        err = (p.stderr.strip().splitlines() or ["no image"])[-1]
        return None, None, f"tools/fetch-xen failed: {err}"
    raw = os.path.join(WORK, os.path.basename(gz)[:-3])
    if not os.path.isfile(raw) or os.path.getmtime(raw) < os.path.getmtime(gz):
        os.makedirs(WORK, exist_ok=True)
        subprocess.run(f"gzip -dc '{gz}' > '{raw}.tmp' && mv '{raw}.tmp' '{raw}'", shell=True, check=True)
    return gz, raw, None


def xen_version_of(gz):
    """The Debian package version the image came from (tools/fetch-xen keeps the .deb)."""
    d = os.path.dirname(os.path.dirname(os.path.dirname(gz)))
    for name in sorted(os.listdir(d)) if os.path.isdir(d) else []:
        m = re.match(r"(xen-hypervisor-[^_]+)_([^_]+)_", name)
        if m:
            return f"{m.group(1)} {m.group(2).replace('%2b', '+')}"
    return os.path.basename(gz)


def snapshot(path, name):
    """Copy a file into build/bench-work/ so a rebuild during the run changes nothing."""
    os.makedirs(WORK, exist_ok=True)
    dst = os.path.join(WORK, name)
    shutil.copyfile(path, dst)
    return dst


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def git_commit():
    """Read-only: the commit the tree is at, "+changes" when the hypervisor's
    sources differ from it."""
    try:
        head = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                              capture_output=True, text=True).stdout.strip()
        # Only what the hypervisor image is built from counts as a change.
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no",
                                "--", "hv", "boot", "public"],
                               capture_output=True, text=True).stdout.strip()
        return head + ("+changes" if dirty else "") if head else "?"
    except OSError:
        return "?"


def host_facts():
    facts = {"machine": platform.machine(), "cpus": os.cpu_count(), "kernel": platform.release()}
    try:
        with open("/proc/cpuinfo") as f:
            info = f.read()
        m = re.search(r"model name\s*:\s*(.*)", info)
        facts["cpu"] = m.group(1).strip() if m else "?"
        m = re.search(r"cpu MHz\s*:\s*(.*)", info)
        facts["cpu_mhz"] = float(m.group(1)) if m else None
        facts["hypervisor_flag"] = " hypervisor " in (" " + info.replace("\n", " ") + " ")
    except OSError:
        pass
    try:
        with open("/etc/debian_version") as f:
            facts["debian"] = f.read().strip()
    except OSError:
        pass
    try:
        v = subprocess.run(["qemu-system-x86_64", "--version"], capture_output=True, text=True)
        facts["qemu"] = v.stdout.splitlines()[0].strip()
        d = subprocess.run(["dpkg-query", "-W", "-f=${Version}", "qemu-system-x86"],
                           capture_output=True, text=True)
        facts["qemu_package"] = d.stdout.strip()
    except (OSError, IndexError):
        facts["qemu"] = "?"
    return facts


def fmt_int(v):
    return f"{v:,}".replace(",", " ")


def fmt_num(v):
    """Compact: up to 4 significant digits, k/M suffixes from 10 000 on."""
    if v is None:
        return "-"
    a = abs(v)
    if a >= 1e7:
        return f"{v / 1e6:.1f}M"
    if a >= 1e6:
        return f"{v / 1e6:.2f}M"
    if a >= 1e5:
        return f"{v / 1e3:.0f}k"
    if a >= 1e4:
        return f"{v / 1e3:.1f}k"
    if a >= 100 or float(v).is_integer():
        return f"{v:.0f}"
    return f"{v:.3g}"


def fmt_ratio(r):
    if r is None:
        return "-"
    return f"{r:.3g}"


def ratio(a, b):
    return a / b if a is not None and b else None


def rel(path):
    path = os.path.abspath(path)
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


class ForeignLoad:
    """Samples, while the benchmark runs, the CPU time used by processes that
    are not ours (not this process or its descendants): 2 vCPUs are few, and
    a build or a test suite running beside the benchmark inflates figures.
    Foreign time = the machine's busy time (/proc/stat) - our process tree's
    (live processes' own and reaped children's times), so short-lived
    processes count too; also records the time the host stole from us."""

    def __init__(self, interval=1.0):
        self.interval = interval
        self.samples = self.busy_samples = 0
        self.foreign_ticks = self.steal_ticks = self.total_ticks = 0
        self.names = {}          # foreign commands seen using CPU -> ticks
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _procs():
        out = {}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    st = f.read()
                name = st[st.index("(") + 1:st.rindex(")")]
                r = st[st.rindex(")") + 2:].split()
                # ppid, name, own ticks, own + reaped children's ticks
                out[int(pid)] = (int(r[1]), name, int(r[11]) + int(r[12]),
                                 int(r[11]) + int(r[12]) + int(r[13]) + int(r[14]))
            except (OSError, ValueError, IndexError):
                continue
        return out

    @staticmethod
    def _cpu():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        busy = v[0] + v[1] + v[2] + v[5] + v[6]          # user nice system irq softirq
        return busy, (v[7] if len(v) > 7 else 0), sum(v[:8])

    def _ours(self, procs):
        ours, me = set(), os.getpid()
        for pid in procs:
            p, seen = pid, 0
            while p > 1 and seen < 64:
                if p == me:
                    ours.add(pid)
                    break
                p = procs.get(p, (0,))[0]
                seen += 1
        return ours

    def _run(self):
        prev_p = self._procs()
        prev_ours = sum(prev_p[p][3] for p in self._ours(prev_p))
        prev_c = self._cpu()
        ncpu = os.cpu_count() or 1
        hz = os.sysconf("SC_CLK_TCK")
        while not self._stop.wait(self.interval):
            cur_p, cur_c = self._procs(), self._cpu()
            ours = self._ours(cur_p)
            our_ticks = sum(cur_p[p][3] for p in ours)
            foreign = max(0, (cur_c[0] - prev_c[0]) - max(0, our_ticks - prev_ours))
            self.samples += 1
            self.foreign_ticks += foreign
            self.steal_ticks += cur_c[1] - prev_c[1]
            self.total_ticks += cur_c[2] - prev_c[2]
            if foreign > 0.3 * hz * self.interval:
                self.busy_samples += 1
            for pid, (_, name, own, _) in cur_p.items():
                if pid not in ours and pid in prev_p and prev_p[pid][1] == name and own > prev_p[pid][2]:
                    self.names[name] = self.names.get(name, 0) + own - prev_p[pid][2]
                elif pid not in ours and pid not in prev_p and own > 0:
                    self.names[name] = self.names.get(name, 0) + own
            prev_p, prev_c, prev_ours = cur_p, cur_c, our_ticks
        self.ncpu = ncpu

    def start(self):
        self._thread.start()
        return self

    def stop(self):
        self._stop.set()
        self._thread.join(3)
        tot = self.total_ticks or 1
        return {"busy_fraction": round(self.busy_samples / self.samples, 3) if self.samples else 0,
                "foreign_cpu_share": round(self.foreign_ticks / tot, 3),
                "steal_share": round(self.steal_ticks / tot, 3),
                "busy_processes": [k for k, _ in sorted(self.names.items(), key=lambda kv: -kv[1])
                                   if k not in ("process_api", "kdamond.0")][:5]}
