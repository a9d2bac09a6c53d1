package track

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestProcTableApply(t *testing.T) {
	procs := []Process{
		{Name: "nginx", Command: "nginx"}, // by name
		{Name: "worker", Command: "nginx", Params: []string{"-w"}, ParamMatch: ParamMatchPartial}, // by command line
	}
	master := ProcInfo{Comm: "nginx", Cmdline: []string{"nginx", "-m"}}
	worker := ProcInfo{Comm: "nginx", Cmdline: []string{"nginx", "-w", "1"}}
	bash := ProcInfo{Comm: "bash", Cmdline: []string{"bash"}}
	tests := []struct {
		name string
		scan map[int]ProcInfo // /proc at the start
		proc map[int]ProcInfo // /proc when the events are applied
		evs  []ProcEvent
		want []int
	}{
		{"scan only", map[int]ProcInfo{1: bash, 10: master, 11: worker}, nil, nil, []int{2, 1}},
		{"exec into a match", map[int]ProcInfo{20: bash}, map[int]ProcInfo{20: worker},
			[]ProcEvent{{Kind: ProcEventExec, PID: 20, TGID: 20}}, []int{1, 1}},
		{"exec out of a match", map[int]ProcInfo{20: worker}, map[int]ProcInfo{20: bash},
			[]ProcEvent{{Kind: ProcEventExec, PID: 20, TGID: 20}}, []int{0, 0}},
		{"exec repeated after the scan saw it", map[int]ProcInfo{20: worker}, map[int]ProcInfo{20: worker},
			[]ProcEvent{{Kind: ProcEventExec, PID: 20, TGID: 20}, {Kind: ProcEventExec, PID: 20, TGID: 20}}, []int{1, 1}},
		{"exec of a process already gone", map[int]ProcInfo{20: worker}, map[int]ProcInfo{},
			[]ProcEvent{{Kind: ProcEventExec, PID: 20, TGID: 20}}, []int{0, 0}},
		{"exit", map[int]ProcInfo{10: master, 11: worker}, nil,
			[]ProcEvent{{Kind: ProcEventExit, PID: 11, TGID: 11}}, []int{1, 0}},
		{"exit of an untracked pid", map[int]ProcInfo{10: master}, nil,
			[]ProcEvent{{Kind: ProcEventExit, PID: 99, TGID: 99}}, []int{1, 0}},
		{"exit of a thread ignored", map[int]ProcInfo{10: master}, nil,
			[]ProcEvent{{Kind: ProcEventExit, PID: 12, TGID: 10}}, []int{1, 0}},
		{"fork of a tracked parent", map[int]ProcInfo{11: worker}, map[int]ProcInfo{11: worker, 12: worker},
			[]ProcEvent{{Kind: ProcEventFork, ParentPID: 11, ParentTGID: 11, PID: 12, TGID: 12}}, []int{2, 2}},
		{"fork of an untracked parent", map[int]ProcInfo{1: bash}, map[int]ProcInfo{1: bash, 2: bash},
			[]ProcEvent{{Kind: ProcEventFork, ParentPID: 1, ParentTGID: 1, PID: 2, TGID: 2}}, []int{0, 0}},
		{"new thread ignored", map[int]ProcInfo{11: worker}, map[int]ProcInfo{11: worker},
			[]ProcEvent{{Kind: ProcEventFork, ParentPID: 11, ParentTGID: 11, PID: 13, TGID: 11}}, []int{1, 1}},
		{"fork then exec then exit", map[int]ProcInfo{10: master}, map[int]ProcInfo{10: master, 30: bash},
			[]ProcEvent{
				{Kind: ProcEventFork, ParentPID: 10, ParentTGID: 10, PID: 30, TGID: 30},
				{Kind: ProcEventExec, PID: 30, TGID: 30},
				{Kind: ProcEventExit, PID: 30, TGID: 30},
			}, []int{1, 0}},
		{"comm renames away from the name, command line verdict kept", map[int]ProcInfo{11: worker}, nil,
			[]ProcEvent{{Kind: ProcEventComm, PID: 11, TGID: 11, Comm: "nginx: worker"}}, []int{0, 1}},
		{"comm renames into the name", map[int]ProcInfo{40: bash}, nil,
			[]ProcEvent{{Kind: ProcEventComm, PID: 40, TGID: 40, Comm: "nginx"}}, []int{1, 0}},
		{"comm of a thread ignored", map[int]ProcInfo{40: bash}, nil,
			[]ProcEvent{{Kind: ProcEventComm, PID: 41, TGID: 40, Comm: "nginx"}}, []int{0, 0}},
		{"other kinds ignored", map[int]ProcInfo{10: master}, nil,
			[]ProcEvent{{Kind: ProcEventUID, PID: 10, TGID: 10}, {Kind: ProcEventNone}}, []int{1, 0}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var reads []int
			tab := newProcTable(procs, func(pid int, withCmdline bool) (ProcInfo, bool) {
				if !withCmdline {
					t.Errorf("read(%d) without the command line, which a tracked process needs", pid)
				}
				reads = append(reads, pid)
				p, ok := tt.proc[pid]
				return p, ok
			})
			var scan []procEntry
			for pid, p := range tt.scan {
				scan = append(scan, procEntry{pid, p})
			}
			tab.reset(scan)
			for _, ev := range tt.evs {
				tab.apply(ev)
			}
			if diff := cmp.Diff(tt.want, tab.counts); diff != "" {
				t.Errorf("counts (-want +got):\n%s", diff)
			}
			sum := 0
			for _, m := range tab.pids {
				sum += len(m)
			}
			if sum != tt.want[0]+tt.want[1] {
				t.Errorf("pid table holds %d matches, counts say %d: %v", sum, tt.want[0]+tt.want[1], tab.pids)
			}
		})
	}
}

// TestProcTableByNameReadsNoCmdline checks that with only name matches
// the table never asks for command lines (reading one can swap a process
// in, which keepalived avoids too).
func TestProcTableByNameReadsNoCmdline(t *testing.T) {
	tab := newProcTable([]Process{{Name: "a", Command: "sleep"}}, func(pid int, withCmdline bool) (ProcInfo, bool) {
		if withCmdline {
			t.Errorf("read(%d) with the command line", pid)
		}
		return ProcInfo{Comm: "sleep"}, true
	})
	tab.apply(ProcEvent{Kind: ProcEventExec, PID: 5, TGID: 5})
	if diff := cmp.Diff([]int{1}, tab.counts); diff != "" {
		t.Errorf("counts (-want +got):\n%s", diff)
	}
}
