// Package vmac owns keepalived's virtual MAC interfaces: an instance's own
// VMAC (use_vmac: a private-mode macvlan carrying 00:00:5e:00:0{1,2}:VRID
// that the instance lives on), the VMACs of addresses (per-address
// use_vmac, use_vmac_addr) shared by the instances that need the same
// parent, family and VRID, where each virtual address goes among them,
// and the names they get.
//
// A Manager makes and deletes the interfaces through package system; a
// Link is one instance's share. Both run on the daemon's loop. The package
// must not add addresses, send packets or decide instance states: it only
// tells the daemon which interface each address and the instance use.
package vmac
