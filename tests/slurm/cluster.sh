#!/usr/bin/env bash
# Single-node Slurm "cluster" on localhost for profspace's Slurm test
# (tests/slurm/run.sh), self-contained under $SLURMTEST_BASE.
#
#   cluster.sh start   install slurm+munge (apt) if missing, start munged,
#                      slurmctld, slurmd; wait until the node is idle
#   cluster.sh stop    kill everything this script started (idempotent)
#   cluster.sh status  show what is running
#   cluster.sh env     print "export SLURM_CONF=..." for interactive use
#
# All runtime state (munge key/socket, slurm.conf, state/spool dirs, logs, pid
# files) lives in $STATE.  Nothing is written to /etc/slurm, /etc/munge,
# /run/munge or /var/spool; only apt-get touches the system.
set -Eeuo pipefail

BASE=${SLURMTEST_BASE:-/tmp/profspace-slurm-cluster}
STATE=$BASE/state
CONF_DIR=$STATE/etc
CONF=$CONF_DIR/slurm.conf
MUNGE_DIR=$STATE/munge          # 0755 (munged wants every socket ancestor o+x)
MUNGE_KEY=$MUNGE_DIR/key/munge.key
MUNGE_SOCK=$MUNGE_DIR/sock/munge.socket
PID_DIR=$STATE/pids
LOG_DIR=$STATE/log
LOCK=$BASE/.cluster.lock

START_TIMEOUT=${START_TIMEOUT:-60}   # seconds to wait for node to become idle

export SLURM_CONF=$CONF

NODE=$(hostname -s)

log()  { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die()  { log "ERROR: $*"; exit 1; }
now()  { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN{printf "%.1f", b-a}'; }

need_root() { [ "$(id -u)" -eq 0 ] || die "must run as root"; }

# Serialise start/stop so two invocations cannot race.
take_lock() {
    mkdir -p "$BASE"
    exec 9>"$LOCK"
    flock -w 120 9 || die "could not acquire $LOCK"
}

# ---------------------------------------------------------------- processes
# alive PID: exists and is not a zombie
alive() {
    local pid=$1 st
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [ -r "/proc/$pid/stat" ] || return 1
    st=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ] && [ "$st" != X ]
}

# PIDs belonging to THIS instance, found without matching on broad names:
#  - our daemons: /usr/sbin/{munged,slurmctld,slurmd} whose command line
#    references $STATE/ (covers daemons whose pid file was lost);
#  - slurmstepd processes holding an fd into $STATE/ (slurmd.log, spool dir);
#    slurmstepd rewrites its argv+environ for its process title, so neither
#    cmdline nor environ identifies it;
#  - every descendant of the above (job scripts and their children).
# Printed deepest-first-ish (roots last) so jobs die before their stepd.
instance_pids() {
    local d p line rest cmd exe f
    local -A kids=()
    local roots=()
    for d in /proc/[0-9]*; do
        p=${d#/proc/}
        [ "$p" = $$ ] && continue
        read -r line 2>/dev/null <"$d/stat" || continue
        rest=${line##*) }            # skip "pid (comm) "; comm may contain spaces
        set -- $rest                 # $1=state $2=ppid
        [ "$1" = Z ] && continue
        kids[$2]+=" $p"
        cmd=$(tr "\0" " " 2>/dev/null <"$d/cmdline") || continue
        [ -n "$cmd" ] || continue    # kernel thread
        if [[ $cmd =~ ^/usr/sbin/(munged|slurmctld|slurmd)\ .*"$STATE/" ]]; then
            roots+=("$p"); continue
        fi
        exe=$(readlink "$d/exe" 2>/dev/null) || exe=
        if [[ ${exe##*/} == slurmstepd* ]]; then
            for f in "$d"/fd/*; do
                if [[ $(readlink "$f" 2>/dev/null) == "$STATE/"* ]]; then
                    roots+=("$p"); break
                fi
            done
        fi
    done
    # breadth-first over descendants
    local -A seen=()
    local queue=("${roots[@]}") out=() c
    while [ ${#queue[@]} -gt 0 ]; do
        p=${queue[0]}; queue=("${queue[@]:1}")
        [ -n "${seen[$p]:-}" ] && continue
        seen[$p]=1
        [ "$p" = $$ ] || out+=("$p")
        for c in ${kids[$p]:-}; do queue+=("$c"); done
    done
    # reverse: descendants first
    local i
    for (( i=${#out[@]}-1; i>=0; i-- )); do echo "${out[$i]}"; done
}

kill_pid() {   # kill_pid NAME PID [GRACE_SECONDS=10] : TERM, wait, then KILL
    local name=$1 pid=$2 grace=${3:-10} i
    alive "$pid" || return 0
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 $((grace * 5))); do alive "$pid" || return 0; sleep 0.2; done
    log "$name (pid $pid) ignored SIGTERM, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    for i in $(seq 1 25); do alive "$pid" || return 0; sleep 0.2; done
    log "WARNING: $name (pid $pid) still alive"
}

daemon_running() {  # daemon_running NAME
    local f=$PID_DIR/$1.pid
    [ -s "$f" ] && alive "$(cat "$f")"
}

# ---------------------------------------------------------------- install
install_pkgs() {
    local missing=() b
    for b in slurmctld slurmd sinfo sbatch munged mungekey; do
        command -v "$b" >/dev/null 2>&1 || missing+=("$b")
    done
    if [ ${#missing[@]} -eq 0 ]; then
        log "slurm + munge already installed"
        return 0
    fi
    log "missing binaries: ${missing[*]} -> apt-get install"
    local t0; t0=$(now)
    export DEBIAN_FRONTEND=noninteractive
    # Debian's policy-rc.d (exit 101) stops postinst from trying to start the
    # services; we start our own instances below anyway.
    apt-get update -qq >"$BASE/apt.log" 2>&1 || log "apt-get update failed (continuing; see $BASE/apt.log)"
    apt-get install -y -q --no-install-recommends \
        slurmctld slurmd slurm-client munge >>"$BASE/apt.log" 2>&1 \
        || die "apt-get install failed, see $BASE/apt.log"
    log "TIMING apt install: $(elapsed "$t0")s"
}

# ---------------------------------------------------------------- munge
start_munge() {
    if daemon_running munged; then
        log "munged already running (pid $(cat "$PID_DIR/munged.pid"))"
        return 0
    fi
    install -d -m 0755 "$MUNGE_DIR" "$MUNGE_DIR/sock"
    install -d -m 0700 "$MUNGE_DIR/key" "$MUNGE_DIR/log"
    install -d -m 0711 "$MUNGE_DIR/lib"
    if [ ! -s "$MUNGE_KEY" ]; then
        mungekey --create --keyfile="$MUNGE_KEY" \
            || dd if=/dev/urandom of="$MUNGE_KEY" bs=1 count=1024 status=none
    fi
    chmod 0400 "$MUNGE_KEY"
    rm -f "$MUNGE_SOCK" "$MUNGE_SOCK.lock"
    # munged daemonises itself and writes its own pid file.
    /usr/sbin/munged \
        --key-file="$MUNGE_KEY" \
        --socket="$MUNGE_SOCK" \
        --pid-file="$PID_DIR/munged.pid" \
        --log-file="$MUNGE_DIR/log/munged.log" \
        --seed-file="$MUNGE_DIR/lib/munged.seed" \
        </dev/null 2>>"$LOG_DIR/munged.stderr" 9>&- \
        || { cat "$LOG_DIR/munged.stderr" >&2; die "munged failed to start"; }
    local i
    for i in $(seq 1 50); do
        [ -S "$MUNGE_SOCK" ] && munge -S "$MUNGE_SOCK" -n 2>/dev/null \
            | unmunge -S "$MUNGE_SOCK" >/dev/null 2>&1 && break
        sleep 0.2
    done
    munge -S "$MUNGE_SOCK" -n | unmunge -S "$MUNGE_SOCK" >/dev/null \
        || die "munge round-trip failed (see $MUNGE_DIR/log/munged.log)"
    log "munged up (pid $(cat "$PID_DIR/munged.pid"))"
}

# ---------------------------------------------------------------- slurm.conf
write_conf() {
    local cpus mem sockets cores threads c
    cpus=$(nproc)
    c=$(slurmd -C 2>/dev/null | head -1) || c=
    mem=$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$c")
    sockets=$(sed -n 's/.*SocketsPerBoard=\([0-9]*\).*/\1/p' <<<"$c")
    cores=$(sed -n 's/.*CoresPerSocket=\([0-9]*\).*/\1/p' <<<"$c")
    threads=$(sed -n 's/.*ThreadsPerCore=\([0-9]*\).*/\1/p' <<<"$c")
    [ -n "$mem" ] || mem=$(awk '/^MemTotal:/{print int($2/1024)}' /proc/meminfo)
    local topo=""
    # Only give topology if it is consistent with nproc; otherwise CPUs= alone.
    if [ -n "$sockets" ] && [ -n "$cores" ] && [ -n "$threads" ] \
       && [ $((sockets * cores * threads)) -eq "$cpus" ]; then
        topo=" Sockets=$sockets CoresPerSocket=$cores ThreadsPerCore=$threads"
    fi
    install -d -m 0755 "$CONF_DIR"
    cat >"$CONF.tmp" <<EOF
# generated by $BASE/cluster.sh on $(date -Is)
ClusterName=profspace
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCK
StateSaveLocation=$STATE/ctld
SlurmdSpoolDir=$STATE/spool/slurmd
SlurmctldPidFile=$PID_DIR/slurmctld.conf.pid
SlurmdPidFile=$PID_DIR/slurmd.conf.pid
SlurmctldLogFile=$LOG_DIR/slurmctld.log
SlurmdLogFile=$LOG_DIR/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
PlugStackConfig=$CONF_DIR/plugstack.conf
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SwitchType=switch/none
MpiDefault=none
MailProg=/bin/true
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MinJobAge=600
SlurmdTimeout=60
InactiveLimit=0
KillWait=5
NodeName=$NODE NodeHostname=$NODE NodeAddr=127.0.0.1 CPUs=$cpus$topo RealMemory=$mem State=UNKNOWN
PartitionName=debug Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
EOF
    mv "$CONF.tmp" "$CONF"
    : >"$CONF_DIR/plugstack.conf"   # empty: do not pick up /etc/slurm/plugstack.conf.d
    log "wrote $CONF (CPUs=$cpus RealMemory=$mem)"
}

# ---------------------------------------------------------------- slurm daemons
launch() {   # launch NAME ARGS... : run in foreground mode (-D) in background
    local name=$1; shift
    # setsid: own session, so a Ctrl-C / SIGHUP to the caller does not reach it.
    # In a non-interactive shell the child is not a process-group leader, so
    # setsid(1) does not fork and $! is the daemon's own pid.
    # 9>&- : do not leak the lock fd, or the daemon would hold the lock forever.
    setsid "$@" </dev/null >>"$LOG_DIR/$name.stderr" 2>&1 9>&- &
    local pid=$!
    echo "$pid" >"$PID_DIR/$name.pid"
    sleep 0.5
    alive "$pid" || { log "$name exited immediately:"; tail -n 20 "$LOG_DIR/$name.stderr" "$LOG_DIR/$name.log" >&2 2>/dev/null || true; return 1; }
    log "$name started (pid $pid)"
}

node_state() { sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -1; }

wait_idle() {
    local deadline=$(( $(date +%s) + START_TIMEOUT )) st=""
    while [ "$(date +%s)" -lt "$deadline" ]; do
        daemon_running slurmctld || die "slurmctld died; see $LOG_DIR/slurmctld.{log,stderr}"
        daemon_running slurmd    || die "slurmd died; see $LOG_DIR/slurmd.{log,stderr}"
        st=$(node_state) || st=""
        case $st in
            idle|mixed|allocated) log "node $NODE is $st"; return 0 ;;
            down*|drain*|fail*)
                # with ReturnToService=2 a DOWN node returns when slurmd registers;
                # nudge it anyway
                scontrol update NodeName="$NODE" State=RESUME >/dev/null 2>&1 || true ;;
        esac
        sleep 1
    done
    log "node state after ${START_TIMEOUT}s: '${st:-<no answer>}'"
    sinfo -N -l >&2 2>&1 || true
    scontrol show node "$NODE" >&2 2>&1 || true
    tail -n 30 "$LOG_DIR/slurmctld.log" "$LOG_DIR/slurmd.log" >&2 2>/dev/null || true
    die "node did not become idle within ${START_TIMEOUT}s"
}

# ---------------------------------------------------------------- commands
cmd_start() {
    need_root
    take_lock
    local t0; t0=$(now)
    install_pkgs

    # Already fully up? -> nothing to do (idempotent).
    if daemon_running munged && daemon_running slurmctld && daemon_running slurmd \
       && [[ $(node_state) =~ ^(idle|mixed|allocated)$ ]]; then
        log "cluster already running; node $NODE is $(node_state)"
        return 0
    fi
    # Partially up or stale -> clean slate.
    do_stop quiet

    START_OK=0
    # Any failure/interrupt from here on tears down whatever we launched.
    trap 'rc=$?; if [ "${START_OK:-0}" -eq 0 ]; then log "start failed (rc=$rc) - tearing down"; do_stop quiet; fi' EXIT
    trap 'exit 130' INT TERM HUP

    rm -rf "$STATE/ctld" "$STATE/spool"
    # keep the previous run's logs (useful after a failed start) as log.prev
    if [ -d "$LOG_DIR" ]; then rm -rf "$STATE/log.prev"; mv "$LOG_DIR" "$STATE/log.prev"; fi
    if [ -f "$MUNGE_DIR/log/munged.log" ]; then mv -f "$MUNGE_DIR/log/munged.log" "$MUNGE_DIR/log/munged.log.prev"; fi
    install -d -m 0755 "$STATE" "$PID_DIR" "$LOG_DIR" "$STATE/ctld" "$STATE/spool/slurmd"
    start_munge
    write_conf

    for p in 6817 6818; do
        if ss -Hltn "sport = :$p" 2>/dev/null | grep -q .; then
            die "TCP port $p already in use: $(ss -Hltnp "sport = :$p")"
        fi
    done

    # -c: start with clean state (state dir was just wiped anyway)
    launch slurmctld /usr/sbin/slurmctld -D -c -f "$CONF"
    # give slurmctld a moment to open its port before slurmd registers
    local i
    for i in $(seq 1 50); do
        scontrol ping 2>/dev/null | grep -q UP && break
        daemon_running slurmctld || break
        sleep 0.2
    done
    launch slurmd /usr/sbin/slurmd -D -f "$CONF" -N "$NODE"
    wait_idle
    START_OK=1
    trap - EXIT INT TERM HUP
    log "TIMING start: $(elapsed "$t0")s"
    sinfo
}

do_stop() {   # do_stop [quiet]
    local name pid f
    # 1. cancel jobs politely if the controller answers (bounded by timeout)
    if daemon_running slurmctld; then
        timeout 10 scancel --full --quiet -u root >/dev/null 2>&1 || true
        timeout 10 bash -c 'for i in $(seq 1 20); do [ -z "$(squeue -h 2>/dev/null)" ] && exit 0; sleep 0.5; done' || true
    fi
    # 2. daemons by saved pid (slurmd first, munged last: the others need it)
    for name in slurmd slurmctld munged; do
        for f in "$PID_DIR/$name.pid" "$PID_DIR/$name.conf.pid"; do
            [ -s "$f" ] || continue
            pid=$(cat "$f" 2>/dev/null) || continue
            kill_pid "$name" "$pid"
        done
    done
    # 3. stragglers of this instance (slurmstepd, job processes, daemons whose
    #    pid file was lost) - see instance_pids
    local left
    left=$(instance_pids || true)
    if [ -n "$left" ]; then
        # slurmstepd blocks SIGTERM, so use a short grace before SIGKILL
        for pid in $left; do
            kill_pid "straggler '$(tr '\0' ' ' 2>/dev/null </proc/"$pid"/cmdline | cut -c1-50)'" "$pid" 2
        done
    fi
    left=$(instance_pids || true)
    if [ -n "$left" ]; then
        log "WARNING: still alive after stop: $(echo $left)"
        return 1
    fi
    rm -f "$PID_DIR"/*.pid "$MUNGE_SOCK" "$MUNGE_SOCK.lock" 2>/dev/null || true
    [ "${1:-}" = quiet ] || log "stopped (nothing of this instance is running)"
}

cmd_stop() {
    need_root
    take_lock
    local t0; t0=$(now)
    do_stop
    log "TIMING stop: $(elapsed "$t0")s"
}

cmd_status() {
    local n
    for n in munged slurmctld slurmd; do
        if daemon_running "$n"; then echo "$n: running (pid $(cat "$PID_DIR/$n.pid"))"
        else echo "$n: not running"; fi
    done
    if daemon_running slurmctld; then sinfo; squeue; fi
}

case ${1:-} in
    start)  cmd_start ;;
    stop)   cmd_stop ;;
    status) cmd_status ;;
    env)    echo "export SLURM_CONF=$CONF" ;;
    *) echo "usage: $0 {start|stop|status|env}" >&2; exit 2 ;;
esac
