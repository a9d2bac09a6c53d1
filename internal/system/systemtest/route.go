package systemtest

import (
	"slices"
	"sync"

	"github.com/gokeepalived/gokeepalived/internal/system"
)

// Routing is a fake system.Router and system.Ruler that records calls and
// keeps the installed routes and rules, so tests can ask what is on.
type Routing struct {
	recorder
	mu     sync.Mutex
	routes []system.Route
	rules  []system.Rule
}

var (
	_ system.Router = (*Routing)(nil)
	_ system.Ruler  = (*Routing)(nil)
)

// AddRoute records the call and, unless an error is injected, installs r.
func (f *Routing) AddRoute(r system.Route) error {
	if err := f.record("AddRoute", r); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.ContainsFunc(f.routes, func(x system.Route) bool { return x.String() == r.String() }) {
		f.routes = append(f.routes, r)
	}
	return nil
}

// DelRoute records the call and, unless an error is injected, removes r.
func (f *Routing) DelRoute(r system.Route) error {
	if err := f.record("DelRoute", r); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes = slices.DeleteFunc(f.routes, func(x system.Route) bool { return x.String() == r.String() })
	return nil
}

// AddRule records the call and, unless an error is injected, installs r.
func (f *Routing) AddRule(r system.Rule) error {
	if err := f.record("AddRule", r); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if !slices.ContainsFunc(f.rules, func(x system.Rule) bool { return x.String() == r.String() }) {
		f.rules = append(f.rules, r)
	}
	return nil
}

// DelRule records the call and, unless an error is injected, removes r.
func (f *Routing) DelRule(r system.Rule) error {
	if err := f.record("DelRule", r); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rules = slices.DeleteFunc(f.rules, func(x system.Rule) bool { return x.String() == r.String() })
	return nil
}

// Installed returns the routes and rules currently on, as their String forms,
// in the order they went on.
func (f *Routing) Installed() (routes, rules []string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, r := range f.routes {
		routes = append(routes, r.String())
	}
	for _, r := range f.rules {
		rules = append(rules, r.String())
	}
	return routes, rules
}
