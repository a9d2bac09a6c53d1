package control

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestDurationJSON(t *testing.T) {
	tests := []struct {
		in      string
		want    Duration
		wantErr bool
	}{
		{"1", Duration(time.Second), false},
		{"0.5", Duration(500 * time.Millisecond), false},
		{"0.001", Duration(time.Millisecond), false},
		{"-2", Duration(-2 * time.Second), false},
		{`"1s"`, 0, true},
		{"1e300", 0, true},
		{"null", 0, false},
	}
	for _, tt := range tests {
		var got Duration
		err := json.Unmarshal([]byte(tt.in), &got)
		if (err != nil) != tt.wantErr {
			t.Errorf("Unmarshal(%s) error = %v, wantErr %v", tt.in, err, tt.wantErr)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("Unmarshal(%s) (-want +got):\n%s", tt.in, diff)
		}
	}
	b, err := json.Marshal(struct{ D Duration }{Duration(1500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(`{"D":1.5}`, string(b)); diff != "" {
		t.Errorf("Marshal (-want +got):\n%s", diff)
	}
}

// FuzzDurationJSON: whatever it accepts, it writes back as a number that
// reads again to within a microsecond.
func FuzzDurationJSON(f *testing.F) {
	for _, s := range []string{"1", "0.5", "-3.25", "1e9", "9.2e9", "null", "[]"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		var d Duration
		if json.Unmarshal([]byte(in), &d) != nil {
			return
		}
		b, err := json.Marshal(d)
		if err != nil {
			t.Fatalf("marshal %d: %v", d, err)
		}
		var d2 Duration
		if err := json.Unmarshal(b, &d2); err != nil {
			t.Fatalf("re-read %s: %v", b, err)
		}
		if diff := d2 - d; diff > Duration(time.Microsecond) || diff < -Duration(time.Microsecond) {
			t.Fatalf("%s -> %d -> %s -> %d", in, d, b, d2)
		}
	})
}
