package system

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// A region is one mapping of the program's own file that can be dropped
// from the process and read back from the page cache on the next touch.
type region struct {
	start, end uintptr
	perms      string
}

// ReleaseStartupPages drops from this process the pages of its own code
// and read-only data that it holds mapped, and reports how much of its
// resident file-backed memory that released.
//
// A Go daemon maps most of its 20 MB binary while it starts (the kernel
// maps 64 KiB around every page fault), yet runs its steady loop in a few
// hundred kilobytes of it. The dropped pages stay in the page cache, so
// the ones the daemon touches again come back with a minor fault and no
// disk read, unless memory pressure has evicted them meanwhile, as it
// could any idle page. Only clean, read-only mappings of the executable
// are dropped: a mapping with private (copied-on-write) pages, like a
// RELRO segment written by the dynamic loader, would lose its contents,
// so it is left alone; writable data and the heap are never touched.
func ReleaseStartupPages() (released int64, err error) {
	exe, err := os.Readlink("/proc/self/exe")
	if err != nil {
		return 0, err
	}
	smaps, err := os.ReadFile("/proc/self/smaps")
	if err != nil {
		return 0, err
	}
	regions, err := trimRegions(bytes.NewReader(smaps), exe)
	if err != nil {
		return 0, err
	}
	before, err := rssFile()
	if err != nil {
		return 0, err
	}
	for _, r := range regions {
		if _, _, e := unix.Syscall(unix.SYS_MADVISE, r.start, r.end-r.start, unix.MADV_DONTNEED); e != 0 {
			return 0, fmt.Errorf("madvise %x-%x %s: %w", r.start, r.end, r.perms, e)
		}
	}
	after, err := rssFile()
	if err != nil {
		return 0, err
	}
	return before - after, nil
}

// trimRegions reads /proc/PID/smaps and returns the mappings of exe that
// are read-only, private and hold no anonymous (copied) page.
func trimRegions(smaps io.Reader, exe string) ([]region, error) {
	var out []region
	var cur *region
	anon := false
	flush := func() {
		if cur != nil && !anon {
			out = append(out, *cur)
		}
		cur, anon = nil, false
	}
	sc := bufio.NewScanner(smaps)
	for sc.Scan() {
		line := sc.Text()
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if isMapHeader(f[0]) {
			flush()
			if len(f) < 6 || strings.Join(f[5:], " ") != exe || (f[1] != "r-xp" && f[1] != "r--p") {
				continue
			}
			lo, hi, ok := strings.Cut(f[0], "-")
			start, err1 := strconv.ParseUint(lo, 16, 64)
			end, err2 := strconv.ParseUint(hi, 16, 64)
			if !ok || err1 != nil || err2 != nil || end <= start {
				return nil, fmt.Errorf("smaps: bad range in %q", line)
			}
			cur = &region{start: uintptr(start), end: uintptr(end), perms: f[1]}
			continue
		}
		// Anonymous counts the pages of this mapping that are private
		// copies, written through it: dropping those would lose them.
		// (Private_Dirty is no guide: it also counts page-cache pages
		// not yet written back, as in a binary just built.)
		if cur != nil && f[0] == "Anonymous:" && len(f) >= 2 && f[1] != "0" {
			anon = true
		}
	}
	flush()
	return out, sc.Err()
}

// isMapHeader reports whether an smaps field is "START-END" in hex, which
// begins the lines of a new mapping (field names end with ':').
func isMapHeader(s string) bool {
	lo, hi, ok := strings.Cut(s, "-")
	if !ok || lo == "" || hi == "" {
		return false
	}
	for _, c := range lo + hi {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// rssFile is this process's resident file-backed memory in bytes.
func rssFile() (int64, error) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, err
	}
	for line := range strings.Lines(string(b)) {
		if v, ok := strings.CutPrefix(line, "RssFile:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no RssFile in /proc/self/status")
}
