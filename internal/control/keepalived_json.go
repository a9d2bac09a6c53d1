package control

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// JSON dump layouts (global_defs json_version).
const (
	// JSONVersion1 is a top-level array of {"data":{...},"stats":{...}}, as
	// keepalived 2.2.7 (which has no json_version keyword) writes.
	JSONVersion1 = 1
	// JSONVersion2 is an object whose "vrrp" member is that array.
	JSONVersion2 = 2
)

// WriteJSON writes the snapshot as keepalived's /tmp/keepalived.json
// (SIGRTMIN+2): the same field names, order, numeric state codes and
// number formats, so that exporters written for keepalived keep working.
// version is JSONVersion1 or JSONVersion2. Version 2's "track_process"
// array is not written (we do not keep process quorum details).
func WriteJSON(w io.Writer, s Snapshot, version int) error {
	if version != JSONVersion1 && version != JSONVersion2 {
		return fmt.Errorf("write json dump: unknown json_version %d", version)
	}
	jw := &jsonWriter{w: bufio.NewWriter(w)}
	if version == JSONVersion2 {
		jw.raw(`{"vrrp":`)
	}
	jw.raw("[")
	for i, in := range s.Instances {
		if i > 0 {
			jw.raw(",")
		}
		jw.raw(`{"data":{`)
		jw.first = true
		writeJSONData(jw, in, s.Trackers)
		jw.raw(`},"stats":{`)
		jw.first = true
		writeJSONStats(jw, in.Stats, in.AuthHMAC)
		jw.raw("}}")
	}
	jw.raw("]")
	if version == JSONVersion2 {
		jw.raw("}")
	}
	jw.raw("\n")
	if err := jw.w.Flush(); err != nil {
		return fmt.Errorf("write json dump: %w", err)
	}
	return nil
}

func writeJSONData(jw *jsonWriter, in Instance, trackers []Tracker) {
	g := in.Garp
	jw.str("iname", in.Name)
	jw.uint("dont_track_primary", b2u(in.Flags.DontTrackPrimary))
	jw.uint("skip_check_adv_addr", b2u(in.Flags.SkipCheckAdvAddr))
	jw.uint("strict_mode", b2u(in.StrictMode))
	jw.str("vmac_ifname", in.VMACInterface)
	jw.str("ifp_ifname", in.Interface)
	jw.uint("master_priority", uint64(in.MasterPriority))
	jw.field("last_transition", epochMicro(in.LastTransition.At))
	jw.float("garp_delay", g.Delay)
	jw.uint("garp_refresh", uint64(g.Refresh.D()/time.Second))
	jw.uint("garp_rep", uint64(g.Repeat))
	jw.uint("garp_refresh_rep", uint64(g.RefreshRepeat))
	jw.uint("garp_lower_prio_delay", uint64(g.LowerPrioDelay.D()/time.Second))
	jw.uint("garp_lower_prio_rep", uint64(g.LowerPrioRepeat))
	jw.uint("lower_prio_no_advert", b2u(g.LowerPrioNoAdvert))
	jw.uint("higher_prio_send_advert", b2u(g.HigherPrioAdvert))
	jw.uint("vrid", uint64(in.VRID))
	jw.uint("base_priority", uint64(in.BasePriority))
	jw.uint("effective_priority", uint64(in.EffectivePriority))
	jw.bool("vipset", vipSet(in.VIPs))
	jw.bool("promote_secondaries", in.Flags.PromoteSecondaries)
	jw.float("adver_int", in.AdvertInterval)
	jw.float("master_adver_int", in.MasterAdvertInterval)
	jw.uint("accept", b2u(in.Accept))
	jw.bool("nopreempt", in.Nopreempt)
	jw.uint("preempt_delay", uint64(in.PreemptDelay.D()/time.Second))
	jw.uint("state", uint64(in.State.Code()))
	jw.uint("wantstate", uint64(in.WantState.Code()))
	jw.uint("version", uint64(in.Version))
	jw.bool("smtp_alert", in.Flags.SMTPAlert)
	jw.bool("notify_deleted", in.Flags.NotifyDeleted)
	n := in.Notify
	for _, sc := range []struct{ k, v string }{
		{"script_backup", n.Backup}, {"script_master", n.Master}, {"script_fault", n.Fault},
		{"script_stop", n.Stop}, {"script_deleted", n.Deleted}, {"script", n.Generic},
		{"script_master_rx_lower_pri", n.MasterRxLowerPri},
	} {
		if sc.v != "" {
			jw.str(sc.k, sc.v)
		}
	}
	var vips, evips []string
	for _, v := range in.VIPs {
		if v.Excluded {
			evips = append(evips, keepalivedVIP(v))
		} else {
			vips = append(vips, keepalivedVIP(v))
		}
	}
	jw.strs("vips", vips)
	jw.strs("evips", evips)
	jw.strs("track_ifp", trackTargets(in.Tracks, "interface", nil))
	jw.strs("track_script", trackTargets(in.Tracks, "script", trackers))
	jw.strs("track_process", trackTargets(in.Tracks, "process", trackers))
	code := authTypeCode(in.AuthType)
	jw.uint("auth_type", uint64(code))
	if code != 0 {
		jw.str("auth_data", in.AuthPass)
	}
}

type jsonCounter struct {
	k string
	v uint64
}

// writeJSONStats writes keepalived's stats object; an auth_hmac instance
// also gets keepalived 2.4.3's auth_ext_* counters, where 2.4.3 puts them.
func writeJSONStats(jw *jsonWriter, st Stats, h *AuthHMAC) {
	cs := []jsonCounter{
		{"advert_rcvd", st.AdvertRcvd}, {"advert_sent", st.AdvertSent},
		{"become_master", st.BecomeMaster}, {"release_master", st.ReleaseMaster},
		{"packet_len_err", st.PacketLenErr}, {"advert_interval_err", st.AdvertIntervalErr},
		{"ip_ttl_err", st.IPTTLErr}, {"invalid_type_rcvd", st.InvalidTypeRcvd},
		{"addr_list_err", st.AddrListErr}, {"invalid_authtype", st.InvalidAuthType},
		{"authtype_mismatch", st.AuthTypeMismatch}, {"auth_failure", st.AuthFailure},
	}
	if h != nil {
		cs = append(cs, jsonCounter{"auth_ext_missing", h.Missing}, jsonCounter{"auth_ext_malformed", h.Malformed},
			jsonCounter{"auth_ext_unknown_key", h.UnknownKey}, jsonCounter{"auth_ext_invalid_hmac", h.InvalidHMAC},
			jsonCounter{"auth_ext_stale", h.Stale}, jsonCounter{"auth_ext_replay", h.Replay})
	}
	cs = append(cs, jsonCounter{"pri_zero_rcvd", st.PriZeroRcvd}, jsonCounter{"pri_zero_sent", st.PriZeroSent})
	for _, c := range cs {
		jw.uint(c.k, c.v)
	}
}

// trackTargets lists what keepalived prints for an instance's tracked
// objects of one kind: interface names, script command lines, process
// names. It looks commands up in trackers and falls back to the name.
func trackTargets(tracks []TrackRef, kind string, trackers []Tracker) []string {
	var out []string
	for _, t := range tracks {
		if t.Kind != kind {
			continue
		}
		v := t.Name
		for _, tr := range trackers {
			if tr.Kind == kind && tr.Name == t.Name && tr.Target != "" {
				v = tr.Target
				break
			}
		}
		out = append(out, v)
	}
	return out
}

// vipSet is keepalived's "vipset": the instance's addresses are installed.
func vipSet(vips []VIP) bool {
	for _, v := range vips {
		if v.Present {
			return true
		}
	}
	return false
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// jsonWriter writes JSON members in a fixed order, escaping strings as
// keepalived's json_writer does (including "/" as "\/").
type jsonWriter struct {
	w     *bufio.Writer
	first bool
}

func (j *jsonWriter) raw(s string) { j.w.WriteString(s) }

func (j *jsonWriter) field(k, v string) {
	if !j.first {
		j.w.WriteByte(',')
	}
	j.first = false
	j.quote(k)
	j.w.WriteByte(':')
	j.w.WriteString(v)
}

func (j *jsonWriter) str(k, v string) {
	j.field(k, "")
	j.quote(v)
}

func (j *jsonWriter) uint(k string, v uint64) { j.field(k, strconv.FormatUint(v, 10)) }

func (j *jsonWriter) bool(k string, v bool) { j.field(k, strconv.FormatBool(v)) }

// float writes seconds like C's "%g".
func (j *jsonWriter) float(k string, d Duration) {
	j.field(k, strconv.FormatFloat(d.D().Seconds(), 'g', 6, 64))
}

// strs writes a string array, or nothing when it is empty (as keepalived).
func (j *jsonWriter) strs(k string, vs []string) {
	if len(vs) == 0 {
		return
	}
	j.field(k, "[")
	for i, v := range vs {
		if i > 0 {
			j.w.WriteByte(',')
		}
		j.quote(v)
	}
	j.w.WriteByte(']')
}

func (j *jsonWriter) quote(s string) {
	const hex = "0123456789abcdef"
	s = strings.ToValidUTF8(s, "\uFFFD")
	j.w.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\\', '/':
			j.w.WriteByte('\\')
			j.w.WriteByte(c)
		case '\n':
			j.w.WriteString(`\n`)
		case '\t':
			j.w.WriteString(`\t`)
		case '\r':
			j.w.WriteString(`\r`)
		case '\b':
			j.w.WriteString(`\b`)
		case '\f':
			j.w.WriteString(`\f`)
		default:
			if c < 0x20 {
				j.w.WriteString(`\u00`)
				j.w.WriteByte(hex[c>>4])
				j.w.WriteByte(hex[c&0xf])
				continue
			}
			j.w.WriteByte(c)
		}
	}
	j.w.WriteByte('"')
}
