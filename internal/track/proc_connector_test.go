package track

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// procMsg builds one netlink message from the proc connector: nlmsghdr,
// cn_msg (idx/val given), proc_event header and body.
func procMsg(t testing.TB, idx uint32, seq, ack uint32, kind ProcEventKind, cpu uint32, body ...any) []byte {
	t.Helper()
	ne := binary.NativeEndian
	var data []byte
	data = ne.AppendUint32(data, uint32(kind))
	data = ne.AppendUint32(data, cpu)
	data = ne.AppendUint64(data, 123456789) // timestamp_ns
	for _, f := range body {
		switch v := f.(type) {
		case int32:
			data = ne.AppendUint32(data, uint32(v))
		case uint32:
			data = ne.AppendUint32(data, v)
		case []byte:
			data = append(data, v...)
		default:
			t.Fatalf("procMsg: field of type %T", f)
		}
	}
	var cn []byte
	cn = ne.AppendUint32(cn, idx)
	cn = ne.AppendUint32(cn, cnValProc)
	cn = ne.AppendUint32(cn, seq)
	cn = ne.AppendUint32(cn, ack)
	cn = ne.AppendUint16(cn, uint16(len(data)))
	cn = ne.AppendUint16(cn, 0)
	cn = append(cn, data...)
	var b []byte
	b = ne.AppendUint32(b, uint32(nlmsgHdrLen+len(cn)))
	b = ne.AppendUint16(b, nlmsgDone)
	b = ne.AppendUint16(b, 0)
	b = ne.AppendUint32(b, seq)
	b = ne.AppendUint32(b, 0)
	b = append(b, cn...)
	for len(b)%4 != 0 {
		b = append(b, 0)
	}
	return b
}

func comm16(s string) []byte {
	b := make([]byte, taskCommBytes)
	copy(b, s)
	return b
}

func TestParseProcEvents(t *testing.T) {
	fork := procMsg(t, cnIdxProc, 7, 0, ProcEventFork, 1, int32(100), int32(100), int32(200), int32(200))
	exec := procMsg(t, cnIdxProc, 8, 0, ProcEventExec, 0, int32(200), int32(200))
	exit := procMsg(t, cnIdxProc, 9, 0, ProcEventExit, 1, int32(201), int32(200), uint32(0), uint32(17), int32(100), int32(100))
	comm := procMsg(t, cnIdxProc, 10, 0, ProcEventComm, 0, int32(200), int32(200), comm16("nginx: worker"))
	ack := procMsg(t, cnIdxProc, 55, 78, ProcEventNone, 0xffffffff, uint32(0))
	uid := procMsg(t, cnIdxProc, 11, 0, ProcEventUID, 0, int32(5), int32(5), uint32(0), uint32(0))
	other := procMsg(t, 4, 12, 0, ProcEventExec, 0, int32(9), int32(9)) // another connector
	noop := append(binary.NativeEndian.AppendUint32(nil, 16), 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	tests := []struct {
		name    string
		in      []byte
		want    []ProcEvent
		wantErr bool
	}{
		{"fork", fork, []ProcEvent{{Kind: ProcEventFork, CPU: 1, Seq: 7, PID: 200, TGID: 200, ParentPID: 100, ParentTGID: 100}}, false},
		{"exec", exec, []ProcEvent{{Kind: ProcEventExec, Seq: 8, PID: 200, TGID: 200}}, false},
		{"exit of a thread", exit, []ProcEvent{{Kind: ProcEventExit, CPU: 1, Seq: 9, PID: 201, TGID: 200}}, false},
		{"comm", comm, []ProcEvent{{Kind: ProcEventComm, Seq: 10, PID: 200, TGID: 200, Comm: "nginx: worker"}}, false},
		{"comm of 15 bytes", procMsg(t, cnIdxProc, 1, 0, ProcEventComm, 0, int32(3), int32(3), []byte("averyveryverylo\x00")),
			[]ProcEvent{{Kind: ProcEventComm, Seq: 1, PID: 3, TGID: 3, Comm: "averyveryverylo"}}, false},
		{"comm without its NUL is cut like the kernel's", procMsg(t, cnIdxProc, 1, 0, ProcEventComm, 0, int32(3), int32(3), []byte("0123456789abcdef")),
			[]ProcEvent{{Kind: ProcEventComm, Seq: 1, PID: 3, TGID: 3, Comm: "0123456789abcde"}}, false},
		{"ack", ack, []ProcEvent{{Kind: ProcEventNone, CPU: 0xffffffff, Seq: 55, Ack: 78}}, false},
		{"uid kind kept, body not decoded", uid, []ProcEvent{{Kind: ProcEventUID, Seq: 11}}, false},
		{"other connector skipped", other, nil, false},
		{"noop skipped", noop, nil, false},
		{"several in one datagram", cat(noop, exec, other, exit),
			[]ProcEvent{{Kind: ProcEventExec, Seq: 8, PID: 200, TGID: 200}, {Kind: ProcEventExit, CPU: 1, Seq: 9, PID: 201, TGID: 200}}, false},
		{"empty", nil, nil, false},
		{"truncated netlink header is ignored", fork[:10], nil, false},
		{"netlink length beyond datagram", fork[:len(fork)-4], nil, true},
		{"netlink length below header", append(binary.NativeEndian.AppendUint32(nil, 8), make([]byte, 12)...), nil, true},
		{"truncated connector header", shrink(t, fork, nlmsgHdrLen+10), nil, true},
		{"connector length beyond message", shrink(t, exec, len(exec)-4), nil, true},
		{"truncated event header", shrinkData(t, exec, 8), nil, true},
		{"truncated fork body", shrinkData(t, fork, procEvHdrLen+12), nil, true},
		{"truncated comm body", shrinkData(t, comm, procEvHdrLen+8+4), nil, true},
		{"good then truncated keeps the good one", cat(exec, fork[:len(fork)-4]),
			[]ProcEvent{{Kind: ProcEventExec, Seq: 8, PID: 200, TGID: 200}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseProcEvents(tt.in)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if err != nil && !errors.Is(err, ErrProcEventTruncated) {
				t.Errorf("err %v does not wrap ErrProcEventTruncated", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// shrink cuts msg to n bytes and fixes nlmsg_len to match.
func shrink(t *testing.T, msg []byte, n int) []byte {
	t.Helper()
	b := append([]byte(nil), msg[:n]...)
	binary.NativeEndian.PutUint32(b, uint32(n))
	return b
}

// shrinkData sets cn_msg.len to n and cuts the message to match.
func shrinkData(t *testing.T, msg []byte, n int) []byte {
	t.Helper()
	b := shrink(t, msg, nlmsgHdrLen+cnMsgLen+n)
	binary.NativeEndian.PutUint16(b[nlmsgHdrLen+16:], uint16(n))
	return b
}

func TestAppendListenRequest(t *testing.T) {
	got := appendListenRequest(nil, true, 0x01020304, 0x0a0b0c0d)
	ne := binary.NativeEndian
	var want []byte
	for _, v := range []uint32{40, nlmsgDone, 0x01020304, 0, cnIdxProc, cnValProc, 0x01020304, 0x0a0b0c0d, 4, procCnMcastListen} {
		switch v {
		case nlmsgDone, 4: // 16-bit type+flags, len+flags
			want = ne.AppendUint16(want, uint16(v))
			want = ne.AppendUint16(want, 0)
		default:
			want = ne.AppendUint32(want, v)
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if op := ne.Uint32(appendListenRequest(nil, false, 0, 0)[36:]); op != procCnMcastIgnore {
		t.Errorf("ignore request op = %d, want %d", op, procCnMcastIgnore)
	}
}

func TestProcEventKindString(t *testing.T) {
	got := []string{ProcEventNone.String(), ProcEventFork.String(), ProcEventExec.String(), ProcEventComm.String(), ProcEventExit.String(), ProcEventKind(3).String()}
	want := []string{"NONE", "FORK", "EXEC", "COMM", "EXIT", "ProcEventKind(0x3)"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}

func FuzzParseProcEvents(f *testing.F) {
	f.Add(procMsg(f, cnIdxProc, 7, 0, ProcEventFork, 1, int32(100), int32(100), int32(200), int32(200)))
	f.Add(procMsg(f, cnIdxProc, 10, 0, ProcEventComm, 0, int32(200), int32(200), comm16("x")))
	f.Add(procMsg(f, cnIdxProc, 1, 2, ProcEventNone, 0, uint32(1)))
	f.Fuzz(func(t *testing.T, b []byte) {
		evs, err := ParseProcEvents(b)
		if err != nil && !errors.Is(err, ErrProcEventTruncated) {
			t.Fatalf("error %v does not wrap ErrProcEventTruncated", err)
		}
		// Each event needs at least its three headers.
		if max := len(b) / (nlmsgHdrLen + cnMsgLen + procEvHdrLen); len(evs) > max {
			t.Fatalf("%d events from %d bytes", len(evs), len(b))
		}
		for _, ev := range evs {
			if len(ev.Comm) >= taskCommBytes {
				t.Fatalf("comm %q longer than the kernel's", ev.Comm)
			}
		}
	})
}
