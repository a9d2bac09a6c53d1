package notify

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFIFOLine(t *testing.T) {
	tests := []struct {
		ev   Event
		want string
	}{
		{Event{KindInstance, "VI_1", StateMaster, 100}, "INSTANCE \"VI_1\" MASTER 100\n"},
		{Event{KindGroup, "G1", StateBackup, 0}, "GROUP \"G1\" BACKUP 0\n"},
		{Event{KindInstance, "VI_1", StateFault, 90}, "INSTANCE \"VI_1\" FAULT 90\n"},
		{Event{KindInstance, "VI_1", StateStop, 100}, "INSTANCE \"VI_1\" STOP 100\n"},
		{Event{KindInstance, "VI_1", StateDeleted, 100}, "INSTANCE \"VI_1\" DELETED 100\n"},
		{Event{KindInstance, "VI_1", StateMasterRxLowerPri, 100}, "INSTANCE \"VI_1\" MASTER_RX_LOWER_PRI 100\n"},
		{Event{KindInstance, "VI_1", StateMasterPriority, 80}, "INSTANCE \"VI_1\" MASTER_PRIORITY 80\n"},
		{Event{KindInstance, "VI 2", StateBackupPriority, 1}, "INSTANCE \"VI 2\" BACKUP_PRIORITY 1\n"},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, tt.ev.FIFOLine()); diff != "" {
			t.Errorf("%+v (-want +got):\n%s", tt.ev, diff)
		}
	}
}

// TestFIFOLineCannotBeForged: a name holding a newline, a quote or bytes
// that are not UTF-8 still gives exactly one line of four fields. Before,
// the name "VI_1\nINSTANCE \"VI_1\" FAULT 0" wrote a forged FAULT line.
func TestFIFOLineCannotBeForged(t *testing.T) {
	tests := []struct {
		name string
		want string
	}{
		{"VI_1\nINSTANCE \"VI_1\" FAULT 0", `INSTANCE "VI_1\nINSTANCE \"VI_1\" FAULT 0" MASTER 100` + "\n"},
		{`A" FAULT 0 "`, `INSTANCE "A\" FAULT 0 \"" MASTER 100` + "\n"},
		{"VI_\xff\r", `INSTANCE "VI_\xff\r" MASTER 100` + "\n"},
		{"VI é", "INSTANCE \"VI é\" MASTER 100\n"},
	}
	for _, tt := range tests {
		got := Event{KindInstance, tt.name, StateMaster, 100}.FIFOLine()
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.name, diff)
		}
		if strings.Count(got, "\n") != 1 || !strings.HasSuffix(got, " MASTER 100\n") {
			t.Errorf("%q: line %q is not one line ending in the state", tt.name, got)
		}
	}
}

func TestCommands(t *testing.T) {
	sc := fake
	all := Scripts{
		Master: sc("/m.sh"), Backup: sc("/b.sh", "arg"), Fault: sc("/f.sh"), Stop: sc("/s.sh"),
		Deleted: sc("/d.sh"), DeletedEnabled: true, MasterRxLowerPri: sc("/rx.sh"), Notify: sc("/n.sh", "x"),
	}
	tests := []struct {
		name string
		s    Scripts
		ev   Event
		want [][]string
	}{
		{"master", all, Event{KindInstance, "VI_1", StateMaster, 100},
			[][]string{{"/m.sh"}, {"/n.sh", "x", "INSTANCE", "VI_1", "MASTER", "100"}}},
		{"backup keeps its own args", all, Event{KindInstance, "VI_1", StateBackup, 90},
			[][]string{{"/b.sh", "arg"}, {"/n.sh", "x", "INSTANCE", "VI_1", "BACKUP", "90"}}},
		{"fault", all, Event{KindInstance, "VI_1", StateFault, 90},
			[][]string{{"/f.sh"}, {"/n.sh", "x", "INSTANCE", "VI_1", "FAULT", "90"}}},
		{"stop", all, Event{KindInstance, "VI_1", StateStop, 90},
			[][]string{{"/s.sh"}, {"/n.sh", "x", "INSTANCE", "VI_1", "STOP", "90"}}},
		{"deleted", all, Event{KindInstance, "VI_1", StateDeleted, 90},
			[][]string{{"/d.sh"}, {"/n.sh", "x", "INSTANCE", "VI_1", "DELETED", "90"}}},
		{"group", all, Event{KindGroup, "G1", StateMaster, 0},
			[][]string{{"/m.sh"}, {"/n.sh", "x", "GROUP", "G1", "MASTER", "0"}}},
		{"rx lower pri runs only its script", all, Event{KindInstance, "VI_1", StateMasterRxLowerPri, 100},
			[][]string{{"/rx.sh"}}},
		{"priority change runs nothing", all, Event{KindInstance, "VI_1", StateMasterPriority, 100}, nil},
		{"only generic", Scripts{Notify: sc("/n.sh")}, Event{KindInstance, "VI_1", StateBackup, 50},
			[][]string{{"/n.sh", "INSTANCE", "VI_1", "BACKUP", "50"}}},
		{"nothing configured", Scripts{}, Event{KindInstance, "VI_1", StateBackup, 50}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]string
			for _, c := range tt.s.Commands(tt.ev) {
				got = append(got, c.Argv())
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormalize(t *testing.T) {
	ev := Event{KindInstance, "VI_1", StateDeleted, 100}
	got := []State{Scripts{}.Normalize(ev).State, Scripts{DeletedEnabled: true}.Normalize(ev).State}
	if diff := cmp.Diff([]State{StateFault, StateDeleted}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func TestStrings(t *testing.T) {
	got := []string{KindInstance.String(), KindGroup.String(), Kind(0).String(), State(0).String(), State(99).String()}
	want := []string{"INSTANCE", "GROUP", "Kind(0)", "State(0)", "State(99)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
