package track

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestWeightEffect(t *testing.T) {
	tests := []struct {
		name  string
		w     Weight
		state State
		want  Effect
	}{
		{"weight 0 up", Weight{0, false}, StateUp, Effect{}},
		{"weight 0 down is fault", Weight{0, false}, StateDown, Effect{Fault: true}},
		{"weight 0 reverse up is fault", Weight{0, true}, StateUp, Effect{Fault: true}},
		{"weight 0 reverse down", Weight{0, true}, StateDown, Effect{}},
		{"weight 0 init waits", Weight{0, false}, StateInit, Effect{Wait: true}},
		{"positive up adds", Weight{10, false}, StateUp, Effect{Delta: 10}},
		{"positive down nothing", Weight{10, false}, StateDown, Effect{}},
		{"negative down subtracts", Weight{-20, false}, StateDown, Effect{Delta: -20}},
		{"negative up nothing", Weight{-20, false}, StateUp, Effect{}},
		{"positive reverse up subtracts", Weight{10, true}, StateUp, Effect{Delta: -10}},
		{"negative reverse down adds", Weight{-20, true}, StateDown, Effect{Delta: 20}},
		{"weighted init has no delta", Weight{-20, false}, StateInit, Effect{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, tt.w.Effect(tt.state)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestFileEffect(t *testing.T) {
	tests := []struct {
		name  string
		value int
		w     Weight
		want  Effect
	}{
		{"weight 0 zero ok", 0, Weight{0, false}, Effect{}},
		{"weight 0 nonzero fault", 5, Weight{0, false}, Effect{Fault: true}},
		{"weight 0 reverse zero fault", 0, Weight{0, true}, Effect{Fault: true}},
		{"weight 0 reverse nonzero ok", -3, Weight{0, true}, Effect{}},
		{"value times weight", 3, Weight{5, false}, Effect{Delta: 15}},
		{"negative value", -3, Weight{5, false}, Effect{Delta: -15}},
		{"reverse", 3, Weight{5, true}, Effect{Delta: -15}},
		{"clamped high", 100, Weight{10, false}, Effect{Delta: 253}},
		{"-253 is a delta", -253, Weight{1, false}, Effect{Delta: -253}},
		{"-254 is fault", -254, Weight{1, false}, Effect{Fault: true}},
		{"far below is fault", -100, Weight{10, false}, Effect{Fault: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if diff := cmp.Diff(tt.want, FileEffect(tt.value, tt.w)); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestPriority(t *testing.T) {
	type res struct {
		Prio        int
		Fault, Wait bool
	}
	tests := []struct {
		name    string
		base    int
		effects []Effect
		want    res
	}{
		{"no trackers", 100, nil, res{Prio: 100}},
		{"sum", 100, []Effect{{Delta: 10}, {Delta: -30}}, res{Prio: 80}},
		{"clamp low", 10, []Effect{{Delta: -50}}, res{Prio: 1}},
		{"clamp high never 255", 250, []Effect{{Delta: 50}}, res{Prio: 254}},
		{"owner unchanged", 255, []Effect{{Delta: -50}}, res{Prio: 255}},
		{"fault", 100, []Effect{{Fault: true}, {Delta: 5}}, res{Prio: 105, Fault: true}},
		{"wait", 100, []Effect{{Wait: true}}, res{Prio: 100, Wait: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got res
			got.Prio, got.Fault, got.Wait = Priority(tt.base, tt.effects...)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}
