package config

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"
)

// parseHostAddr parses an IP address without a zone.
func parseHostAddr(s string) (netip.Addr, error) {
	a, err := netip.ParseAddr(s)
	if err == nil && a.Zone() != "" {
		return netip.Addr{}, strconv.ErrSyntax
	}
	return a, err
}

// splitCommand splits a script command into words as keepalived does:
// white space separates words, '...' and "..." group, and a backslash
// outside single quotes takes the next character literally.
func splitCommand(s string) []string {
	var words []string
	var cur strings.Builder
	in := false
	var quote byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quote == '\'' && c == '\'':
			quote = 0
		case quote == '\'':
			cur.WriteByte(c)
		case c == '\\' && i+1 < len(s):
			i++
			cur.WriteByte(s[i])
			in = true
		case quote == '"' && c == '"':
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote, in = c, true
		case quote == 0 && (c == ' ' || c == '\t'):
			if in {
				words = append(words, cur.String())
				cur.Reset()
				in = false
			}
		default:
			cur.WriteByte(c)
			in = true
		}
	}
	if in {
		words = append(words, cur.String())
	}
	return words
}

// parseScript reads `KEYWORD "cmd args" [user [group]]`.
func (l *loader) parseScript(n *Node) *Script {
	t, ok := l.arg(n, 0)
	if !ok {
		return nil
	}
	cmd := splitCommand(t.Text)
	if len(cmd) == 0 {
		l.errorf(t.Pos, "%s: empty command", n.Keyword.Text)
		return nil
	}
	s := &Script{Pos: t.Pos, Cmd: cmd}
	if len(n.Args) > 1 {
		s.User = n.Args[1].Text
	}
	if len(n.Args) > 2 {
		s.Group = n.Args[2].Text
	}
	l.extraArgs(n, 3)
	l.scripts = append(l.scripts, s)
	return s
}

// scriptKw builds the handler of a notify-style keyword.
func scriptKw[T any](f func(T) **Script) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		if s := l.parseScript(n); s != nil {
			*f(t) = s
		}
	}
}

// firstScriptKw is scriptKw for keywords where, as in keepalived, the
// first one written wins: a repeat is reported and ignored. who names the
// block in the message ("(VI_1)", "vrrp group G:").
func firstScriptKw[T any](f func(T) **Script, who func(T) string) kwFunc[T] {
	return func(l *loader, n *Node, t T) {
		if *f(t) != nil {
			l.warnf(n.Keyword.Pos, "%s %s script already specified, ignoring %s", who(t), n.Keyword.Text, strings.Join(texts(n.Args), " "))
			l.hintf("keepalived keeps the first %s; remove one of them", n.Keyword.Text)
			return
		}
		scriptKw(f)(l, n, t)
	}
}

// parseWeight reads "weight W [reverse|noreverse]" from args[i:].
func (l *loader) parseWeight(n *Node, i int, lo, hi int64) (Weight, bool) {
	v, ok := l.intArg(n, i, lo, hi)
	if !ok {
		return Weight{}, false
	}
	w := Weight{Value: int(v), Set: true}
	if i+1 < len(n.Args) {
		switch n.Args[i+1].Text {
		case "reverse":
			w.Reverse = true
		case "noreverse":
		default:
			l.errorf(n.Args[i+1].Pos, "unexpected %q after weight", n.Args[i+1].Text)
			return w, false
		}
	}
	l.extraArgs(n, i+2)
	return w, true
}

// trackRefs reads the entries of a track_* block: `NAME [weight W [reverse]]`.
func (l *loader) trackRefs(n *Node, script bool) []TrackRef {
	var refs []TrackRef
	for _, c := range n.Children {
		r := TrackRef{Pos: c.Keyword.Pos, Name: c.Keyword.Text}
		if slices.ContainsFunc(refs, func(o TrackRef) bool { return o.Name == r.Name }) {
			l.warnf(r.Pos, "duplicate %s %s, ignoring it", n.Keyword.Text, r.Name) // as keepalived
			continue
		}
		if len(c.Args) > 0 {
			if c.Args[0].Text != "weight" {
				l.errorf(c.Args[0].Pos, "%s %s: unexpected %q, expected weight", n.Keyword.Text, r.Name, c.Args[0].Text)
				continue
			}
			w, ok := l.parseWeight(c, 1, -254, 254)
			if !ok { // keepalived keeps the entry with the tracker's weight
				l.hintf("%s %s: using the weight of %s itself", n.Keyword.Text, r.Name, r.Name)
				refs = append(refs, r)
				continue
			}
			if w.Value == 254 || w.Value == -254 {
				l.warnf(c.Args[1].Pos, "%s %s: weight cannot be +/-254, setting it to +/-253", n.Keyword.Text, r.Name)
				w.Value = w.Value / 254 * 253
			}
			r.Weight = w
		}
		refs = append(refs, r)
	}
	_ = script
	return refs
}

// scriptKeywords is the vrrp_script table.
var scriptKeywords = table[*VRRPScript]{
	"script": func(l *loader, n *Node, s *VRRPScript) {
		if len(n.Args) == 0 {
			l.errorf(endPos(n), "script: missing command")
			return
		}
		s.Cmd = splitCommand(strings.Join(texts(n.Args), " "))
		sc := &Script{Pos: n.Args[0].Pos, Cmd: s.Cmd}
		l.scripts = append(l.scripts, sc)
		l.vrrpScripts = append(l.vrrpScripts, sc)
	},
	"interval": func(l *loader, n *Node, s *VRRPScript) {
		if len(n.Args) > 0 && n.Args[0].Text == "0" { // keepalived: 0 means 1
			l.errorf(n.Args[0].Pos, "(%s) vrrp script interval must be greater than 0, setting it to 1", s.Name)
			s.Interval = time.Second
			return
		}
		durKw(func(s *VRRPScript) *time.Duration { return &s.Interval }, time.Microsecond, 86400*time.Second)(l, n, s)
	},
	"timeout": durKw(func(s *VRRPScript) *time.Duration { return &s.Timeout }, time.Microsecond, 86400*time.Second),
	"weight": func(l *loader, n *Node, s *VRRPScript) {
		if w, ok := l.parseWeight(n, 0, -253, 253); ok {
			s.Weight = w
		}
	},
	"rise": intKw(func(s *VRRPScript) *int { return &s.Rise }, 1, 1<<31-1),
	"fall": intKw(func(s *VRRPScript) *int { return &s.Fall }, 1, 1<<31-1),
	"user": func(l *loader, n *Node, s *VRRPScript) {
		s.User = l.stringArg(n, 0)
		if len(n.Args) > 1 {
			s.Group = n.Args[1].Text
		}
	},
	"init_fail": setKw(func(s *VRRPScript) *bool { return &s.InitFail }, true),
}

// loadScript reads a vrrp_script block.
func (l *loader) loadScript(n *Node) {
	if len(n.Args) == 0 {
		l.errorf(endPos(n), "vrrp_script needs a name")
		return
	}
	s := &VRRPScript{Pos: n.Args[0].Pos, Name: n.Args[0].Text, Interval: time.Second, Rise: 1, Fall: 1}
	if l.cfg.Script(s.Name) != nil {
		l.errorf(n.Args[0].Pos, "vrrp_script %s is defined twice, skipping the second", s.Name)
		return
	}
	dispatch(l, n.Children, scriptKeywords, s, "vrrp_script")
	if len(s.Cmd) == 0 {
		l.errorf(n.Args[0].Pos, "vrrp_script %s has no script, ignoring it", s.Name)
		return
	}
	if s.Timeout == 0 {
		s.Timeout = s.Interval
	}
	l.cfg.Scripts = append(l.cfg.Scripts, s)
}

// trackFileKeywords is the track_file table.
var trackFileKeywords = table[*TrackFile]{
	"file": func(l *loader, n *Node, f *TrackFile) {
		if f.File != "" {
			l.warnf(n.Keyword.Pos, "File already set for track file %s - ignoring %s", f.Name, l.stringArg(n, 0))
			return
		}
		f.File = l.stringArg(n, 0)
	},
	"weight": func(l *loader, n *Node, f *TrackFile) {
		if w, ok := l.parseWeight(n, 0, -254, 254); ok {
			f.Weight = w
		}
	},
	"init_file": func(l *loader, n *Node, f *TrackFile) {
		f.InitFile = true
		for i, a := range n.Args {
			if a.Text == "overwrite" {
				f.Overwrite = true
				continue
			}
			if v, ok := l.intArg(n, i, -1<<31, 1<<31-1); ok {
				f.InitValue = int(v)
			}
		}
	},
}

// loadTrackFile reads a track_file or vrrp_track_file block.
func (l *loader) loadTrackFile(n *Node) {
	if len(n.Args) == 0 {
		l.stopf(endPos(n), "%s needs a name", n.Keyword.Text)
		return
	}
	f := &TrackFile{Pos: n.Args[0].Pos, Name: n.Args[0].Text}
	dispatch(l, n.Children, trackFileKeywords, f, n.Keyword.Text)
	if f.File == "" {
		l.errorf(n.Args[0].Pos, "%s %s has no file, ignoring it", n.Keyword.Text, f.Name)
		return
	}
	l.cfg.TrackFiles = append(l.cfg.TrackFiles, f)
}

// trackProcessKeywords is the vrrp_track_process table.
var trackProcessKeywords = table[*TrackProcess]{
	"process": func(l *loader, n *Node, p *TrackProcess) {
		p.Process = l.stringArg(n, 0)
		if len(n.Args) > 1 {
			p.Params = texts(n.Args[1:])
		}
	},
	"param_match": func(l *loader, n *Node, p *TrackProcess) {
		switch t, _ := l.arg(n, 0); t.Text {
		case "initial":
			p.ParamMatch = ParamMatchInitial
		case "partial":
			p.ParamMatch = ParamMatchPartial
		case "":
		default:
			l.errorf(t.Pos, "param_match: unknown value %q, must be initial or partial", t.Text)
		}
	},
	"weight": func(l *loader, n *Node, p *TrackProcess) {
		if w, ok := l.parseWeight(n, 0, -254, 254); ok {
			p.Weight = w
		}
	},
	"quorum":          intKw(func(p *TrackProcess) *int { return &p.Quorum }, 1, 65535),
	"quorum_max":      intKw(func(p *TrackProcess) *int { return &p.QuorumMax }, 0, 65535),
	"fork_delay":      durKw(func(p *TrackProcess) *time.Duration { return &p.ForkDelay }, 0, 3600*time.Second),
	"terminate_delay": durKw(func(p *TrackProcess) *time.Duration { return &p.TerminateDelay }, 0, 3600*time.Second),
	"delay": func(l *loader, n *Node, p *TrackProcess) {
		if d, ok := l.durArg(n, 0, 0, 3600*time.Second); ok {
			p.ForkDelay, p.TerminateDelay = d, d
		}
	},
	"full_command": setKw(func(p *TrackProcess) *bool { return &p.FullCommand }, true),
}

// loadTrackProcess reads a vrrp_track_process block.
func (l *loader) loadTrackProcess(n *Node) {
	if len(n.Args) == 0 {
		l.errorf(endPos(n), "vrrp_track_process needs a name")
		return
	}
	p := &TrackProcess{Pos: n.Args[0].Pos, Name: n.Args[0].Text, Quorum: 1}
	dispatch(l, n.Children, trackProcessKeywords, p, "vrrp_track_process")
	if p.Process == "" {
		l.errorf(n.Args[0].Pos, "vrrp_track_process %s has no process, ignoring it", p.Name)
		return
	}
	if p.QuorumMax != 0 && p.QuorumMax < p.Quorum {
		l.errorf(n.Args[0].Pos, "vrrp_track_process %s: quorum_max %d is below quorum %d, ignoring it", p.Name, p.QuorumMax, p.Quorum)
		return
	}
	l.cfg.TrackProcesses = append(l.cfg.TrackProcesses, p)
}
