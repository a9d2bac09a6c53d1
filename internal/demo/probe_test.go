package demo

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestMeasureOutage(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	seq := func(servers ...string) []Sample {
		var out []Sample
		for i, s := range servers {
			out = append(out, Sample{At: at(50 * i), Server: s})
		}
		return out
	}
	tests := []struct {
		name    string
		in      []Sample
		want    Outage
		wantOK  bool
		wantDur time.Duration
	}{
		{name: "empty", in: nil, want: Outage{From: "A", To: "B"}},
		{name: "never moves", in: seq("A", "A", "", "A"), want: Outage{From: "A", To: "B"}},
		{name: "new owner without old first", in: seq("B", "B"), want: Outage{From: "A", To: "B"}},
		{
			name: "clean switch", in: seq("A", "A", "B"), wantOK: true, wantDur: 50 * time.Millisecond,
			want: Outage{From: "A", To: "B", LastOld: at(50), FirstNew: at(100)},
		},
		{
			name: "outage with failures", in: seq("A", "", "", "", "B", ""), wantOK: true, wantDur: 200 * time.Millisecond,
			want: Outage{From: "A", To: "B", LastOld: at(0), FirstNew: at(200), Failed: 3, Requests: 3},
		},
		{
			name: "old owner answers between failures", in: seq("A", "", "A", "", "B"), wantOK: true, wantDur: 100 * time.Millisecond,
			want: Outage{From: "A", To: "B", LastOld: at(100), FirstNew: at(200), Failed: 1, Requests: 1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := MeasureOutage(tt.in, "A", "B")
			if ok != tt.wantOK {
				t.Fatalf("ok = %v, want %v", ok, tt.wantOK)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MeasureOutage (-want +got):\n%s", diff)
			}
			if got.Duration() != tt.wantDur {
				t.Errorf("Duration = %v, want %v", got.Duration(), tt.wantDur)
			}
		})
	}
}

func TestServerOf(t *testing.T) {
	tests := []struct{ in, want string }{
		{"server A (192.168.1.2)\n", "A"},
		{"server B", "B"},
		{"server", ""},
		{"server a (lower case)", ""},
		{"server AB", ""},
		{"<html>502 Bad Gateway</html>", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := ServerOf(tt.in); got != tt.want {
			t.Errorf("ServerOf(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func FuzzServerOf(f *testing.F) {
	for _, s := range []string{"server A (192.168.1.2)", "server", "", "server \xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := ServerOf(s)
		if got != "" && (len(got) != 1 || got[0] < 'A' || got[0] > 'Z') {
			t.Errorf("ServerOf(%q) = %q, want one upper-case letter or empty", s, got)
		}
	})
}
