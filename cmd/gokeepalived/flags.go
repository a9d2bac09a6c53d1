package main

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/pflag"

	"github.com/gokeepalived/gokeepalived/internal/cli"
	"github.com/gokeepalived/gokeepalived/internal/control"
)

// defaultConfigFile is keepalived's default configuration path.
const defaultConfigFile = "/etc/keepalived/keepalived.conf"

// Options are keepalived's daemon flags (keepalived(8)) plus gokeepalived's
// own. Only -f, -i, -t, -d, -v, -h and --signum act yet; the daemon run
// path reads the rest.
type Options struct {
	ConfigFile string // -f, --use-file
	ConfigID   string // -i, --config-id; "" = short hostname

	DontFork     bool   // -n, --dont-fork
	LogConsole   bool   // -l, --log-console
	LogDetail    bool   // -D, --log-detail
	LogFacility  string // -S, --log-facility
	LogFile      string // -g, --log-file
	FlushLogFile bool   // --flush-log-file
	NoSyslog     bool   // -G, --no-syslog
	LogFormat    string // --log-format: text or json (gokeepalived)
	LogIdent     string // --log-ident: syslog identifier base (gokeepalived)

	VRRPOnly  bool // -P, --vrrp
	CheckOnly bool // -C, --check
	NoBFD     bool // -B, --no_bfd
	All       bool // --all

	PIDFile         string // -p, --pid
	VRRPPIDFile     string // -r, --vrrp_pid
	CheckersPIDFile string // -c, --checkers_pid
	BFDPIDFile      string // -b, --bfd_pid

	ReleaseVIPs     bool // -X, --release-vips
	DontReleaseVRRP bool // -V, --dont-release-vrrp
	DontReleaseIPVS bool // -I, --dont-release-ipvs
	DontRespawn     bool // -R, --dont-respawn

	// ConfigTest is -t/--config-test; ConfigTestLog is its optional file
	// for the messages ("" = stderr), as keepalived's -t=FILE.
	ConfigTest    bool
	ConfigTestLog string
	FatalOnly     bool   // --fatal-only: -t fails only where the daemon refuses to start (gokeepalived)
	DumpConf      bool   // -d, --dump-conf
	Namespace     string // -s, --namespace
	AllConfig     bool   // -e, --all-config
	Umask         string // -u, --umask
	CoreDump      bool   // -m, --core-dump
	CorePattern   string // -M, --core-dump-pattern
	SNMP          bool   // -x, --snmp
	SNMPSocket    string // -A, --snmp-agent-socket
	AddrMonitor   bool   // -a, --address-monitoring
	Signum        string // --signum
	Version, Help bool   // -v, -h

	Socket  string // --socket: control socket path (gokeepalived)
	Metrics string // --metrics: Prometheus listen address (gokeepalived)
}

// fatalOnlyUsage is the help of -t's and check's --fatal-only.
const fatalOnlyUsage = "with the config test: exit 0 unless the daemon would refuse to start; warnings and script problems are still printed"

// newFlagSet binds keepalived's flags to o.
func newFlagSet(o *Options, out io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet("gokeepalived", pflag.ContinueOnError)
	fs.SetOutput(out)
	fs.SortFlags = false
	fs.StringVarP(&o.ConfigFile, "use-file", "f", defaultConfigFile, "use the configuration `FILE`")
	fs.StringVarP(&o.ConfigID, "config-id", "i", "", "skip '@' lines that don't match `ID` (default: short hostname)")
	fs.BoolVarP(&o.VRRPOnly, "vrrp", "P", false, "only run the VRRP subsystem")
	fs.BoolVarP(&o.CheckOnly, "check", "C", false, "only run the health-checker subsystem")
	fs.BoolVarP(&o.NoBFD, "no_bfd", "B", false, "don't run the BFD subsystem")
	fs.BoolVar(&o.All, "all", false, "run all subsystems even without configuration")
	fs.BoolVarP(&o.LogConsole, "log-console", "l", false, "log messages to the console")
	fs.BoolVarP(&o.LogDetail, "log-detail", "D", false, "detailed log messages")
	fs.StringVarP(&o.LogFacility, "log-facility", "S", "", "syslog `FACILITY`: 0-7, local0-7, user or daemon")
	fs.StringVarP(&o.LogFile, "log-file", "g", "", "log to `FILE`")
	fs.BoolVar(&o.FlushLogFile, "flush-log-file", false, "flush the log file after each write")
	fs.BoolVarP(&o.NoSyslog, "no-syslog", "G", false, "don't log via syslog")
	fs.StringVarP(&o.Umask, "umask", "u", "", "`UMASK` for file creation (numeric)")
	fs.BoolVarP(&o.ReleaseVIPs, "release-vips", "X", false, "drop VIPs on transition from signal")
	fs.BoolVarP(&o.DontReleaseVRRP, "dont-release-vrrp", "V", false, "don't remove VIPs and routes on stop")
	fs.BoolVarP(&o.DontReleaseIPVS, "dont-release-ipvs", "I", false, "don't remove the IPVS topology on stop")
	fs.BoolVarP(&o.DontRespawn, "dont-respawn", "R", false, "don't respawn child processes")
	fs.BoolVarP(&o.DontFork, "dont-fork", "n", false, "run in the foreground")
	fs.BoolVarP(&o.DumpConf, "dump-conf", "d", false, "dump the resolved configuration")
	fs.StringVarP(&o.PIDFile, "pid", "p", "", "pid `FILE` of the parent process")
	fs.StringVarP(&o.VRRPPIDFile, "vrrp_pid", "r", "", "pid `FILE` of the VRRP process")
	fs.StringVarP(&o.CheckersPIDFile, "checkers_pid", "c", "", "pid `FILE` of the checkers process")
	fs.StringVarP(&o.BFDPIDFile, "bfd_pid", "b", "", "pid `FILE` of the BFD process")
	fs.BoolVarP(&o.AddrMonitor, "address-monitoring", "a", false, "report address changes seen via netlink")
	fs.BoolVarP(&o.SNMP, "snmp", "x", false, "enable the SNMP subsystem")
	fs.StringVarP(&o.SNMPSocket, "snmp-agent-socket", "A", "", "master agent `SOCKET`")
	fs.StringVarP(&o.Namespace, "namespace", "s", "", "run in network namespace `NAME`")
	fs.BoolVarP(&o.CoreDump, "core-dump", "m", false, "produce a core dump on abnormal exit")
	fs.StringVarP(&o.CorePattern, "core-dump-pattern", "M", "", "set the core `PATTERN`")
	fs.BoolVarP(&o.AllConfig, "all-config", "e", false, "error if any configuration file is missing")
	fs.StringVar(&o.Signum, "signum", "", "print the signal number of `SIGNAL`: STOP, RELOAD, DATA, STATS, STATS_CLEAR or JSON")
	fs.StringVarP(&o.ConfigTestLog, "config-test", "t", "", "check the configuration and exit; messages to `FILE` (default stderr)")
	fs.Lookup("config-test").NoOptDefVal = "-"
	fs.BoolVar(&o.FatalOnly, "fatal-only", false, fatalOnlyUsage+" (gokeepalived)")
	fs.BoolVarP(&o.Version, "version", "v", false, "print the version and exit")
	fs.BoolVarP(&o.Help, "help", "h", false, "print this help and exit")
	fs.StringVar(&o.Socket, "socket", control.DefaultSocketPath, "control socket `PATH`, \"none\" to disable (gokeepalived)")
	fs.StringVar(&o.LogFormat, "log-format", "", "log line `FORMAT`: text (default: keepalived's lines, then key=value) or json (gokeepalived)")
	fs.StringVar(&o.LogIdent, "log-ident", "", "syslog identifier `IDENT` (default: Keepalived); VRRP lines use IDENT_vrrp (gokeepalived)")
	fs.StringVar(&o.Metrics, "metrics", "", "Prometheus metrics listen `ADDR`[:PORT], port 19650 when left out, e.g. 127.0.0.1 (gokeepalived)")
	return fs
}

// parseFlags parses the daemon command line.
func parseFlags(args []string, out io.Writer) (*Options, error) {
	o := &Options{}
	fs := newFlagSet(o, out)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return nil, err
		}
		return nil, errors.New(cli.FlagError(fs, err))
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	if fs.Changed("config-test") {
		o.ConfigTest = true
		if o.ConfigTestLog == "-" {
			o.ConfigTestLog = ""
		}
	}
	return o, nil
}

// signums are the numbers keepalived --signum prints (Linux).
var signums = map[string]int{
	"STOP": 15, "RELOAD": 1, "DATA": 10, "STATS": 12, "STATS_CLEAR": 63, "JSON": 36,
}
