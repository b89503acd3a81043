# Sourced by the bench scripts that time the CLI.
# measure CMD ARGS...: runs the command and prints "<peak RSS in bytes> <wall
# seconds>" (the child's maximum resident set, from getrusage); on failure
# prints the end of its stderr and exits with its status.
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.monotonic() - t
if r.returncode != 0:
    sys.stderr.write(r.stderr.decode(errors="replace")[-2000:])
    sys.exit(r.returncode)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, "%.3f" % wall)
PY
}
