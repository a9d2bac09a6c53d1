package control

import (
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestStatsPlus fills every counter of two Stats with distinct values and
// checks each is summed, so a counter added to Stats later cannot be
// forgotten by Plus.
func TestStatsPlus(t *testing.T) {
	var a, b, want Stats
	va, vb, vw := reflect.ValueOf(&a).Elem(), reflect.ValueOf(&b).Elem(), reflect.ValueOf(&want).Elem()
	n := 0
	for i := range va.NumField() {
		if va.Field(i).Kind() != reflect.Uint64 {
			continue
		}
		n++
		va.Field(i).SetUint(uint64(i + 1))
		vb.Field(i).SetUint(uint64(100 * (i + 1)))
		vw.Field(i).SetUint(uint64(101 * (i + 1)))
	}
	if n < 16 {
		t.Fatalf("only %d counters found in Stats", n)
	}
	a.Drops = map[string]uint64{"checksum": 2, "vrid_mismatch": 1}
	b.Drops = map[string]uint64{"checksum": 5, "version_mismatch": 3}
	want.Drops = map[string]uint64{"checksum": 7, "vrid_mismatch": 1, "version_mismatch": 3}
	if diff := cmp.Diff(want, a.Plus(b)); diff != "" {
		t.Errorf("a.Plus(b) (-want +got):\n%s", diff)
	}
	if a.Drops["checksum"] != 2 || b.Drops["checksum"] != 5 {
		t.Errorf("Plus changed its operands' drops: %v %v", a.Drops, b.Drops)
	}
	if got := (Stats{}).Plus(Stats{}); got.Drops != nil {
		t.Errorf("zero.Plus(zero).Drops = %v, want nil", got.Drops)
	}
}
