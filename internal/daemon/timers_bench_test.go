package daemon

import (
	"fmt"
	"testing"
	"time"

	"github.com/gokeepalived/gokeepalived/internal/system/systemtest"
	"github.com/gokeepalived/gokeepalived/internal/vinst"
)

// BenchmarkLoopEventNothingDue is the loop's timer work after an event
// that leaves every deadline in the future (a received advert, a
// request): arm the timer and look for due units, with n masters at 1 s.
func BenchmarkLoopEventNothingDue(b *testing.B) {
	for _, n := range []int{2, 255, 1000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			ce := &vinst.Socket{Conn: systemtest.NewConn()}
			start := time.Now()
			d := timerDaemon()
			for i := range n {
				vi := batchMaster(uint8(1+i%255), ce, start.Add(time.Duration(i)*time.Millisecond), time.Second)
				d.units = append(d.units, vi.Unit)
			}
			b.ResetTimer()
			for range b.N {
				d.armTimer()
				d.fireTimers(time.Now())
			}
		})
	}
}
