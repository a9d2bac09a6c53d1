// Package systemtest provides fakes of package system's interfaces for
// tests of the daemon: each records its calls and can be told to fail.
// They touch no sockets, netlink or namespaces, and must never import
// anything that does.
package systemtest
