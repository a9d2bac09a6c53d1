package probe

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"os"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/healthcheck"
	"github.com/gokeepalived/gokeepalived/internal/track"
)

// File is FILE_CHECK: the number in the tracked file, times the weight
// (negated with reverse), is added to the real server's weight. With
// weight 0 a non-zero value (a zero one with reverse) fails the check,
// and so does a product at or below keepalived's fault value.
type File struct {
	Spec healthcheck.FileSpec
}

// Probe reads the file once.
func (p File) Probe(context.Context, healthcheck.Target) healthcheck.Result {
	start := time.Now()
	v, note := readValue(p.Spec.Path)
	r, ok := FileStatus(v, p.Spec.Weight, p.Spec.Reverse)
	if !ok {
		return fail(start, fmt.Sprintf("FILE_CHECK %s: value %d is a fault%s", p.Spec.Name, v, note))
	}
	res := pass(start, fmt.Sprintf("FILE_CHECK %s: value %d, weight %+d%s", p.Spec.Name, v, r, note))
	res.Weight, res.N = healthcheck.WeightAdd, r
	return res
}

// FileStatus is keepalived's status of a tracked file value for a
// checker: the weight delta, or false for a fault.
func FileStatus(v, weight int, reverse bool) (int, bool) {
	if weight == 0 {
		return 0, (v != 0) == reverse
	}
	mult := int64(1)
	if reverse {
		mult = -1
	}
	s := int64(v) * int64(weight) * mult
	if s <= math.MinInt32 {
		return 0, false
	}
	return int(min(s, math.MaxInt32)), true
}

// readValue reads the file as keepalived does: a missing or unreadable
// file counts as 0.
func readValue(path string) (int, string) {
	f, err := os.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return 0, " (file missing, read as 0)"
		}
		return 0, " (" + err.Error() + ", read as 0)"
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, 4096))
	return track.ParseFileValue(b), ""
}
