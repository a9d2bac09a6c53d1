package cli

import "testing"

func TestSuggest(t *testing.T) {
	cmds := []string{"check", "status", "reload", "plan", "demo", "version", "help", "completion"}
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"stauts", cmds, "status"},   // swapped letters
		{"chek", cmds, "check"},      // a letter missing
		{"relaod", cmds, "reload"},   // swapped
		{"versoin", cmds, "version"}, // swapped
		{"comp", cmds, "completion"}, // a prefix
		{"status", cmds, ""},         // exact: nothing to suggest
		{"frobnicate", cmds, ""},     // nothing close
		{"x", cmds, ""},              // too short to guess
		{"", cmds, ""},               // empty
		{"virtual_router", []string{"virtual_router_id", "virtual_ipaddress"}, "virtual_router_id"},
		{"advert_intt", []string{"advert_int", "auth_type"}, "advert_int"},
		{"priorty", []string{"priority", "preempt_delay"}, "priority"},
	}
	for _, tt := range tests {
		if got := Suggest(tt.word, tt.candidates); got != tt.want {
			t.Errorf("Suggest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"abc", "abc", 0},
		{"abc", "acb", 1}, {"kitten", "sitting", 3}, {"ca", "abc", 3},
	}
	for _, tt := range tests {
		if got := distance(tt.a, tt.b); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := distance(tt.b, tt.a); got != tt.want {
			t.Errorf("distance(%q, %q) = %d, want %d", tt.b, tt.a, got, tt.want)
		}
	}
}

// FuzzSuggest: Suggest never panics and only ever returns a candidate.
func FuzzSuggest(f *testing.F) {
	f.Add("stauts", "status")
	f.Fuzz(func(t *testing.T, word, cand string) {
		got := Suggest(word, []string{cand, "status"})
		if got != "" && got != cand && got != "status" {
			t.Fatalf("Suggest returned %q, not a candidate", got)
		}
	})
}
