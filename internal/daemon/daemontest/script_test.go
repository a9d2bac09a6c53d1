package daemontest

import (
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	sc, err := Parse("# c\nnode A 10.0.0.1\nconfig A\nvrrp_instance X {\n}\nend\n1.5s start A\nshow\n2s signal A HUP\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, st := range sc.Steps {
		got = append(got, st.At.String()+" "+st.Cmd+" "+strings.Join(st.Args, ","))
	}
	want := []string{"0s node A,10.0.0.1", "0s config A", "1.5s start A", "1.5s show ", "2s signal A,HUP"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("steps %q, want %q", got, want)
	}
	if body := sc.Steps[1].Body; body != "vrrp_instance X {\n}\n" {
		t.Errorf("config body %q", body)
	}
	if sc.Steps[2].At != 1500*time.Millisecond || sc.Steps[2].Line != 7 {
		t.Errorf("start at %v line %d, want 1.5s line 7", sc.Steps[2].At, sc.Steps[2].Line)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct{ in, want string }{
		{"2s show\n1s show\n", "line 2: time 1s goes back from 2s"},
		{"1s\n", "line 1: a time and no command"},
		{"jump A\n", `line 1: unknown command "jump"`},
		{"node A\n", "line 1: node takes 2 arguments, not 1"},
		{"script A 1\n", "line 1: script takes at least 3 arguments, not 2"},
		{"config A\nx\n", "line 1: config A has no end"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.in)
		if err == nil || err.Error() != tt.want {
			t.Errorf("Parse(%q) = %v, want %q", tt.in, err, tt.want)
		}
	}
}

// FuzzParse: Parse never panics, and what it accepts has times that never
// go back and commands with their argument counts.
func FuzzParse(f *testing.F) {
	f.Add("node A 10.0.0.1\nconfig A\nx\nend\n1s start A\n")
	f.Add("1s\n")
	f.Add("config A\n")
	f.Fuzz(func(t *testing.T, src string) {
		sc, err := Parse(src)
		if err != nil {
			return
		}
		var at time.Duration
		for _, st := range sc.Steps {
			if st.At < at {
				t.Fatalf("step at line %d goes back in time", st.Line)
			}
			at = st.At
			want := commands[st.Cmd]
			if n := len(st.Args); (want >= 0 && n != want) || (want < 0 && n < -want) {
				t.Fatalf("step %s has %d arguments", st.Cmd, n)
			}
		}
	})
}
