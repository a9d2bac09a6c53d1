package track

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The kernel's process events connector (include/uapi/linux/connector.h
// and cn_proc.h). Every field is in host byte order.
const (
	cnIdxProc = 1 // CN_IDX_PROC, also the multicast group to bind
	cnValProc = 1 // CN_VAL_PROC

	procCnMcastListen = 1 // PROC_CN_MCAST_LISTEN
	procCnMcastIgnore = 2 // PROC_CN_MCAST_IGNORE

	nlmsgHdrLen   = 16 // struct nlmsghdr
	cnMsgLen      = 20 // struct cn_msg without data
	procEvHdrLen  = 16 // what, cpu, timestamp_ns of struct proc_event
	nlmsgNoop     = 1  // NLMSG_NOOP
	nlmsgError    = 2  // NLMSG_ERROR
	nlmsgDone     = 3  // NLMSG_DONE
	nlmsgAlignTo  = 4  // NLMSG_ALIGNTO
	taskCommBytes = 16 // TASK_COMM_LEN, with the terminating NUL
)

// ProcEventKind is the kernel's proc_event.what.
type ProcEventKind uint32

// Process event kinds. ProcEventNone is what the kernel sends to
// acknowledge a listen request; the others report what a process did.
const (
	ProcEventNone     ProcEventKind = 0
	ProcEventFork     ProcEventKind = 0x00000001
	ProcEventExec     ProcEventKind = 0x00000002
	ProcEventUID      ProcEventKind = 0x00000004
	ProcEventGID      ProcEventKind = 0x00000040
	ProcEventSID      ProcEventKind = 0x00000080
	ProcEventPtrace   ProcEventKind = 0x00000100
	ProcEventComm     ProcEventKind = 0x00000200
	ProcEventCoredump ProcEventKind = 0x40000000
	ProcEventExit     ProcEventKind = 0x80000000
)

// String returns the kernel's name without the PROC_EVENT_ prefix
// ("FORK", "EXEC", ...).
func (k ProcEventKind) String() string {
	switch k {
	case ProcEventNone:
		return "NONE"
	case ProcEventFork:
		return "FORK"
	case ProcEventExec:
		return "EXEC"
	case ProcEventUID:
		return "UID"
	case ProcEventGID:
		return "GID"
	case ProcEventSID:
		return "SID"
	case ProcEventPtrace:
		return "PTRACE"
	case ProcEventComm:
		return "COMM"
	case ProcEventCoredump:
		return "COREDUMP"
	case ProcEventExit:
		return "EXIT"
	}
	return fmt.Sprintf("ProcEventKind(%#x)", uint32(k))
}

// ProcEvent is one decoded connector message about a process. PID is the
// thread id and TGID the process id the event is about (for FORK: the
// child); ParentPID/ParentTGID are set for FORK only, Comm for COMM only,
// Err for NONE (an acknowledgement) only. Seq and Ack are the cn_msg's.
type ProcEvent struct {
	Kind       ProcEventKind
	CPU        uint32
	Seq, Ack   uint32
	PID, TGID  int
	ParentPID  int
	ParentTGID int
	Comm       string
	Err        uint32
}

// ErrProcEventTruncated is wrapped by ParseProcEvents when a message is
// shorter than its headers or length fields say.
var ErrProcEventTruncated = errors.New("truncated process event")

// ParseProcEvents decodes the netlink datagram b as received from the proc
// connector. It skips NOOP and ERROR messages and messages for another
// connector, never trusts a length field and never panics; on a malformed
// message it returns the events decoded before it and an error wrapping
// ErrProcEventTruncated.
func ParseProcEvents(b []byte) ([]ProcEvent, error) {
	var out []ProcEvent
	for off := 0; len(b)-off >= nlmsgHdrLen; {
		msgLen := int(binary.NativeEndian.Uint32(b[off:]))
		typ := binary.NativeEndian.Uint16(b[off+4:])
		if msgLen < nlmsgHdrLen || msgLen > len(b)-off {
			return out, fmt.Errorf("netlink message at %d: length %d of %d bytes: %w", off, msgLen, len(b)-off, ErrProcEventTruncated)
		}
		if typ != nlmsgNoop && typ != nlmsgError {
			ev, ok, err := parseCnMsg(b[off+nlmsgHdrLen : off+msgLen])
			if err != nil {
				return out, fmt.Errorf("netlink message at %d: %w", off, err)
			}
			if ok {
				out = append(out, ev)
			}
		}
		off += (msgLen + nlmsgAlignTo - 1) &^ (nlmsgAlignTo - 1)
	}
	return out, nil
}

// parseCnMsg decodes one cn_msg carrying a proc_event; ok is false for a
// message of another connector.
func parseCnMsg(b []byte) (ev ProcEvent, ok bool, err error) {
	if len(b) < cnMsgLen {
		return ev, false, fmt.Errorf("connector header: %d bytes: %w", len(b), ErrProcEventTruncated)
	}
	ne := binary.NativeEndian
	if ne.Uint32(b[0:]) != cnIdxProc || ne.Uint32(b[4:]) != cnValProc {
		return ev, false, nil
	}
	ev.Seq, ev.Ack = ne.Uint32(b[8:]), ne.Uint32(b[12:])
	dataLen := int(ne.Uint16(b[16:]))
	data := b[cnMsgLen:]
	if dataLen > len(data) {
		return ev, false, fmt.Errorf("connector data length %d of %d bytes: %w", dataLen, len(data), ErrProcEventTruncated)
	}
	data = data[:dataLen]
	if len(data) < procEvHdrLen {
		return ev, false, fmt.Errorf("process event header: %d bytes: %w", len(data), ErrProcEventTruncated)
	}
	ev.Kind, ev.CPU = ProcEventKind(ne.Uint32(data[0:])), ne.Uint32(data[4:])
	body := data[procEvHdrLen:]
	if need := procEventBodyLen(ev.Kind); len(body) < need {
		return ev, false, fmt.Errorf("%v event: %d bytes, want %d: %w", ev.Kind, len(body), need, ErrProcEventTruncated)
	}
	i32 := func(at int) int { return int(int32(ne.Uint32(body[at:]))) }
	switch ev.Kind {
	case ProcEventNone:
		ev.Err = ne.Uint32(body)
	case ProcEventFork:
		ev.ParentPID, ev.ParentTGID, ev.PID, ev.TGID = i32(0), i32(4), i32(8), i32(12)
	case ProcEventExec, ProcEventExit:
		ev.PID, ev.TGID = i32(0), i32(4)
	case ProcEventComm:
		ev.PID, ev.TGID = i32(0), i32(4)
		comm := body[8 : 8+taskCommBytes-1] // the kernel ends it with a NUL
		if n := bytes.IndexByte(comm, 0); n >= 0 {
			comm = comm[:n]
		}
		ev.Comm = string(comm)
	}
	return ev, true, nil
}

// procEventBodyLen is how many bytes of event_data the fields we decode
// for kind occupy (0 for kinds we do not decode).
func procEventBodyLen(kind ProcEventKind) int {
	switch kind {
	case ProcEventNone:
		return 4 // ack.err
	case ProcEventFork:
		return 16 // parent pid, tgid; child pid, tgid
	case ProcEventExec, ProcEventExit:
		return 8 // pid, tgid (exit's codes and parent are not used)
	case ProcEventComm:
		return 8 + taskCommBytes
	}
	return 0
}

// appendListenRequest appends the netlink message that subscribes
// (listen) or unsubscribes the sender to process events; the kernel
// acknowledges it with a NONE event carrying Ack ack+1.
func appendListenRequest(b []byte, listen bool, seq, ack uint32) []byte {
	op := uint32(procCnMcastIgnore)
	if listen {
		op = procCnMcastListen
	}
	ne := binary.NativeEndian
	b = ne.AppendUint32(b, nlmsgHdrLen+cnMsgLen+4) // nlmsg_len
	b = ne.AppendUint16(b, nlmsgDone)              // nlmsg_type
	b = ne.AppendUint16(b, 0)                      // nlmsg_flags
	b = ne.AppendUint32(b, seq)                    // nlmsg_seq
	b = ne.AppendUint32(b, 0)                      // nlmsg_pid
	b = ne.AppendUint32(b, cnIdxProc)
	b = ne.AppendUint32(b, cnValProc)
	b = ne.AppendUint32(b, seq)
	b = ne.AppendUint32(b, ack)
	b = ne.AppendUint16(b, 4) // len of the data: the op
	b = ne.AppendUint16(b, 0) // flags
	return ne.AppendUint32(b, op)
}
