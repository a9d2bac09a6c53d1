package system

import (
	"strings"
	"testing"
)

// An smaps excerpt of a cgo-linked daemon: text, rodata, a RELRO page the
// loader wrote (Anonymous), data, heap and libc.
const smapsFixture = `00400000-00ad5000 r-xp 00000000 fe:00 10102041                           /usr/sbin/gokeepalived
Size:               6996 kB
Rss:                5780 kB
Anonymous:             0 kB
00ad5000-01230000 r--p 006d5000 fe:00 10102041                           /usr/sbin/gokeepalived
Size:               7532 kB
Private_Dirty:      5868 kB
Anonymous:             0 kB
01230000-01231000 r--p 00e30000 fe:00 10102041                           /usr/sbin/gokeepalived
Size:                  4 kB
Anonymous:             4 kB
01231000-0129a000 rw-p 00e31000 fe:00 10102041                           /usr/sbin/gokeepalived
Size:                420 kB
Anonymous:           120 kB
18a974c00000-18a975400000 rw-p 00000000 00:00 0 
Anonymous:          1908 kB
7f9e1c962000-7f9e1cab8000 r-xp 00026000 fe:00 326269                     /usr/lib/x86_64-linux-gnu/libc.so.6
Anonymous:             0 kB
7f9e1cab9000-7f9e1caba000 r--p 00000000 fe:00 10102042                   /usr/sbin/gokeepalived (deleted)
Anonymous:             0 kB
`

func TestTrimRegionsChoosesCleanReadOnlyMappingsOfTheProgram(t *testing.T) {
	got, err := trimRegions(strings.NewReader(smapsFixture), "/usr/sbin/gokeepalived")
	if err != nil {
		t.Fatal(err)
	}
	want := []region{{0x400000, 0xad5000, "r-xp"}, {0xad5000, 0x1230000, "r--p"}}
	if len(got) != len(want) {
		t.Fatalf("regions = %#v, want %#v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("region %d = %#v, want %#v", i, got[i], want[i])
		}
	}
}

func TestTrimRegionsBadRange(t *testing.T) {
	bad := "00ad5000-00400000 r-xp 00000000 fe:00 1 /x\n"
	if _, err := trimRegions(strings.NewReader(bad), "/x"); err == nil {
		t.Error("end before start: no error")
	}
}

// TestReleaseStartupPages drops this test binary's mapped code and
// read-only data and goes on running: its file-backed RSS falls, and code
// that was dropped (the formatting below, the test framework) still runs.
func TestReleaseStartupPages(t *testing.T) {
	before, err := rssFile()
	if err != nil {
		t.Fatal(err)
	}
	released, err := ReleaseStartupPages()
	if err != nil {
		t.Fatal(err)
	}
	after, err := rssFile()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("RssFile %d KiB -> %d KiB, released %d KiB", before>>10, after>>10, released>>10)
	if released <= 0 || after >= before {
		t.Errorf("nothing released: RssFile %d -> %d bytes, reported %d", before, after, released)
	}
	if s := strings.Repeat("ok", 2); s != "okok" {
		t.Errorf("code after the release: %q", s)
	}
}
