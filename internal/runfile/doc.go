// Package runfile creates, checks and removes the files and sockets the
// daemon owns at run time: its pid file, the directory of its control
// socket, and the entries it must later remove.
//
// Every path it accepts lies in directories that only root or the daemon's
// own user can change (no directory on the way is writable by other users
// unless it is sticky, like /tmp), so nobody else can swap a file under the
// daemon. Files are opened without following a final symlink, and an entry
// is removed only while it is still the very file the daemon made, found
// through the directory it was made in: re-pointing a symlinked directory
// or planting another file at the path never makes the daemon delete
// something it did not create.
//
// It must not touch the network or know about VRRP; it is used by the
// daemon, the control socket and its client.
package runfile
