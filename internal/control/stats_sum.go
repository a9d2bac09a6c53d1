package control

// Plus returns the sum of two sets of counters, field by field and drop
// reason by drop reason. Neither s nor o is changed.
func (s Stats) Plus(o Stats) Stats {
	sum := Stats{
		AdvertRcvd:        s.AdvertRcvd + o.AdvertRcvd,
		AdvertSent:        s.AdvertSent + o.AdvertSent,
		BecomeMaster:      s.BecomeMaster + o.BecomeMaster,
		ReleaseMaster:     s.ReleaseMaster + o.ReleaseMaster,
		PacketLenErr:      s.PacketLenErr + o.PacketLenErr,
		AdvertIntervalErr: s.AdvertIntervalErr + o.AdvertIntervalErr,
		IPTTLErr:          s.IPTTLErr + o.IPTTLErr,
		InvalidTypeRcvd:   s.InvalidTypeRcvd + o.InvalidTypeRcvd,
		AddrListErr:       s.AddrListErr + o.AddrListErr,
		InvalidAuthType:   s.InvalidAuthType + o.InvalidAuthType,
		AuthTypeMismatch:  s.AuthTypeMismatch + o.AuthTypeMismatch,
		AuthFailure:       s.AuthFailure + o.AuthFailure,
		PriZeroRcvd:       s.PriZeroRcvd + o.PriZeroRcvd,
		PriZeroSent:       s.PriZeroSent + o.PriZeroSent,
		GratuitousARPSent: s.GratuitousARPSent + o.GratuitousARPSent,
		UnsolicitedNASent: s.UnsolicitedNASent + o.UnsolicitedNASent,
	}
	if len(s.Drops)+len(o.Drops) > 0 {
		sum.Drops = make(map[string]uint64, len(s.Drops)+len(o.Drops))
		for _, m := range []map[string]uint64{s.Drops, o.Drops} {
			for k, v := range m {
				sum.Drops[k] += v
			}
		}
	}
	return sum
}
