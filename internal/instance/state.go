package instance

// State is the state of a VRRP instance. The zero value is invalid.
//
// The state diagram (keepalived's, a superset of RFC 5798 §6.4):
//
//	          Startup                 Master_Down_Timer expires
//	 INIT ─────────────► BACKUP ─────────────────────────────► MASTER
//	  │                  ▲  │  ◄──────────────────────────────   │
//	  │ Startup          │  │   higher priority advert (or      │
//	  │ while faulted    │  │   equal priority, higher IP)      │
//	  ▼     FaultOff     │  │ FaultOn                   FaultOn │
//	FAULT ───────────────┘  ▼                (2× priority 0)    │
//	  ▲◄─────────────────── FAULT ◄─────────────────────────────┘
//
//	any state ── Shutdown ──► STOP   (a MASTER first sends priority 0)
type State uint8

// States of a VRRP instance.
const (
	Init   State = iota + 1 // created, Startup not yet stepped
	Backup                  // listening; takes over when the master goes quiet
	Master                  // owns the virtual addresses and advertises
	Fault                   // a fault (weight-0 tracker, interface down) holds it out
	Stop                    // shut down
)

// String returns keepalived's upper-case name of the state.
func (s State) String() string {
	switch s {
	case Init:
		return "INIT"
	case Backup:
		return "BACKUP"
	case Master:
		return "MASTER"
	case Fault:
		return "FAULT"
	case Stop:
		return "STOP"
	}
	return "INVALID"
}

// Reason says why a transition happened. The zero value means "no reason"
// and never appears in a Transition the machine makes.
type Reason uint8

// Reasons for a transition.
const (
	ReasonStartup        Reason = iota + 1 // INIT → BACKUP or FAULT
	ReasonMasterDown                       // Master_Down_Timer expired (no advert heard)
	ReasonPriorityZero                     // the master sent priority 0; took over after Skew_Time
	ReasonPreempt                          // preempted a lower-priority master (fast failover)
	ReasonHigherPriority                   // a higher-priority (or equal, higher IP) advert arrived
	ReasonFault                            // a fault cause appeared
	ReasonFaultCleared                     // the last fault cause cleared
	ReasonShutdown                         // Shutdown event
	ReasonSyncGroup                        // another member of the sync group moved
)

var reasonNames = [...]string{
	ReasonStartup:        "startup",
	ReasonMasterDown:     "master-down",
	ReasonPriorityZero:   "priority-zero",
	ReasonPreempt:        "preempt",
	ReasonHigherPriority: "higher-priority",
	ReasonFault:          "fault",
	ReasonFaultCleared:   "fault-cleared",
	ReasonShutdown:       "shutdown",
	ReasonSyncGroup:      "sync-group",
}

// String returns a short lower-case name of the reason.
func (r Reason) String() string {
	if int(r) < len(reasonNames) && reasonNames[r] != "" {
		return reasonNames[r]
	}
	return "none"
}
