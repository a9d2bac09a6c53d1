package plan

import (
	"errors"
	"fmt"
	"io"

	"github.com/gokeepalived/gokeepalived/internal/cli"
)

// Exit codes of Run.
const (
	ExitOK      = 0 // the plan was made (findings do not change this)
	ExitProblem = 1 // a config fails the config test, or the nodes cannot share a LAN
	ExitUsage   = 2 // bad flags or arguments
)

// detail is the plan command's description in its help.
const detail = `Predicts, from each node's keepalived.conf, which node holds every virtual
address: for each start order, after each single failure (a node down or
stopped, a tracked script, process or interface failing) with the takeover
time, and after recovery. Lists configuration choices that make placement
surprising, each with file:line.

Nodes come from --node (in order) and then positional paths, named after the
file (a.conf -> a; */NAME/keepalived.conf -> NAME). A node's source address
on each interface comes from unicast_src_ip or mcast_src_ip, else --addr or
the --node list, else an assumed 192.0.2.N (said in the output). Conditional
lines (@id) are read with the node's id: -i NODE=ID, id= in --node, -i ID for
every node, else the node name.`

// Run runs Command with args, the arguments after "plan".
func Run(args []string, stdout, stderr io.Writer) int {
	return Command().Main(args, stdout, stderr)
}

// Command is the `gokeepalived plan` subcommand: it prints the plan (JSON
// with --json) to stdout and exits ExitOK, ExitProblem or ExitUsage.
func Command() *cli.Command {
	c := cli.New("plan", "[--json] [--node NAME=PATH[,id=ID][,IFACE=ADDR[/LEN]]...] [--addr NODE:IFACE=ADDR[/LEN]]... [-i [NODE=]ID]... [PATH...]",
		"predict, from each node's configuration, where every virtual address lands after each failure")
	c.Detail = detail
	c.Exit = "0 plan made, 1 a config fails its test or the nodes cannot share a LAN, 2 usage"
	fs := c.Flags
	asJSON := fs.Bool("json", false, "print the plan as JSON")
	nodeFlags := fs.StringArray("node", nil, "a `NODE`: NAME=PATH[,id=ID][,IFACE=ADDR[/LEN]][,ADDR[/LEN]] (repeatable)")
	addrFlags := fs.StringArray("addr", nil, "a node's source `ADDRESS`: NODE:IFACE=ADDR[/LEN] or NODE=ADDR[/LEN] (repeatable)")
	idFlags := fs.StringArrayP("config-id", "i", nil, "config `ID` for @id lines: NODE=ID, or ID for every node (repeatable)")
	c.Run = func(args []string, stdout, stderr io.Writer) int {
		return run(c, *asJSON, *nodeFlags, args, *addrFlags, *idFlags, stdout, stderr)
	}
	return c
}

// run makes and prints the plan.
func run(c *cli.Command, asJSON bool, nodeFlags, paths, addrFlags, idFlags []string, stdout, stderr io.Writer) int {
	specs, err := buildSpecs(nodeFlags, paths, addrFlags, idFlags)
	if err != nil {
		return c.UsageError(stderr, err.Error())
	}
	p := New(specs)
	if asJSON {
		err = p.WriteJSON(stdout)
	} else {
		err = p.WriteText(stdout)
	}
	if err != nil {
		fmt.Fprintf(stderr, "gokeepalived plan: %v\n", err)
		return ExitProblem
	}
	if len(p.Problems) > 0 {
		return ExitProblem
	}
	return ExitOK
}

// buildSpecs assembles the node list from the flags and arguments.
func buildSpecs(nodeFlags, paths, addrFlags, idFlags []string) ([]NodeSpec, error) {
	var specs []NodeSpec
	for _, s := range nodeFlags {
		n, err := ParseNodeSpec(s)
		if err != nil {
			return nil, err
		}
		specs = append(specs, n)
	}
	taken := map[string]int{}
	for _, s := range specs {
		taken[s.Name]++
	}
	for _, path := range paths {
		name := NameFromPath(path)
		if taken[name] > 0 {
			name = fmt.Sprintf("%s%d", name, len(specs)+1)
		}
		taken[name]++
		specs = append(specs, NodeSpec{Name: name, Path: path})
	}
	if len(specs) == 0 {
		return nil, errors.New("no node: give each node's keepalived.conf")
	}
	find := func(name string) *NodeSpec {
		for i := range specs {
			if specs[i].Name == name {
				return &specs[i]
			}
		}
		return nil
	}
	for _, s := range addrFlags {
		name, a, err := ParseAddrSpec(s)
		if err != nil {
			return nil, err
		}
		n := find(name)
		if n == nil {
			return nil, fmt.Errorf("addr %q: no node called %s", s, name)
		}
		n.Addrs = append(n.Addrs, a)
	}
	var all string
	for _, s := range idFlags {
		name, id, err := ParseConfigID(s)
		if err != nil {
			return nil, err
		}
		if name == "" {
			all = id
			continue
		}
		n := find(name)
		if n == nil {
			return nil, fmt.Errorf("config id %q: no node called %s", s, name)
		}
		n.ConfigID = id
	}
	for i := range specs {
		if specs[i].ConfigID == "" {
			specs[i].ConfigID = all
		}
	}
	return specs, nil
}
