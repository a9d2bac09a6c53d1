package lab

import (
	"fmt"
	"os"
	"strings"
)

// ProcField returns the value of the line `name:` (or `name  value`, as in
// /proc/PID/limits) of a /proc file such as status or limits, trimmed.
func ProcField(path, name string) (string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, name); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":")), nil
		}
	}
	return "", fmt.Errorf("%s: no %q", path, name)
}
