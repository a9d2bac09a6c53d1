package config

import "testing"

// TestAuthChecks: keepalived 2.2.7's authentication checks, in its order,
// with the verdict `keepalived -t` gives (checked by hand against
// /usr/sbin/keepalived: exit 0 for the owner rows, 5 for the others).
func TestAuthChecks(t *testing.T) {
	ah := " authentication {\n  auth_type AH\n  auth_pass 1234\n }\n"
	vip4, vip6 := " virtual_ipaddress {\n  10.0.0.1\n }\n", " virtual_ipaddress {\n  2001:db8::1\n }\n"
	tests := []struct {
		name      string
		in        string
		want      []string
		exit      int
		auth      AuthType
		wantState State
	}{
		{"AH", inst(ah + vip4), nil, 0, AuthAH, State(0)},
		{"AH with state MASTER", inst(" state MASTER\n priority 100\n" + ah + vip4),
			[]string{"4:8: warning: (A) initial state MASTER is incompatible with AH authentication, using BACKUP"}, 5, AuthAH, StateBackup},
		{"AH owner may start MASTER", inst(" state MASTER\n priority 255\n" + ah + vip4), nil, 0, AuthAH, StateMaster},
		{"AH, state MASTER without priority: keepalived's owner", inst(" state MASTER\n" + ah + vip4),
			[]string{"4:8: warning: (A) state MASTER without a priority: priority 255 (address owner)"}, 0, AuthAH, StateMaster},
		{"AH without password", inst(" authentication {\n  auth_type AH\n }\n" + vip4),
			[]string{"4:2: warning: (A) authentication specified but no password given, ignoring it"}, 5, 0, State(0)},
		{"PASS without password", inst(" authentication {\n  auth_type PASS\n }\n" + vip4),
			[]string{"4:2: warning: (A) authentication specified but no password given, ignoring it"}, 5, 0, State(0)},
		{"AH with version 3", inst(" version 3\n" + ah + vip4),
			[]string{"5:2: warning: (A) VRRP version 3 does not support authentication, ignoring it"}, 5, 0, State(0)},
		{"AH over IPv6", inst(ah + vip6),
			[]string{"4:2: warning: (A) VRRP version 3 does not support authentication, ignoring it"}, 5, 0, State(0)},
		{"AH over IPv6 with version 2", inst(" version 2\n" + ah + vip6),
			[]string{"1:15: warning: (A) version 2 with IPv6 addresses: using version 3",
				"5:2: warning: (A) cannot use AH authentication with IPv6, ignoring it"}, 5, 0, State(0)},
		{"AH in strict mode", inst(" strict_mode\n version 3\n" + ah + vip4),
			[]string{"6:2: warning: (A) strict mode does not support authentication, ignoring it",
				"1:15: warning: (A) strict mode: the master will not accept packets addressed to its VIPs"}, 5, 0, State(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := loadChecked(t, tt.in, tt.want, tt.exit)
			if len(cfg.Instances) != 1 {
				t.Fatalf("%d instances", len(cfg.Instances))
			}
			if in := cfg.Instances[0]; in.Auth.Type != tt.auth || in.State != tt.wantState {
				t.Errorf("auth %v state %v, want %v %v", in.Auth.Type, in.State, tt.auth, tt.wantState)
			}
		})
	}
}
