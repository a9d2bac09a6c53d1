package main

import (
	"testing"
)

func TestCapEffective(t *testing.T) {
	tests := []struct {
		name     string
		status   string
		want     uint64
		wantErr  bool
		sysAdmin bool
	}{
		{"root", "Name:\tx\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n", 0x1ffffffffff, false, true},
		{"without CAP_SYS_ADMIN", "CapEff:\t00000000000c30ef\n", 0xc30ef, false, false},
		{"none", "CapEff:\t0000000000000000\n", 0, false, false},
		{"missing", "Name:\tx\n", 0, true, false},
		{"garbage", "CapEff:\tzz\n", 0, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := capEffective([]byte(tt.status))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Fatalf("capEffective = %#x, %v; want %#x, error %v", got, err, tt.want, tt.wantErr)
			}
			if sa := got&(1<<capSysAdmin) != 0; sa != tt.sysAdmin {
				t.Errorf("CAP_SYS_ADMIN = %v, want %v", sa, tt.sysAdmin)
			}
		})
	}
}
