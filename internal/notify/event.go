package notify

import (
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/gokeepalived/gokeepalived/internal/track"
)

// Kind says whether an Event is about an instance or a sync group.
// The zero value is invalid.
type Kind uint8

// Kinds of notification subject.
const (
	KindInstance Kind = iota + 1
	KindGroup
)

// String returns "INSTANCE" or "GROUP", as in scripts and FIFO lines.
func (k Kind) String() string {
	switch k {
	case KindInstance:
		return "INSTANCE"
	case KindGroup:
		return "GROUP"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// State is what an Event announces. The zero value is invalid.
type State uint8

// States and events keepalived announces.
const (
	StateMaster State = iota + 1
	StateBackup
	StateFault
	StateStop
	StateDeleted
	// StateMasterRxLowerPri: a master heard a lower-priority advert.
	StateMasterRxLowerPri
	// StateMasterPriority and StateBackupPriority: the effective priority
	// changed (notify_priority_changes), FIFO only.
	StateMasterPriority
	StateBackupPriority
)

var stateNames = [...]string{
	StateMaster:           "MASTER",
	StateBackup:           "BACKUP",
	StateFault:            "FAULT",
	StateStop:             "STOP",
	StateDeleted:          "DELETED",
	StateMasterRxLowerPri: "MASTER_RX_LOWER_PRI",
	StateMasterPriority:   "MASTER_PRIORITY",
	StateBackupPriority:   "BACKUP_PRIORITY",
}

// String returns keepalived's upper-case word for s.
func (s State) String() string {
	if int(s) < len(stateNames) && stateNames[s] != "" {
		return stateNames[s]
	}
	return fmt.Sprintf("State(%d)", uint8(s))
}

// Event is one notification.
type Event struct {
	Kind     Kind
	Name     string // instance or sync-group name
	State    State
	Priority int // effective priority; 0 for groups
}

// FIFOLine is the line keepalived writes to the notify FIFOs for ev,
// e.g. `INSTANCE "VI_1" MASTER 100` and a newline. It is always one line
// with four fields: config refuses names that could break it, and should
// one get here anyway it is written escaped, as a Go string literal.
func (ev Event) FIFOLine() string {
	name := `"` + ev.Name + `"`
	if !fifoSafe(ev.Name) {
		name = strconv.Quote(ev.Name)
	}
	return fmt.Sprintf("%s %s %s %d\n", ev.Kind, name, ev.State, ev.Priority)
}

// fifoSafe reports whether name can be written between quotes as it is:
// valid UTF-8 without control characters or double quotes.
func fifoSafe(name string) bool {
	for _, r := range name {
		if r == utf8.RuneError || r == '"' || unicode.IsControl(r) {
			return false
		}
	}
	return true
}

// Script is a configured notify script that passed the script gate: its
// program, words and user (track.Gate makes them; nothing else runs).
type Script = track.Checked

// Scripts are the notify scripts of one instance or sync group.
type Scripts struct {
	Master, Backup, Fault, Stop *Script
	// Deleted is notify_deleted's script (may be nil even when
	// DeletedEnabled).
	Deleted *Script
	// DeletedEnabled is set by notify_deleted: an instance removed by a
	// reload is announced as DELETED rather than FAULT.
	DeletedEnabled bool
	// MasterRxLowerPri is notify_master_rx_lower_pri.
	MasterRxLowerPri *Script
	// Notify is the generic `notify` script.
	Notify *Script
}

// Normalize turns DELETED into FAULT when notify_deleted is not set, as
// keepalived does; everything else is returned unchanged.
func (s Scripts) Normalize(ev Event) Event {
	if ev.State == StateDeleted && !s.DeletedEnabled {
		ev.State = StateFault
	}
	return ev
}

// Commands returns the scripts to run for ev, in order: the notify_<state>
// script with only its configured arguments, then the generic notify script
// with INSTANCE|GROUP, name, state and priority appended. Priority-change
// events run no script; MASTER_RX_LOWER_PRI runs only its own script.
// ev must already be Normalized.
func (s Scripts) Commands(ev Event) []Script {
	var specific *Script
	generic := true
	switch ev.State {
	case StateMaster:
		specific = s.Master
	case StateBackup:
		specific = s.Backup
	case StateFault:
		specific = s.Fault
	case StateStop:
		specific = s.Stop
	case StateDeleted:
		specific = s.Deleted
	case StateMasterRxLowerPri:
		specific, generic = s.MasterRxLowerPri, false
	default:
		return nil
	}
	var out []Script
	if specific != nil && specific.Valid() {
		out = append(out, *specific)
	}
	if generic && s.Notify != nil && s.Notify.Valid() {
		out = append(out, s.Notify.With(ev.Kind.String(), ev.Name, ev.State.String(), fmt.Sprint(ev.Priority)))
	}
	return out
}
